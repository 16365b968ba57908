import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { webFiles } from '../../functions/webPages/assets.generated.js';
import { handler } from '../../functions/webPages/handler.js';
import { CONTENT_SECURITY_POLICY, fileFor, PAGES } from '../../functions/webPages/site.js';
import { FEEDBACK_LIMITS } from '../../functions/shared/config.js';
import { generatedFile, pagesDir, renderPage, webFilesModule } from '../../scripts/build-web.js';
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

/** A page file as the build serves it, its `{{values}}` filled in. */
const source = (name: string) => renderPage(name, readFileSync(join(pagesDir, name), 'utf8'));
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
      // Links between the site's own pages are allowed; everything else is one of its assets.
      if (attribute === 'href' && Object.hasOwn(PAGES, String(url))) continue;
      expect(url).toMatch(/^\/assets\//);
      expect(fileFor(String(url))).toBeDefined();
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

  it.each(Object.keys(webFiles))('%s is served with every {{value}} filled in', (name) => {
    expect(webFiles[name]?.body).not.toMatch(/\{\{|\}\}/);
  });

  it('lists every page at a path', () => {
    expect(Object.values(PAGES).sort()).toEqual(htmlFiles.sort());
  });
});

describe('the intake limits on the pages', () => {
  const form = source('form.html');
  const attribute = (html: string, id: string, name: string) =>
    new RegExp(`<(?:input|textarea|ol)\\b[^>]*\\sid="${id}"[^>]*>`).exec(html)?.[0].match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

  it('come from FEEDBACK_LIMITS, the limits the intake enforces', () => {
    expect(Number(attribute(form, 'bookId', 'maxlength'))).toBe(FEEDBACK_LIMITS.maxIdChars);
    expect(Number(attribute(form, 'text', 'data-max-chars'))).toBe(FEEDBACK_LIMITS.maxTextChars);
    expect(form).toContain(`Up to ${FEEDBACK_LIMITS.maxTextChars.toLocaleString('en-US')} characters.`);
    expect(Number(attribute(source('dashboard.html'), 'items', 'data-max-rating'))).toBe(FEEDBACK_LIMITS.maxRating);
  });

  it('offer exactly the ratings the intake accepts, and no rating', () => {
    const ratings = [...form.matchAll(/<input type="radio" id="rating-[^"]+" name="rating" value="(\d*)"/g)].map((match) => match[1]);
    const accepted = Array.from({ length: FEEDBACK_LIMITS.maxRating - FEEDBACK_LIMITS.minRating + 1 }, (_, index) => String(FEEDBACK_LIMITS.minRating + index));
    expect(ratings).toEqual([...accepted, '']);
    expect(form).toContain(`${FEEDBACK_LIMITS.minRating} is poor, ${FEEDBACK_LIMITS.maxRating} is excellent`);
  });

  it('are read by the scripts from the page, not written into them', () => {
    for (const name of scriptFiles) {
      const script = readFileSync(join(pagesDir, name), 'utf8');
      for (const value of [FEEDBACK_LIMITS.maxTextChars, FEEDBACK_LIMITS.maxIdChars]) expect(script).not.toMatch(new RegExp(`\\b${value}\\b`));
      expect(script).not.toMatch(/of 5\b/);
    }
  });

  it('stop the build when a page names an unknown value or format', () => {
    expect(() => renderPage('probe.html', '{{feedbackLimits.maxPages}}')).toThrow(/probe\.html: \{\{feedbackLimits\.maxPages\}\} names no value/);
    expect(() => renderPage('probe.html', '{{feedbackLimits.maxRating|roman}}')).toThrow(/unknown format/);
    expect(renderPage('probe.html', 'up to {{ feedbackLimits.maxTextChars | number }}')).toBe(`up to ${FEEDBACK_LIMITS.maxTextChars.toLocaleString('en-US')}`);
  });
});
