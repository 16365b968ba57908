// Reading S3's "Object Created" event into the document version to moderate, and the checks that refuse a
// document before anyone reads it (wrong bucket, outside the upload prefix, empty, too large).
import { createHash } from 'node:crypto';
import { PermanentDependencyError } from '../../shared/errors.js';
import type { DocumentRef } from '../shared/contract.js';

/** S3's limit on an object key, in bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

/** What the event says about the object; `keyCandidates` lists the keys the event's key may stand for. */
export interface ObjectCreated {
  bucket: string;
  /** The key as the event carries it, then its form-decoded reading when that differs (see keyCandidates). */
  keyCandidates: string[];
  size?: number;
  etag?: string;
  versionId?: string;
}

function malformed(why: string): PermanentDependencyError {
  return new PermanentDependencyError(`AcceptDocument needs an S3 "Object Created" event from EventBridge: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(record: Record<string, unknown>, field: string, path: string): string | undefined {
  const value = record[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw malformed(`${path}.${field} must be a string`);
  return value;
}

/** S3 reports ETags in quotes in API answers and without them in events: one spelling for both. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  const bare = etag?.replace(/^"|"$/g, '');
  return bare ? bare : undefined;
}

/**
 * The keys an event key may stand for. S3's classic notifications URL-encode keys (a space as "+"), while
 * the EventBridge events are documented with the key as it is. Both readings are kept when they differ, the
 * key as sent first, and the object that exists decides (the handler asks S3).
 */
export function keyCandidates(eventKey: string): string[] {
  if (!/[%+]/.test(eventKey)) return [eventKey];
  try {
    const decoded = decodeURIComponent(eventKey.replace(/\+/g, ' '));
    return decoded === eventKey || decoded.length === 0 ? [eventKey] : [eventKey, decoded];
  } catch {
    // Not valid percent-encoding: the key can only be meant as it is.
    return [eventKey];
  }
}

/** Checks the state input's event and reads the object's identity from it; throws PermanentDependencyError if malformed. */
export function readObjectCreated(event: unknown): ObjectCreated {
  if (!isRecord(event)) throw malformed('the input has no event');
  if (event.source !== 'aws.s3' || event['detail-type'] !== 'Object Created') {
    throw malformed(`got source "${String(event.source)}" and detail-type "${String(event['detail-type'])}"`);
  }
  const detail = event.detail;
  if (!isRecord(detail) || !isRecord(detail.bucket) || !isRecord(detail.object)) throw malformed('detail.bucket and detail.object are required');
  const bucket = optionalString(detail.bucket, 'name', 'detail.bucket');
  if (!bucket) throw malformed('detail.bucket.name is required');
  const object = detail.object;
  const key = optionalString(object, 'key', 'detail.object');
  if (!key) throw malformed('detail.object.key is required');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES || !key.isWellFormed()) throw malformed('detail.object.key is not a valid S3 key');
  let size: number | undefined;
  if (object.size !== undefined && object.size !== null) {
    if (typeof object.size !== 'number' || !Number.isSafeInteger(object.size) || object.size < 0) {
      throw malformed('detail.object.size must be a whole number of bytes');
    }
    size = object.size;
  }
  const etag = normalizeEtag(optionalString(object, 'etag', 'detail.object'));
  const versionId = optionalString(object, 'version-id', 'detail.object');
  if (!etag && !versionId) throw malformed('detail.object needs a version-id or an etag to tell versions apart');
  return { bucket, keyCandidates: keyCandidates(key), size, etag, versionId };
}

/**
 * The verdict record's key for one object version: stable across deliveries of the same event, different
 * for each new version (S3's version id, or the ETag when the bucket is not versioned), and short, URL-safe
 * and fit for a DynamoDB key and an S3 prefix whatever characters the object key holds.
 */
export function documentIdOf(bucket: string, key: string, version: { versionId?: string; etag?: string }): string {
  const versionPart = version.versionId ? `version:${version.versionId}` : `etag:${normalizeEtag(version.etag) ?? ''}`;
  return createHash('sha256').update(`${bucket}\n${key}\n${versionPart}`, 'utf8').digest('hex').slice(0, 32);
}

export function documentRef(bucket: string, key: string, size: number, version: { versionId?: string; etag?: string }): DocumentRef {
  const etag = normalizeEtag(version.etag);
  return {
    documentId: documentIdOf(bucket, key, version),
    bucket,
    key,
    ...(version.versionId ? { versionId: version.versionId } : {}),
    ...(etag ? { etag } : {}),
    size,
  };
}

export interface AcceptanceRules {
  bucket: string;
  uploadPrefix: string;
  maxDocumentBytes: number;
}

function megabytes(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return `${value >= 10 ? Math.round(value) : Number(value.toFixed(1))} MB`;
}

/** Why the document is refused before it is read, in words for a person; undefined when it may go on. */
export function rejectionReason(document: DocumentRef, rules: AcceptanceRules): string | undefined {
  if (document.bucket !== rules.bucket) return `the file is not in the documents bucket (${rules.bucket}), so it is not moderated`;
  if (!document.key.startsWith(rules.uploadPrefix)) {
    return `the file is outside ${rules.uploadPrefix}: only files uploaded under ${rules.uploadPrefix} are moderated`;
  }
  if (document.size === 0) return 'the file is empty (0 bytes)';
  if (document.size > rules.maxDocumentBytes) {
    return `the file is ${megabytes(document.size)} (${document.size} bytes), over the limit of ${megabytes(rules.maxDocumentBytes)} (${rules.maxDocumentBytes} bytes)`;
  }
  return undefined;
}
