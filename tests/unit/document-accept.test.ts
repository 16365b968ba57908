import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { documentIdOf, keyCandidates, readObjectCreated, rejectionReason } from '../../functions/document-moderation/acceptDocument/accept.js';
import { handler } from '../../functions/document-moderation/acceptDocument/handler.js';
import type { AcceptDocumentInput, AcceptDocumentOutput, DocumentRef } from '../../functions/document-moderation/shared/contract.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBDocumentClient);
const input = sampleEvent<AcceptDocumentInput>('acceptDocument');
const context = lambdaContext('acceptDocument');
const BUCKET = input.event.detail.bucket.name;
const MAX_BYTES = 50 * 1024 * 1024;

function withObject(object: Record<string, unknown>, bucket = BUCKET): AcceptDocumentInput {
  return { ...input, event: { ...input.event, detail: { ...input.event.detail, bucket: { name: bucket }, object: object as never } } };
}
const accept = (event: AcceptDocumentInput) => handler(event, context) as Promise<AcceptDocumentOutput>;
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeAll(() => {
  process.env.DOCUMENTS_BUCKET = BUCKET;
  process.env.DOCUMENTS_TABLE = 'documents-test';
  process.env.UPLOAD_PREFIX = 'uploads/';
  process.env.MAX_DOCUMENT_BYTES = String(MAX_BYTES);
  process.env.PROCESSING_CLAIM_SECONDS = '5400';
});
beforeEach(() => {
  s3.reset();
  dynamo.reset();
});

describe('reading the event', () => {
  it('reads the object version EventBridge announces', () => {
    expect(readObjectCreated(input.event)).toEqual({
      bucket: BUCKET,
      keyCandidates: ['uploads/2026/11/20/reading-guide-infinite-jest.pdf'],
      size: 184320,
      etag: '9b2cf535f27731c974343645a3985328',
      versionId: 'Wq3xT8uLk2nA0fP7dY5sHc1RbVj9mE4G',
    });
  });

  it.each([
    ['no event', undefined, 'the input has no event'],
    ['another event type', { ...input.event, 'detail-type': 'Object Deleted' }, 'detail-type "Object Deleted"'],
    ['no object', { ...input.event, detail: { bucket: { name: 'b' } } }, 'detail.bucket and detail.object are required'],
    ['an empty key', { ...input.event, detail: { ...input.event.detail, object: { key: '', etag: 'e' } } }, 'detail.object.key is required'],
    ['a key that is not text', { ...input.event, detail: { ...input.event.detail, object: { key: 42, etag: 'e' } } }, 'detail.object.key must be a string'],
    ['a key over 1024 bytes', { ...input.event, detail: { ...input.event.detail, object: { key: `uploads/${'é'.repeat(600)}`, etag: 'e' } } }, 'not a valid S3 key'],
    ['a negative size', { ...input.event, detail: { ...input.event.detail, object: { key: 'uploads/a.pdf', size: -1, etag: 'e' } } }, 'size must be a whole number'],
    ['a size in words', { ...input.event, detail: { ...input.event.detail, object: { key: 'uploads/a.pdf', size: '10', etag: 'e' } } }, 'size must be a whole number'],
    ['no version and no etag', { ...input.event, detail: { ...input.event.detail, object: { key: 'uploads/a.pdf', size: 1 } } }, 'needs a version-id or an etag'],
  ])('refuses %s with a PermanentDependencyError that says why', (_case, event, message) => {
    expect(() => readObjectCreated(event)).toThrow(expect.objectContaining({ name: 'PermanentDependencyError', message: expect.stringContaining(message) }));
  });

  it.each([
    ['uploads/plain name.pdf', ['uploads/plain name.pdf']],
    ['uploads/my+reading+guide.pdf', ['uploads/my+reading+guide.pdf', 'uploads/my reading guide.pdf']],
    ['uploads/caf%C3%A9.pdf', ['uploads/caf%C3%A9.pdf', 'uploads/café.pdf']],
    ['uploads/100%25+done.pdf', ['uploads/100%25+done.pdf', 'uploads/100% done.pdf']],
    ['uploads/50%off.pdf', ['uploads/50%off.pdf']],
  ])('reads key %s as %j', (key, candidates) => {
    expect(keyCandidates(key)).toEqual(candidates);
  });
});

