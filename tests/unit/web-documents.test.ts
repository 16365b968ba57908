// The dashboard's Documents view as the webPages function serves it: its path beside (not over) the
// GET /documents API, and a Content-Security-Policy that lets this page alone PUT to the origin the presigned
// upload URLs really point at, on AWS and on the local stack.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler } from '../../functions/webPages/handler.js';
import {
  CONTENT_SECURITY_POLICY,
  contentSecurityPolicyFor,
  documentUploadOrigin,
  PAGES,
  withConnectSource,
} from '../../functions/webPages/site.js';
import { routesOf } from '../../local/http-api.js';
import { loadServiceDefinition } from '../../local/service-definition.js';
import { pagesDir, renderPage } from '../../scripts/build-web.js';
import { lambdaContext, sampleEvent } from '../helpers/lambda.js';

const DOCUMENTS_PATH = '/dashboard/documents';
const event = sampleEvent<APIGatewayProxyEventV2>('webPages');
const context = lambdaContext('webPages');
const source = (name: string) => renderPage(name, readFileSync(join(pagesDir, name), 'utf8'));

const S3_VARIABLES = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'DOCUMENTS_BUCKET', 'AWS_REGION'] as const;
let saved: Partial<Record<(typeof S3_VARIABLES)[number], string>>;
beforeEach(() => {
  saved = Object.fromEntries(S3_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of S3_VARIABLES) delete process.env[name];
});
afterEach(() => {
  for (const name of S3_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

async function get(path: string) {
  const request: APIGatewayProxyEventV2 = {
    ...event,
    rawPath: path,
    pathParameters: undefined,
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path } },
  };
  return (await handler(request, context)) as APIGatewayProxyStructuredResultV2;
}

/** The origin of a presigned PutObject URL, made the way requestUpload makes it. */
async function presignedOrigin(client: S3Client, bucket: string): Promise<string> {
  const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: 'uploads/id/a.pdf', ContentType: 'application/pdf', ContentLength: 5 }), {
    expiresIn: 60,
    signableHeaders: new Set(['content-type', 'content-length']),
  });
  return new URL(url).origin;
}

const credentials = { accessKeyId: 'unit', secretAccessKey: 'unit' };

