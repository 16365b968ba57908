// POST /documents. The presigned URL is used for real against fauxqs's S3 (in process, on 127.0.0.1), the
// way a browser or curl would use it against a local endpoint: path style, the answered headers, one PUT.
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { buildApp } from 'fauxqs';
import { readUploadRequest, safeFileName } from '../../functions/document-moderation/requestUpload/upload-request.js';
import { lambdaContext, sampleEvent } from '../helpers/lambda.js';

type Handler = (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;

const BUCKET = 'documents-upload-test';
const MAX_BYTES = 1024 * 1024;
const event = sampleEvent<APIGatewayProxyEventV2>('requestUpload');
const context = lambdaContext('requestUpload');
const limits = { maxDocumentBytes: MAX_BYTES };
let s3: ReturnType<typeof buildApp>;
let endpoint: string;
let handler: Handler;

async function ask(overrides: Partial<APIGatewayProxyEventV2> = {}) {
  const result = await handler({ ...event, ...overrides }, context);
  return { statusCode: result.statusCode, body: JSON.parse(String(result.body)) as Record<string, unknown> };
}
const body = (value: unknown) => ({ body: JSON.stringify(value) });

beforeAll(async () => {
  s3 = buildApp({ logger: false, host: 'localhost', defaultRegion: 'us-east-1' });
  endpoint = await s3.listen({ port: 0, host: '127.0.0.1' });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: endpoint,
    DOCUMENTS_BUCKET: BUCKET,
    UPLOAD_PREFIX: 'uploads/',
    MAX_DOCUMENT_BYTES: String(MAX_BYTES),
    UPLOAD_URL_SECONDS: '300',
  });
  await new S3Client({ endpoint, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: BUCKET }));
  // The handler's clients read the endpoint when the module loads.
  ({ handler } = (await import('../../functions/document-moderation/requestUpload/handler.js')) as unknown as { handler: Handler });
});
afterAll(async () => {
  await s3.close();
});

describe('safeFileName', () => {
  it.each([
    ['Reading guide – Infinite Jest (week 3).pdf', 'Reading-guide-Infinite-Jest-week-3.pdf'],
    ['Résumé.PDF', 'Resume.pdf'],
    ['../../etc/passwd', 'passwd.pdf'],
    ['C:\\Users\\ana\\chapter one.pdf', 'chapter-one.pdf'],
    ['読書会.pdf', 'document.pdf'],
    ['...pdf', 'document.pdf'],
    [`${'a'.repeat(300)}.pdf`, `${'a'.repeat(100)}.pdf`],
    ['notes', 'notes.pdf'],
  ])('turns %j into %j', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });
});