describe('documentIdOf', () => {
  const base = documentIdOf('bucket', 'uploads/a.pdf', { versionId: 'v1' });

  it('is short, URL-safe and the same for every delivery of one version', () => {
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(documentIdOf('bucket', 'uploads/a.pdf', { versionId: 'v1', etag: 'anything' })).toBe(base);
    expect(documentIdOf('bucket', 'uploads/a.pdf', { etag: '"abc"' })).toBe(documentIdOf('bucket', 'uploads/a.pdf', { etag: 'abc' }));
  });

  it('differs for another version, key or bucket', () => {
    const others = [
      documentIdOf('bucket', 'uploads/a.pdf', { versionId: 'v2' }),
      documentIdOf('bucket', 'uploads/b.pdf', { versionId: 'v1' }),
      documentIdOf('other', 'uploads/a.pdf', { versionId: 'v1' }),
      documentIdOf('bucket', 'uploads/a.pdf', { etag: 'v1' }),
    ];
    expect(new Set([base, ...others]).size).toBe(5);
  });
});

describe('rejectionReason', () => {
  const rules = { bucket: 'docs', uploadPrefix: 'uploads/', maxDocumentBytes: 1024 * 1024 };
  const document = (overrides: Partial<DocumentRef>): DocumentRef => ({ documentId: 'x', bucket: 'docs', key: 'uploads/a.pdf', size: 10, ...overrides });

  it.each([
    ['another bucket', { bucket: 'elsewhere' }, 'the file is not in the documents bucket (docs), so it is not moderated'],
    ['outside uploads/', { key: 'derived/a.pdf' }, 'the file is outside uploads/: only files uploaded under uploads/ are moderated'],
    ['an empty file', { size: 0 }, 'the file is empty (0 bytes)'],
    ['a file over the limit', { size: 3 * 1024 * 1024 }, 'the file is 3 MB (3145728 bytes), over the limit of 1 MB (1048576 bytes)'],
  ])('refuses %s in plain words', (_case, overrides, reason) => {
    expect(rejectionReason(document(overrides), rules)).toBe(reason);
  });

  it('lets a file at the limit through', () => {
    expect(rejectionReason(document({ size: 1024 * 1024 }), rules)).toBeUndefined();
  });
});

