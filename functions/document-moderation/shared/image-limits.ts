// What Amazon Rekognition DetectModerationLabels accepts, from its "Guidelines and quotas" page
// (https://docs.aws.amazon.com/rekognition/latest/dg/limits.html): PNG or JPEG, an S3 object of at most
// 15 MB, at least 80 pixels and at most 10,000 pixels on each side.

export const REKOGNITION_MIN_SIDE = 80;
export const REKOGNITION_MAX_SIDE = 10_000;
export const REKOGNITION_MAX_S3_OBJECT_BYTES = 15 * 1024 * 1024;

/**
 * Extracted images are scaled down to at most this many pixels on their longer side: well inside
 * Rekognition's maximum, far more detail than moderation needs, and a bounded PNG to encode and store.
 */
export const EXTRACTED_IMAGE_MAX_SIDE = 4096;

/** Why an image of this size cannot be sent to DetectModerationLabels, or undefined when it can. */
export function unfitForModeration(width: number, height: number, encodedBytes: number): string | undefined {
  if (width < REKOGNITION_MIN_SIDE || height < REKOGNITION_MIN_SIDE) {
    return `too small: ${width}×${height} pixels, under Rekognition's minimum of ${REKOGNITION_MIN_SIDE}×${REKOGNITION_MIN_SIDE}`;
  }
  if (width > REKOGNITION_MAX_SIDE || height > REKOGNITION_MAX_SIDE) {
    return `too large: ${width}×${height} pixels, over Rekognition's maximum of ${REKOGNITION_MAX_SIDE} pixels a side`;
  }
  if (encodedBytes > REKOGNITION_MAX_S3_OBJECT_BYTES) {
    return `too large: ${encodedBytes} bytes, over Rekognition's maximum of ${REKOGNITION_MAX_S3_OBJECT_BYTES} bytes`;
  }
  return undefined;
}