describe('the Documents view page', () => {
  it(`is served at ${DOCUMENTS_PATH} from documents.html, with a CSP that adds the upload origin to connect-src only`, async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4599';
    const result = await get(DOCUMENTS_PATH);
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(source('documents.html'));
    expect(result.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
    const policy = String(result.headers?.['content-security-policy']);
    const connectSources = (csp: string) => csp.split('; ').find((directive) => directive.startsWith('connect-src '));
    expect(connectSources(policy)).toBe(`${connectSources(CONTENT_SECURITY_POLICY)} http://127.0.0.1:4599`);
    // Every other directive is the common policy's, untouched.
    expect(policy.split('; ').filter((directive) => !directive.startsWith('connect-src '))).toEqual(
      CONTENT_SECURITY_POLICY.split('; ').filter((directive) => !directive.startsWith('connect-src ')),
    );
  });

  it('keeps the common policy on the other pages, the assets and 404s, wherever uploads go', async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4599';
    for (const path of ['/', '/dashboard', '/assets/documents.js', '/documents', '/dashboard/documents/x']) {
      const result = await get(path);
      expect({ path, policy: result.headers?.['content-security-policy'] }).toEqual({ path, policy: CONTENT_SECURITY_POLICY });
    }
    expect((await get('/documents')).statusCode).toBe(404);
  });

  it('keeps the common policy when the upload origin is unknown, so the page cannot reach anywhere else', async () => {
    expect((await get(DOCUMENTS_PATH)).headers?.['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers 304 with the same policy when the browser has the page', async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4599';
    const first = await get(DOCUMENTS_PATH);
    const again = await handler(
      { ...event, rawPath: DOCUMENTS_PATH, headers: { 'if-none-match': String(first.headers?.etag) }, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path: DOCUMENTS_PATH } } },
      context,
    );
    expect(again).toMatchObject({ statusCode: 304, headers: { 'content-security-policy': first.headers?.['content-security-policy'] } });
  });

  it('shows a placeholder, not a blank list, before its first request answers', () => {
    const html = source('documents.html');
    expect(html).toMatch(/<ol id="documents"[^>]*aria-busy="true"[^>]*>\s*<li class="empty">Loading documents…<\/li>/);
  });

  it('sends every API request through one function (one place for sign-in to add its header), and the file through the presigned URL', () => {
    const script = source('documents.js');
    // auth.js's authorizedFetch adds the access token; nothing else in the page fetches.
    expect(script.match(/\b(?:fetch|authorizedFetch)\(/g)).toEqual(['authorizedFetch(']);
    expect(script).toMatch(/async function api\(path, \{ method = 'GET', query = \{\}, body \} = \{\}\) \{\n\s+const url = new URL\(path, window\.location\.origin\);/);
    expect(script.match(/new XMLHttpRequest\(\)/g)).toHaveLength(1);
    expect(script).toContain('request.open(grant.method, grant.uploadUrl);');
  });
});

describe('the upload origin in the policy', () => {
  it.each([
    ['us-east-1', 'feedback-triage-dev-docs-123456789012-us-east-1'],
    ['eu-west-3', 'feedback-triage-prod-docs-123456789012-eu-west-3'],
    ['eu-west-3', 'club.documents.example'],
  ])('on AWS (%s, %s) is the origin the SDK presigns uploads for', async (region, bucket) => {
    const expected = await presignedOrigin(new S3Client({ region, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' }), bucket);
    expect(documentUploadOrigin({ DOCUMENTS_BUCKET: bucket, AWS_REGION: region })).toBe(expected);
  });

  it('on a local endpoint is that endpoint, where the shared S3 client puts buckets in the path', async () => {
    const endpoint = 'http://127.0.0.1:4599';
    const expected = await presignedOrigin(new S3Client({ region: 'us-east-1', credentials, endpoint, forcePathStyle: true }), 'documents');
    expect(documentUploadOrigin({ AWS_ENDPOINT_URL_S3: endpoint, DOCUMENTS_BUCKET: 'documents', AWS_REGION: 'us-east-1' })).toBe(expected);
    expect(documentUploadOrigin({ AWS_ENDPOINT_URL: `${endpoint}/some/path` })).toBe(endpoint);
  });

  it.each([
    ['no bucket', { AWS_REGION: 'us-east-1' }],
    ['no region', { DOCUMENTS_BUCKET: 'documents' }],
    ['a bucket name S3 would refuse', { DOCUMENTS_BUCKET: 'Docs; script-src *', AWS_REGION: 'us-east-1' }],
    ['a region that is not one', { DOCUMENTS_BUCKET: 'documents', AWS_REGION: "us-east-1 'unsafe-inline'" }],
    ['an endpoint that is not a URL', { AWS_ENDPOINT_URL_S3: 'not a url' }],
    ['an endpoint without an http origin', { AWS_ENDPOINT_URL_S3: 'file:///tmp/s3' }],
  ])('is left out for %s', (_case, env) => {
    expect(documentUploadOrigin(env)).toBeUndefined();
    expect(contentSecurityPolicyFor('documents.html', env)).toBe(CONTENT_SECURITY_POLICY);
  });

  it('adds the origin to connect-src and changes nothing else', () => {
    expect(withConnectSource("default-src 'none'; connect-src 'self'; img-src 'self'", 'https://a.example')).toBe(
      "default-src 'none'; connect-src 'self' https://a.example; img-src 'self'",
    );
    expect(contentSecurityPolicyFor('dashboard.html', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' })).toBe(CONTENT_SECURITY_POLICY);
    expect(contentSecurityPolicyFor(undefined, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' })).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('the route in serverless.yml', () => {
  const service = loadServiceDefinition('local');
  const routes = routesOf(service);
  const routeOf = (method: string, path: string) => routes.find((route) => route.method === method && route.pattern.test(path))?.functionName;

  it(`sends GET ${DOCUMENTS_PATH} to webPages, and GET and POST /documents to the API`, () => {
    expect(routeOf('GET', DOCUMENTS_PATH)).toBe('webPages');
    expect(routeOf('GET', '/documents')).toBe('listDocuments');
    expect(routeOf('POST', '/documents')).toBe('requestUpload');
    expect(PAGES[DOCUMENTS_PATH]).toBe('documents.html');
  });

  it('gives webPages the bucket, so its policy can name the bucket on AWS', () => {
    const raw = service.raw.functions as Record<string, { environment?: Record<string, unknown> }>;
    expect(raw.webPages?.environment?.DOCUMENTS_BUCKET).toEqual(raw.requestUpload?.environment?.DOCUMENTS_BUCKET);
  });
});
