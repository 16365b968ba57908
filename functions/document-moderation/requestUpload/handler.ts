// POST /documents: answers a presigned S3 PUT URL for one PDF under the upload prefix, with the headers the
// upload must send and the limits it must keep. The bucket's EventBridge rule takes it from there.
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { objects } from '../../shared/clients.js';
import { isTransientAwsError } from '../../shared/errors.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { documentConfig } from '../shared/config.js';
import { PDF_CONTENT_TYPE, readUploadRequest, UploadRefusedError, safeFileName, type UploadRequest } from './upload-request.js';

/**
 * The SDK adds a CRC32 checksum of the (empty) body to a presigned PutObject by default, which S3 then
 * holds the real upload to and refuses. This signer computes checksums only where S3 requires them; it
 * addresses buckets the same way as the shared client (path style for a local endpoint).
 */
const uploadSigner = new S3Client({ forcePathStyle: objects.config.forcePathStyle, requestChecksumCalculation: 'WHEN_REQUIRED' });

/** Signed along with the host: the upload must be a PDF of exactly the size asked for. */
const SIGNED_HEADERS = new Set(['content-type', 'content-length']);

function answer(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

async function presign(request: UploadRequest, now: Date) {
  const key = `${documentConfig.uploadPrefix()}${randomUUID()}/${safeFileName(request.fileName)}`;
  const expiresInSeconds = documentConfig.uploadUrlSeconds();
  const uploadUrl = await getSignedUrl(
    uploadSigner,
    new PutObjectCommand({ Bucket: documentConfig.bucket(), Key: key, ContentType: PDF_CONTENT_TYPE, ContentLength: request.size }),
    { expiresIn: expiresInSeconds, signableHeaders: SIGNED_HEADERS },
  );
  return {
    key,
    uploadUrl,
    method: 'PUT',
    headers: { 'content-type': PDF_CONTENT_TYPE, 'content-length': String(request.size) },
    expiresInSeconds,
    expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString(),
    limits: { contentType: PDF_CONTENT_TYPE, maxBytes: documentConfig.maxDocumentBytes() },
  };
}

export const handler = lambdaHandler(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  let request: UploadRequest;
  try {
    request = readUploadRequest(event, { maxDocumentBytes: documentConfig.maxDocumentBytes() });
  } catch (error) {
    if (error instanceof UploadRefusedError) {
      logger.info('Upload refused', { statusCode: error.statusCode, reason: error.message });
      return answer(error.statusCode, { message: error.message, ...(error.field ? { field: error.field } : {}) });
    }
    throw error;
  }
  try {
    const upload = await presign(request, new Date());
    logger.info('Upload URL issued', { key: upload.key, size: request.size, expiresInSeconds: upload.expiresInSeconds });
    return answer(201, upload);
  } catch (error) {
    // Signing is local; it fails only when the function's credentials cannot be had.
    logger.error('Could not sign an upload URL', { error: error as Error });
    return isTransientAwsError(error)
      ? answer(503, { message: 'uploads cannot be accepted right now; please try again' })
      : answer(500, { message: 'uploads cannot be accepted' });
  }
});