describe('readUploadRequest', () => {
  const request = (value: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    readUploadRequest({ body: JSON.stringify(value), isBase64Encoded: false, headers }, limits);

  it('reads the file name and size of a PDF', () => {
    expect(request({ fileName: 'a.pdf', contentType: 'application/pdf', size: 10 })).toEqual({ fileName: 'a.pdf', size: 10 });
    expect(request({ fileName: 'a.pdf', contentType: 'Application/PDF; qs=1', size: MAX_BYTES })).toEqual({ fileName: 'a.pdf', size: MAX_BYTES });
  });
});

describe('requestUpload handler', () => {
  it('answers 201 with a presigned PUT that uploads the PDF under uploads/ on a local endpoint', async () => {
    const pdf = Buffer.from('%PDF-1.7\n% a tiny test file\n%%EOF\n');
    const { statusCode, body: answer } = await ask(body({ fileName: 'Club handout.pdf', contentType: 'application/pdf', size: pdf.length }));
    expect(statusCode).toBe(201);
    expect(answer).toMatchObject({
      key: expect.stringMatching(/^uploads\/[0-9a-f-]{36}\/Club-handout\.pdf$/),
      method: 'PUT',
      headers: { 'content-type': 'application/pdf', 'content-length': String(pdf.length) },
      expiresInSeconds: 300,
      limits: { contentType: 'application/pdf', maxBytes: MAX_BYTES },
    });
    expect(Date.parse(String(answer.expiresAt)) - Date.now()).toBeGreaterThan(290_000);
    const url = new URL(String(answer.uploadUrl));
    expect(`${url.protocol}//${url.host}`).toBe(endpoint);
    expect(url.pathname).toBe(`/${BUCKET}/${String(answer.key)}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    // A checksum of the empty body in the URL would make S3 refuse the real upload.
    expect([...url.searchParams.keys()].filter((key) => key.startsWith('x-amz-checksum'))).toEqual([]);

    const put = await fetch(url, { method: 'PUT', headers: answer.headers as Record<string, string>, body: pdf });
    expect(put.status).toBe(200);
    const stored = await new S3Client({ endpoint, forcePathStyle: true }).send(new GetObjectCommand({ Bucket: BUCKET, Key: String(answer.key) }));
    expect(Buffer.from(await stored.Body!.transformToByteArray())).toEqual(pdf);
    expect(stored.ContentType).toBe('application/pdf');
  });

  it('gives every request its own key, even for the same file name', async () => {
    const request = body({ fileName: 'same.pdf', contentType: 'application/pdf', size: 10 });
    const [first, second] = await Promise.all([ask(request), ask(request)]);
    expect(first.body.key).not.toBe(second.body.key);
  });

  it('decodes a base64 body', async () => {
    const encoded = Buffer.from(JSON.stringify({ fileName: 'a.pdf', contentType: 'application/pdf', size: 5 })).toString('base64');
    expect((await ask({ body: encoded, isBase64Encoded: true })).statusCode).toBe(201);
  });

  it.each([
    ['no body', { body: undefined }, 400, 'request body is required', undefined],
    ['invalid JSON', { body: '{"fileName":' }, 400, 'body is not valid JSON', undefined],
    ['an array', body([]), 400, 'body must be a JSON object', undefined],
    ['no file name', body({ contentType: 'application/pdf', size: 1 }), 400, 'fileName is required', 'fileName'],
    ['a file name that is too long', body({ fileName: 'x'.repeat(300), contentType: 'application/pdf', size: 1 }), 400, 'at most 255 characters', 'fileName'],
    ['a lone surrogate in the name', body({ fileName: 'a\ud800.pdf', contentType: 'application/pdf', size: 1 }), 400, 'valid text', 'fileName'],
    ['no content type', body({ fileName: 'a.pdf', size: 1 }), 400, 'contentType is required', 'contentType'],
    ['a Word document', body({ fileName: 'a.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', size: 1 }), 415, 'only PDF documents', 'contentType'],
    ['a size of zero', body({ fileName: 'a.pdf', contentType: 'application/pdf', size: 0 }), 400, 'at least 1', 'size'],
    ['a fractional size', body({ fileName: 'a.pdf', contentType: 'application/pdf', size: 1.5 }), 400, 'whole number', 'size'],
    ['a size in words', body({ fileName: 'a.pdf', contentType: 'application/pdf', size: '10' }), 400, 'whole number', 'size'],
    ['a file over the limit', body({ fileName: 'a.pdf', contentType: 'application/pdf', size: MAX_BYTES + 1 }), 413, `at most ${MAX_BYTES} bytes (1 MB)`, 'size'],
    ['a body over the limit', { body: JSON.stringify({ fileName: 'a.pdf', pad: 'x'.repeat(5_000) }) }, 413, 'request body must be at most 4096 bytes', undefined],
    ['a form post', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'content-type must be application/json', undefined],
    ['invalid UTF-8', { body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), isBase64Encoded: true }, 400, 'not valid UTF-8', undefined],
  ] as const)('answers %s with %d and a clear message', async (_case, overrides, status, message, field) => {
    const { statusCode, body: answer } = await ask(overrides as Partial<APIGatewayProxyEventV2>);
    expect(statusCode).toBe(status);
    expect(String(answer.message)).toContain(message);
    expect(answer.field).toBe(field);
    expect(answer.uploadUrl).toBeUndefined();
  });
});
