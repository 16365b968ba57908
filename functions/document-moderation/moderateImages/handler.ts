// ModerateImages state (the Map's item processor): one manifest of extracted images, each image through
// Rekognition DetectModerationLabels, a few at a time.
//
// An image Rekognition cannot read (format, size, dimensions) is skipped with its reason and the batch goes
// on; throttling and service errors fail the batch as TransientDependencyError so the Map's Retry runs it again.
import { DetectModerationLabelsCommand } from '@aws-sdk/client-rekognition';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { imageModeration, objects } from '../../shared/clients.js';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { classifyAwsError, PermanentDependencyError } from '../../shared/errors.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { documentConfig } from '../shared/config.js';
import type { ImageRef, ModerateImagesOutput } from '../shared/contract.js';
import { summarize, toModerationLabel, type ImageResult } from './image-policy.js';
import { MAX_MANIFEST_BYTES, parseManifest, readModerateImagesInput } from './manifest.js';

/** Rekognition's answers about the image itself, not about the service: skip the image, keep the batch. */
const IMAGE_ERRORS: ReadonlySet<string> = new Set([
  'InvalidImageFormatException',
  'ImageTooLargeException',
  'InvalidS3ObjectException',
  'InvalidParameterException',
]);

async function readManifest(bucket: string, manifestKey: string): Promise<string> {
  try {
    const object = await objects.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey }));
    if ((object.ContentLength ?? 0) > MAX_MANIFEST_BYTES) {
      throw new PermanentDependencyError(`Image manifest ${manifestKey} is ${object.ContentLength} bytes, over ${MAX_MANIFEST_BYTES}`);
    }
    return (await object.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    if (error instanceof PermanentDependencyError) throw error;
    throw classifyAwsError(error, 'S3 GetObject (image manifest)');
  }
}

async function moderate(bucket: string, image: ImageRef, minConfidence: number): Promise<ImageResult> {
  try {
    const answer = await imageModeration.send(
      new DetectModerationLabelsCommand({ Image: { S3Object: { Bucket: bucket, Name: image.imageKey } }, MinConfidence: minConfidence }),
    );
    const labels = (answer.ModerationLabels ?? []).map(toModerationLabel).filter((label) => label !== undefined);
    return { image, labels };
  } catch (error) {
    const name = (error as Error)?.name;
    if (IMAGE_ERRORS.has(name)) return { image, skipped: `${name}: ${(error as Error).message}` };
    throw classifyAwsError(error, 'Rekognition DetectModerationLabels');
  }
}

export const handler = lambdaHandler(async (input: unknown): Promise<ModerateImagesOutput> => {
  const derivedPrefix = documentConfig.derivedPrefix();
  const { document, manifestKey } = readModerateImagesInput(input, derivedPrefix);
  logger.appendKeys({ documentId: document.documentId, manifestKey });
  const bucket = documentConfig.bucket();
  const images = parseManifest(await readManifest(bucket, manifestKey), manifestKey, derivedPrefix);
  const toModerate = images.filter((image) => !image.skipped);
  const minConfidence = documentConfig.moderationMinConfidence();
  const results = await mapWithConcurrency(toModerate, documentConfig.imageModerationConcurrency(), (image) =>
    moderate(bucket, image, minConfidence),
  );
  for (const result of results) {
    if ('skipped' in result) logger.info('Image skipped by Rekognition', { imageKey: result.image.imageKey, reason: result.skipped });
  }
  const output = summarize(results, images.length - toModerate.length);
  logger.info('Images moderated', { images: images.length, moderated: output.moderated, skipped: output.skipped, flagged: output.flagged.length });
  return output;
});