describe('acceptDocument handler', () => {
  it('claims the version and accepts it', async () => {
    dynamo.on(UpdateCommand).resolves({});
    const output = await accept(input);
    expect(output).toEqual({
      outcome: 'ACCEPTED',
      document: {
        documentId: '9ff3f561c78932682ec1e2b19aac1714',
        bucket: BUCKET,
        key: 'uploads/2026/11/20/reading-guide-infinite-jest.pdf',
        versionId: 'Wq3xT8uLk2nA0fP7dY5sHc1RbVj9mE4G',
        etag: '9b2cf535f27731c974343645a3985328',
        size: 184320,
      },
    });
    const claim = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(claim?.Key).toEqual({ documentId: '9ff3f561c78932682ec1e2b19aac1714' });
    expect(claim?.ExpressionAttributeValues?.[':executionArn']).toBe(input.executionArn);
    expect(s3.calls()).toHaveLength(0);
  });

  it('ends a duplicate event quietly when the version is decided', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { documentId: 'x', status: 'OFFENSIVE' } });
    await expect(accept(input)).resolves.toMatchObject({ outcome: 'ALREADY_DECIDED', status: 'OFFENSIVE' });
  });

  it.each([
    ['outside uploads/', { key: 'elsewhere/a.pdf', size: 10, etag: 'e' }, BUCKET, 'outside uploads/'],
    ['empty', { key: 'uploads/a.pdf', size: 0, etag: 'e' }, BUCKET, 'the file is empty'],
    ['too large', { key: 'uploads/a.pdf', size: MAX_BYTES + 1, etag: 'e' }, BUCKET, 'over the limit of 50 MB'],
    ['in another bucket', { key: 'uploads/a.pdf', size: 10, etag: 'e' }, 'someone-elses-bucket', 'not in the documents bucket'],
  ])('rejects a file %s without claiming it', async (_case, object, bucket, reason) => {
    const output = await accept(withObject(object, bucket));
    expect(output).toMatchObject({ outcome: 'REJECTED', reason: expect.stringContaining(reason) });
    expect(dynamo.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('asks S3 which key an encoded event key names, and moderates the one that exists', async () => {
    dynamo.on(UpdateCommand).resolves({});
    s3.on(HeadObjectCommand, { Key: 'uploads/my+reading+guide.pdf' }).rejects(awsError('NotFound', 404));
    s3.on(HeadObjectCommand, { Key: 'uploads/my reading guide.pdf' }).resolves({ ETag: '"e1"', ContentLength: 5000 });
    const output = await accept(withObject({ key: 'uploads/my+reading+guide.pdf', size: 5000, etag: 'e1' }));
    expect(output).toMatchObject({ outcome: 'ACCEPTED', document: { key: 'uploads/my reading guide.pdf', etag: 'e1', size: 5000 } });
  });

  it('takes the key as sent when that object exists, and reads a missing size from S3', async () => {
    dynamo.on(UpdateCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ETag: '"e1"', ContentLength: 777 });
    const output = await accept(withObject({ key: 'uploads/c++ primer.pdf', etag: 'e1' }));
    expect(output).toMatchObject({ outcome: 'ACCEPTED', document: { key: 'uploads/c++ primer.pdf', size: 777 } });
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(1);
  });

  it('skips a same-named object of another version', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"newer"', ContentLength: 10 });
    const output = await accept(withObject({ key: 'uploads/a+b.pdf', size: 10, etag: 'older' }));
    expect(output).toMatchObject({ outcome: 'REJECTED', reason: 'the file was deleted or replaced before it could be checked' });
  });

  it('rejects an upload deleted before it could be checked', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    const output = await accept(withObject({ key: 'uploads/gone+soon.pdf', size: 10, etag: 'e' }));
    expect(output).toMatchObject({ outcome: 'REJECTED', reason: expect.stringContaining('deleted') });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it.each([
    ['SlowDown', 503, 'TransientDependencyError'],
    ['InternalError', 500, 'TransientDependencyError'],
    ['AccessDenied', 403, 'PermanentDependencyError'],
  ])('reports S3 answering %s (HTTP %d) to HeadObject as %s', async (name, status, expected) => {
    s3.on(HeadObjectCommand).rejects(awsError(name, status));
    await expect(accept(withObject({ key: 'uploads/a+b.pdf', size: 10, etag: 'e' }))).rejects.toMatchObject({ name: expected });
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400, 'TransientDependencyError'],
    ['AccessDeniedException', 400, 'PermanentDependencyError'],
  ])('reports DynamoDB answering %s to the claim as %s', async (name, status, expected) => {
    dynamo.on(UpdateCommand).rejects(awsError(name, status));
    await expect(accept(input)).rejects.toMatchObject({ name: expected });
  });

  it('refuses a malformed event or a missing executionArn with a PermanentDependencyError', async () => {
    await expect(accept({ executionArn: input.executionArn } as AcceptDocumentInput)).rejects.toMatchObject({ name: 'PermanentDependencyError' });
    await expect(accept({ event: input.event } as AcceptDocumentInput)).rejects.toMatchObject({
      name: 'PermanentDependencyError',
      message: expect.stringContaining('executionArn'),
    });
    expect(dynamo.calls()).toHaveLength(0);
  });
});
