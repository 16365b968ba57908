import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { webFiles } from '../../functions/webPages/assets.generated.js';
import { handler } from '../../functions/webPages/handler.js';
import { CONTENT_SECURITY_POLICY, fileFor, PAGES } from '../../functions/webPages/site.js';
import { generatedFile, pagesDir, webFilesModule } from '../../scripts/build-web.js';
import { lambdaContext, sampleEvent } from '../helpers/lambda.js';

const event = sampleEvent<APIGatewayProxyEventV2>('webPages');
const context = lambdaContext('webPages');

async function get(path: string, options: { file?: string; headers?: Record<string, string> } = {}) {
  const request: APIGatewayProxyEventV2 = {
    ...event,
    rawPath: path,
    headers: { ...event.headers, ...options.headers },
    pathParameters: options.file === undefined ? undefined : { file: options.file },
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path } },
  };
  return (await handler(request, context)) as APIGatewayProxyStructuredResultV2;
}

const source = (name: string) => readFileSync(join(pagesDir, name), 'utf8');
const htmlFiles = readdirSync(pagesDir).filter((name) => name.endsWith('.html'));
const scriptFiles = readdirSync(pagesDir).filter((name) => name.endsWith('.js'));

describe('the generated module of page files', () => {
  it('is up to date with functions/webPages/pages/ (run `npm run build:web` if not)', () => {
    expect(readFileSync(generatedFile, 'utf8')).toBe(webFilesModule());
  });

  it('holds every page file', () => {
    expect(Object.keys(webFiles).sort()).toEqual(readdirSync(pagesDir).sort());
  });
});

describe('webPages handler', () => {
  it.each([
    ['/', 'form.html', /<h1>What did you think of the book\?<\/h1>/],
    ['/dashboard', 'dashboard.html', /<h1>Feedback triage<\/h1>/],
  ])('serves %s from %s as HTML with a strict CSP', async (path, file, heading) => {
    const result = await get(path);
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(source(file));
    expect(result.body).toMatch(heading);
    expect(result.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
      etag: expect.stringMatching(/^"[A-Za-z0-9_-]{22}"$/),
    });
  });

  it('answers the sample event with the dashboard', async () => {
    const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(source('dashboard.html'));
  });

  it.each([
    ['form.js', 'text/javascript; charset=utf-8'],
    ['dashboard.js', 'text/javascript; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml; charset=utf-8'],
  ])('serves /assets/%s as %s', async (file, contentType) => {
    const result = await get(`/assets/${file}`, { file });
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': contentType, 'x-content-type-options': 'nosniff' });
    expect(result.body).toBe(source(file));
  });

  it('finds an asset from the raw path when the event has no path parameters', async () => {
    expect((await get('/assets/style.css')).body).toBe(source('style.css'));
  });

  it.each([
    ['an unknown asset', '/assets/nope.js', 'nope.js'],
    ['a page through /assets/', '/assets/form.html', 'form.html'],
    ['a path out of the folder', '/assets/../serverless.yml', '../serverless.yml'],
    ['an inherited property name', '/assets/constructor', 'constructor'],
    ['the generated module', '/assets/assets.generated.ts', 'assets.generated.ts'],
    ['an unknown page', '/admin', undefined],
  ])('answers %s with 404 and the same security headers', async (_case, path, file) => {
    const result = await get(path, { file });
    expect(result.statusCode).toBe(404);
    expect(result.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    });
  });

  it('answers 304 without a body when the browser has the current file', async () => {
    const { headers } = await get('/dashboard');
    const etag = String(headers?.etag);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const result = await get('/dashboard', { headers: { 'if-none-match': ifNoneMatch } });
      expect(result.statusCode).toBe(304);
      expect(result.body).toBeUndefined();
      expect(result.headers).toMatchObject({ etag, 'content-security-policy': CONTENT_SECURITY_POLICY });
    }
    expect((await get('/dashboard', { headers: { 'if-none-match': '"stale"' } })).statusCode).toBe(200);
  });
});

describe('the content security policy', () => {
  const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)]));

  it('allows scripts, styles and fetches from this origin only, and nothing inline', () => {
    expect(directives['default-src']).toEqual(["'none'"]);
    for (const name of ['script-src', 'style-src', 'connect-src', 'img-src']) expect(directives[name]).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|data:|\*/);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['require-trusted-types-for']).toEqual(["'script'"]);
  });
});

describe('the page files', () => {
  it.each(htmlFiles)('%s loads only its own assets, with no inline script, style or event handler', (name) => {
    const html = source(name);
    for (const [, attribute, url] of html.matchAll(/\s(src|href)="([^"]*)"/g)) {
      expect(url).toMatch(/^\/assets\//);
      expect(fileFor(String(url))).toBeDefined();
      expect(attribute).toBeDefined();
    }
    for (const [script] of html.matchAll(/<script\b[^>]*>[\s\S]*?<\/script>/g)) {
      expect(script).toMatch(/^<script type="module" src="\/assets\/[\w-]+\.js"><\/script>$/);
    }
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=|javascript:/i);
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1" \/>/);
  });

  it.each(htmlFiles)('%s labels every control', (name) => {
    const html = source(name);
    const labelled = new Set([...html.matchAll(/<label for="([^"]+)"/g)].map((match) => match[1]));
    const controls = [...html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)];
    expect(controls.length).toBeGreaterThan(0);
    for (const [control, , attributes] of controls) {
      const id = /\sid="([^"]+)"/.exec(String(attributes))?.[1];
      // A control is labelled by <label for> or by the <label> wrapped around it.
      const wrapped = new RegExp(`<label>\\s*${control.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(html);
      expect({ control, labelled: wrapped || (id !== undefined && labelled.has(id)) }).toEqual({ control, labelled: true });
    }
  });

  it.each(scriptFiles)('%s never parses data as markup and is valid JavaScript', (name) => {
    const script = source(name);
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(\s*['"]on/);
    execFileSync(process.execPath, ['--check', join(pagesDir, name)]);
  });

  it('lists every page at a path', () => {
    expect(Object.values(PAGES).sort()).toEqual(htmlFiles.sort());
  });
});
