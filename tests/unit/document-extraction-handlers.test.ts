// The ExtractText and ExtractImages handlers against a mocked S3: what they read, what they write, and
// which named error each S3 failure becomes (transient ones are retried by the workflow, others are not).
import { readFileSync } from 'node:fs';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as extractImages } from '../../functions/document-moderation/extractImages/handler.js';
import { handler as extractText } from '../../functions/document-moderation/extractText/handler.js';
import type { ExtractInput, ImageRef } from '../../functions/document-moderation/shared/contract.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const s3 = mockClient(S3Client);
const textEvent = sampleEvent<ExtractInput>('extractText');
const imagesEvent = sampleEvent<ExtractInput>('extractImages');
const context = lambdaContext('extract');

const SETTINGS = {
  DOCUMENTS_BUCKET: 'documents-bucket',
  DERIVED_PREFIX: 'derived/',
  MAX_DOCUMENT_BYTES: String(20 * 1024 * 1024),
  MAX_PAGES: '500',
  MAX_IMAGES: '100',
  IMAGES_PER_BATCH: '3',
};

function sample(name: string): Buffer {
  return readFileSync(new URL(`../../events/documents/${name}`, import.meta.url));
}

/** A GetObject answer shaped as the SDK's: the body is read once through transformToByteArray. */
function objectAnswer(bytes: Uint8Array, contentLength = bytes.length) {
  const body = { transformToByteArray: async () => new Uint8Array(bytes), destroy: () => undefined };
  return { Body: body, ContentLength: contentLength } as never;
}

function written() {
  return s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
}

beforeAll(() => Object.assign(process.env, SETTINGS));
beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

describe('extractText handler', () => {
  it('reads the exact object version and writes its text as UTF-8 under derived/<documentId>/', async () => {
    s3.on(GetObjectCommand).resolves(objectAnswer(sample('clean-handout.pdf')));
    const result = await extractText(textEvent, context);
    const { document } = textEvent;
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: document.bucket,
      Key: document.key,
      VersionId: document.versionId,
    });
    const [put] = written();
    expect(put).toMatchObject({
      Bucket: 'documents-bucket',
      Key: `derived/${document.documentId}/text.txt`,
      ContentType: 'text/plain; charset=utf-8',
    });
    const text = Buffer.from(put!.Body as Buffer).toString('utf8');
    expect(text).toContain('Reading group: The Remains of the Day');
    expect(result).toEqual({
      pages: 2,
      textKey: `derived/${document.documentId}/text.txt`,
      characters: text.length,
      bytes: Buffer.byteLength(text, 'utf8'),
      pagesWithoutText: 0,
    });
  });

  it('rejects an object S3 reports as over the size limit without reading its body', async () => {
    let bodyRead = false;
    const transformToByteArray = async () => {
      bodyRead = true;
      return new Uint8Array();
    };
    s3.on(GetObjectCommand).resolves({ Body: { transformToByteArray }, ContentLength: 50 * 1024 * 1024 } as never);
    await expect(extractText(textEvent, context)).rejects.toMatchObject({
      name: 'DocumentRejectedError',
      message: 'The file is 50 MB, over the 20 MB limit for documents.',
    });
    expect(bodyRead).toBe(false);
    expect(written()).toEqual([]);
  });

  it('rejects a truncated upload with a reason and writes nothing', async () => {
    s3.on(GetObjectCommand).resolves(objectAnswer(sample('broken.pdf')));
    await expect(extractText(textEvent, context)).rejects.toMatchObject({
      name: 'DocumentRejectedError',
      message: expect.stringMatching(/incomplete/),
    });
    expect(written()).toEqual([]);
  });
});

describe('extractImages handler', () => {
  it('writes each distinct image as a PNG and the manifests that list them, and returns the manifest keys', async () => {
    s3.on(GetObjectCommand).resolves(objectAnswer(sample('with-images.pdf')));
    const result = await extractImages(imagesEvent, context);
    const base = `derived/${imagesEvent.document.documentId}`;
    expect(result).toEqual({ pages: 2, imageCount: 4, imageBatches: [`${base}/manifests/1.json`, `${base}/manifests/2.json`], undecodable: 0 });
    const puts = written();
    const pngs = puts.filter((put) => put.ContentType === 'image/png').map((put) => put.Key);
    expect(pngs).toEqual([`${base}/images/1-1.png`, `${base}/images/1-2.png`, `${base}/images/1-3.png`, `${base}/images/2-1.png`]);
    const manifests = puts.filter((put) => put.ContentType === 'application/json');
    const listed = manifests.flatMap((put) => JSON.parse(put.Body as string) as ImageRef[]);
    expect(listed.map((ref) => ref.imageKey)).toEqual(pngs);
    expect(listed.filter((ref) => ref.skipped).map((ref) => ref.imageKey)).toEqual([`${base}/images/1-3.png`]);
    expect(manifests.every((put) => put.Bucket === 'documents-bucket')).toBe(true);
  });

  it('returns no manifest for a document without images', async () => {
    s3.on(GetObjectCommand).resolves(objectAnswer(sample('clean-handout.pdf')));
    await expect(extractImages(imagesEvent, context)).resolves.toEqual({ pages: 2, imageCount: 0, imageBatches: [], undecodable: 0 });
    expect(written()).toEqual([]);
  });
});

describe.each([
  ['extractText', extractText, textEvent],
  ['extractImages', extractImages, imagesEvent],
])('%s and S3 failures', (_name, handler, event) => {
  it.each([
    ['NoSuchKey', 404, 'PermanentDependencyError'],
    ['AccessDenied', 403, 'PermanentDependencyError'],
    ['InvalidObjectState', 403, 'PermanentDependencyError'],
    ['SlowDown', 503, 'TransientDependencyError'],
    ['ThrottlingException', 400, 'TransientDependencyError'],
    ['InternalError', 500, 'TransientDependencyError'],
    ['ServiceUnavailable', 503, 'TransientDependencyError'],
  ])('GetObject %s (HTTP %d) becomes %s', async (errorName, status, expected) => {
    s3.on(GetObjectCommand).rejects(awsError(errorName, status));
    await expect(handler(event, context)).rejects.toMatchObject({
      name: expected,
      message: expect.stringContaining(`S3 GetObject failed: ${errorName}`),
    });
  });

  it('a connection reset while reading the body is transient', async () => {
    const body = { transformToByteArray: async () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })) };
    s3.on(GetObjectCommand).resolves({ Body: body, ContentLength: 1000 } as never);
    await expect(handler(event, context)).rejects.toMatchObject({ name: 'TransientDependencyError' });
  });

  it.each([
    ['InternalError', 500, 'TransientDependencyError'],
    ['AccessDenied', 403, 'PermanentDependencyError'],
  ])('PutObject %s (HTTP %d) becomes %s', async (errorName, status, expected) => {
    s3.on(GetObjectCommand).resolves(objectAnswer(sample('with-images.pdf')));
    s3.on(PutObjectCommand).rejects(awsError(errorName, status));
    await expect(handler(event, context)).rejects.toMatchObject({
      name: expected,
      message: expect.stringContaining(`S3 PutObject failed: ${errorName}`),
    });
  });
});
