// Reads the images the Rekognition stand-in accepts (PNG and JPEG, as Rekognition does) into RGBA pixels,
// checks Rekognition's dimension limits before decoding, and scales pixels to the classifier's input.
import { createHash } from 'node:crypto';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** Rekognition's set quotas for DetectModerationLabels (Guidelines and quotas in Amazon Rekognition). */
export const REKOGNITION_LIMITS = {
  /** Image.Bytes, after base64 decoding. */
  maxBytes: 5 * 1024 * 1024,
  /** Image.S3Object. */
  maxS3ObjectBytes: 15 * 1024 * 1024,
  minDimension: 80,
  maxDimension: 10_000,
} as const;

export type ImageFormat = 'png' | 'jpeg';

export interface DecodedImage {
  format: ImageFormat;
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA. */
  rgba: Uint8Array;
}

export class ImageFormatError extends Error {}
export class ImageDimensionError extends Error {
  constructor(
    message: string,
    readonly tooLarge: boolean,
  ) {
    super(message);
  }
}

export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Width and height from the header alone, so an oversized image is refused before it is decoded. */
export function readDimensions(bytes: Buffer, format: ImageFormat): { width: number; height: number } {
  if (format === 'png') {
    if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') throw new ImageFormatError('PNG has no IHDR header');
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  // JPEG: walk the markers to the first start-of-frame (SOF0-SOF15 except DHT, JPG and DAC).
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) throw new ImageFormatError('JPEG marker expected');
    const marker = bytes[offset + 1] as number;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  throw new ImageFormatError('JPEG has no frame header');
}

export function checkDimensions({ width, height }: { width: number; height: number }): void {
  const { minDimension, maxDimension } = REKOGNITION_LIMITS;
  if (width > maxDimension || height > maxDimension) {
    throw new ImageDimensionError(`Image is ${width}x${height} pixels; the maximum is ${maxDimension} pixels on each side`, true);
  }
  if (width < minDimension || height < minDimension) {
    throw new ImageDimensionError(`Image is ${width}x${height} pixels; the minimum is ${minDimension} pixels on each side`, false);
  }
}

/** Decodes a PNG or JPEG after checking its format and dimensions; throws ImageFormatError or ImageDimensionError. */
export function decodeImage(bytes: Buffer): DecodedImage {
  const format = sniffFormat(bytes);
  if (!format) throw new ImageFormatError('Request has invalid image format: only PNG and JPEG are supported');
  checkDimensions(readDimensions(bytes, format));
  try {
    if (format === 'png') {
      const png = PNG.sync.read(bytes);
      return { format, width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    }
    const max = REKOGNITION_LIMITS.maxDimension;
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: (max * max) / 1e6, maxMemoryUsageInMB: 1024 });
    return { format, width: image.width, height: image.height, rgba: image.data };
  } catch (err) {
    throw new ImageFormatError(`Request has invalid image format: the ${format.toUpperCase()} could not be decoded (${(err as Error).message})`);
  }
}

/**
 * SHA-256 of the decoded pixels (`${width}x${height}\n` then RGBA), so an image keeps its key when it is
 * re-encoded without loss (a PNG drawn into a PDF and extracted again).
 */
export function pixelSha256(image: Pick<DecodedImage, 'width' | 'height' | 'rgba'>): string {
  return createHash('sha256').update(`${image.width}x${image.height}\n`).update(image.rgba).digest('hex');
}

/**
 * Scales to size x size RGB in [0, 1], each output pixel the mean of the source pixels it covers (a box
 * filter, which keeps memory at the output's size whatever the input's), with transparency laid on white.
 */
export function toClassifierInput(image: DecodedImage, size: number): Float32Array {
  const out = new Float32Array(size * size * 3);
  const { width, height, rgba } = image;
  for (let oy = 0; oy < size; oy++) {
    const y0 = Math.floor((oy * height) / size);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * height) / size));
    for (let ox = 0; ox < size; ox++) {
      const x0 = Math.floor((ox * width) / size);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * width) / size));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y * width + x) * 4;
          const alpha = (rgba[i + 3] as number) / 255;
          const white = 255 * (1 - alpha);
          r += (rgba[i] as number) * alpha + white;
          g += (rgba[i + 1] as number) * alpha + white;
          b += (rgba[i + 2] as number) * alpha + white;
        }
      }
      const n = (y1 - y0) * (x1 - x0) * 255;
      const o = (oy * size + ox) * 3;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
    }
  }
  return out;
}
