// Reads the uploaded PDF version from S3 and writes what is derived from it, under one key layout:
// <derivedPrefix><documentId>/text.txt, .../images/<page>-<n>.png, .../manifests/<n>.json.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { objects } from '../../shared/clients.js';
import { classifyAwsError } from '../../shared/errors.js';
import { documentTooLarge } from './pdf-limits.js';
import type { DocumentRef } from './contract.js';

export function derivedKeys(derivedPrefix: string, documentId: string) {
  const base = `${derivedPrefix}${documentId}/`;
  return {
    text: `${base}text.txt`,
    image: (page: number, n: number, extension: 'png' | 'jpg') => `${base}images/${page}-${n}.${extension}`,
    manifest: (n: number) => `${base}manifests/${n}.json`,
  };
}

/** The object's bytes, refused before download when S3 says it is over the limit. */
export async function readDocument(document: DocumentRef, maxDocumentBytes: number): Promise<Uint8Array> {
  let answer;
  try {
    answer = await objects.send(
      new GetObjectCommand({ Bucket: document.bucket, Key: document.key, VersionId: document.versionId }),
    );
  } catch (error) {
    throw classifyAwsError(error, 'S3 GetObject');
  }
  if (answer.ContentLength !== undefined && answer.ContentLength > maxDocumentBytes) {
    (answer.Body as { destroy?: () => void } | undefined)?.destroy?.();
    throw documentTooLarge(answer.ContentLength, maxDocumentBytes);
  }
  try {
    return (await answer.Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (error) {
    throw classifyAwsError(error, 'S3 GetObject (reading the body)');
  }
}

export async function writeObject(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
  try {
    await objects.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  } catch (error) {
    throw classifyAwsError(error, 'S3 PutObject');
  }
}
