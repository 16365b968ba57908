// Which file answers which path, with the headers every answer carries. The files are compiled into
// assets.generated.ts (see scripts/build-web.ts), so serving never touches the file system.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { webFiles, type WebFile } from './assets.generated.js';

/**
 * Scripts, styles, images and fetches only from this origin; no inline script or style, no plugins, no
 * framing, no native form posts (the form posts with fetch), and Trusted Types so that assigning a string to
 * innerHTML and friends throws instead of parsing markup.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'strict-transport-security': 'max-age=31536000',
};

/** The page served at each path. */
export const PAGES: Readonly<Record<string, string>> = { '/': 'form.html', '/dashboard': 'dashboard.html' };

export const ASSET_PREFIX = '/assets/';

export interface WebRequest {
  /** The request path, e.g. `/dashboard` or `/assets/form.js`. */
  path: string;
  /** The request's If-None-Match header, for answering 304 to a browser that has the file. */
  ifNoneMatch?: string;
}

/** The file for a path: a page at its own path, every other file under /assets/. Pages are not assets. */
export function fileFor(path: string): WebFile | undefined {
  const page = PAGES[path];
  if (page !== undefined) return webFiles[page];
  if (!path.startsWith(ASSET_PREFIX)) return undefined;
  const name = path.slice(ASSET_PREFIX.length);
  if (name.endsWith('.html') || !Object.prototype.hasOwnProperty.call(webFiles, name)) return undefined;
  return webFiles[name];
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === etag || candidate === '*';
  });
}

export function serveWeb(request: WebRequest): APIGatewayProxyStructuredResultV2 {
  const file = fileFor(request.path);
  if (!file) {
    return {
      statusCode: 404,
      headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      body: 'Not found\n',
    };
  }
  // Browsers revalidate on every load (cheap: a 304 without the body), so a deployment shows at once.
  const headers = { ...SECURITY_HEADERS, 'content-type': file.contentType, 'cache-control': 'no-cache', etag: file.etag };
  if (matches(request.ifNoneMatch, file.etag)) return { statusCode: 304, headers };
  return { statusCode: 200, headers, body: file.body };
}
