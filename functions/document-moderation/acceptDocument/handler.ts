// AcceptDocument state: reads the S3 event, refuses what must not be moderated, and claims the document
// version's verdict record (PROCESSING) so a duplicate event or a rerun does the work once.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { objects } from '../../shared/clients.js';
import { classifyAwsError, PermanentDependencyError } from '../../shared/errors.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { documentConfig } from '../shared/config.js';
import type { AcceptDocumentInput, AcceptDocumentOutput, DocumentRef } from '../shared/contract.js';
import { claimDocument } from '../shared/document-store.js';
import { documentRef, normalizeEtag, readObjectCreated, rejectionReason, type ObjectCreated } from './accept.js';

const isMissing = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.name === 'NoSuchVersion' || e?.$metadata?.httpStatusCode === 404;
};

/**
 * The object the event names, when the event alone cannot say: its key may be URL-encoded, or its size is
 * missing. Asks S3 for each candidate key in turn; undefined when none exists (deleted since).
 */
async function lookUpObject(created: ObjectCreated): Promise<DocumentRef | undefined> {
  for (const key of created.keyCandidates) {
    try {
      const head = await objects.send(
        new HeadObjectCommand({ Bucket: created.bucket, Key: key, ...(created.versionId ? { VersionId: created.versionId } : {}) }),
      );
      // A same-named object of another version is not the one the event announced.
      if (!created.versionId && created.etag && normalizeEtag(head.ETag) && normalizeEtag(head.ETag) !== created.etag) continue;
      return documentRef(created.bucket, key, created.size ?? head.ContentLength ?? 0, {
        versionId: created.versionId ?? head.VersionId,
        etag: created.etag ?? head.ETag,
      });
    } catch (error) {
      if (!isMissing(error)) throw classifyAwsError(error, 'S3 HeadObject');
    }
  }
  return undefined;
}

export const handler = lambdaHandler(async (input: AcceptDocumentInput): Promise<AcceptDocumentOutput> => {
  const created = readObjectCreated(input?.event);
  const executionArn = input.executionArn;
  if (typeof executionArn !== 'string' || executionArn === '') throw new PermanentDependencyError('AcceptDocument needs the executionArn');
  const [eventKey] = created.keyCandidates as [string];
  const rules = {
    bucket: documentConfig.bucket(),
    uploadPrefix: documentConfig.uploadPrefix(),
    maxDocumentBytes: documentConfig.maxDocumentBytes(),
  };

  // S3 is asked only when the event leaves a doubt about an object we would moderate.
  const needsLookUp =
    (created.keyCandidates.length > 1 || created.size === undefined) &&
    created.bucket === rules.bucket &&
    created.keyCandidates.some((key) => key.startsWith(rules.uploadPrefix));
  const found = needsLookUp ? await lookUpObject(created) : undefined;
  const document = found ?? documentRef(created.bucket, eventKey, created.size ?? 0, created);
  logger.appendKeys({ documentId: document.documentId, executionArn });

  if (needsLookUp && !found) {
    logger.info('Document refused: the object no longer exists', { key: eventKey });
    return { outcome: 'REJECTED', document, reason: 'the file was deleted or replaced before it could be checked' };
  }
  const reason = rejectionReason(document, rules);
  if (reason) {
    logger.info('Document refused', { key: document.key, size: document.size, reason });
    return { outcome: 'REJECTED', document, reason };
  }

  const claim = await claimDocument(document, executionArn, new Date());
  if (!claim.claimed) {
    logger.info('Document already decided or being processed', { status: claim.status });
    return { outcome: 'ALREADY_DECIDED', document, status: claim.status };
  }
  logger.info('Document accepted', { key: document.key, size: document.size, versionId: document.versionId });
  return { outcome: 'ACCEPTED', document };
});
