// ExtractImages state: reads the PDF version from S3, writes each distinct embedded image as a PNG under
// derived/, and returns the keys of the manifests listing them (the Map iterates those, not the images).
import type { Context } from 'aws-lambda';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { documentConfig } from '../shared/config.js';
import type { ExtractImagesOutput, ExtractInput } from '../shared/contract.js';
import { DEADLINE_MARGIN_MS } from '../shared/pdf-limits.js';
import { derivedKeys, readDocument, writeObject } from '../shared/pdf-source.js';
import { extractImages, primeImageDecoders, type ImageSink } from './images.js';

// During the function's initialisation, before its first document.
const decodersReady = primeImageDecoders();

export const handler = lambdaHandler(async (event: ExtractInput, context: Context): Promise<ExtractImagesOutput> => {
  const { document } = event;
  logger.appendKeys({ documentId: document.documentId });
  const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
  const limits = {
    maxDocumentBytes: documentConfig.maxDocumentBytes(),
    maxPages: documentConfig.maxPages(),
    maxImages: documentConfig.maxImages(),
    imagesPerBatch: documentConfig.imagesPerBatch(),
  };
  const bucket = documentConfig.bucket();
  const sink: ImageSink = {
    putImage: (key, png) => writeObject(bucket, key, png, 'image/png'),
    putManifest: (key, images) => writeObject(bucket, key, JSON.stringify(images), 'application/json'),
  };
  const started = Date.now();
  await decodersReady;
  const bytes = await readDocument(document, limits.maxDocumentBytes);
  const keys = derivedKeys(documentConfig.derivedPrefix(), document.documentId);
  const result = await extractImages(bytes, limits, keys, sink, deadline);
  logger.info('Images extracted', { ...result, milliseconds: Date.now() - started });
  return result;
});
