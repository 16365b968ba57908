// Which file answers which path, with the headers every answer carries. The files are compiled into
// assets.generated.ts (see scripts/build-web.ts), so serving never touches the file system.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { TEAM_SCOPES } from '../team/tokenScopes/scopes.js';
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

/** The page served at each path. The Documents view is not at /documents: that path is its API. */
export const PAGES: Readonly<Record<string, string>> = { '/': 'form.html', '/dashboard': 'dashboard.html', '/dashboard/documents': 'documents.html' };

/** Pages that send files straight to the documents bucket through presigned URLs: only they may connect there. */
const UPLOADING_PAGES: ReadonlySet<string> = new Set(['documents.html']);

/**
 * The origin of the presigned upload URLs that POST /documents answers, as the SDK makes them: the S3 endpoint
 * override when there is one (the local stack; functions/shared/clients.ts then puts the bucket in the path),
 * otherwise the bucket's regional endpoint (in the path when the name has dots, as TLS wildcards need).
 * Undefined when this function does not know the bucket: the page then cannot upload, and says so.
 */
export function documentUploadOrigin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (endpoint) {
    const origin = URL.canParse(endpoint) ? new URL(endpoint).origin : 'null';
    return /^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(origin) ? origin : undefined;
  }
  const bucket = env.DOCUMENTS_BUCKET;
  const region = env.AWS_REGION;
  if (!bucket || !region || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || !/^[a-z0-9-]+$/.test(region)) return undefined;
  return bucket.includes('.') ? `https://s3.${region}.amazonaws.com` : `https://${bucket}.s3.${region}.amazonaws.com`;
}

/** The policy with one more origin its pages may fetch from. */
export function withConnectSource(policy: string, origin: string): string {
  return policy
    .split('; ')
    .map((directive) => (directive.startsWith('connect-src ') ? `${directive} ${origin}` : directive))
    .join('; ');
}

/** The team's pages: they sign in (auth.js) and may fetch tokens from the sign-in origin, and only they. */
const SIGNED_IN_PAGES: ReadonlySet<string> = new Set(['dashboard.html', 'documents.html']);

/** The hosted sign-in's paths on its origin: Cognito's, which the local OpenID provider serves too. */
export const HOSTED_SIGN_IN_PATHS = { authorize: '/oauth2/authorize', token: '/oauth2/token', logout: '/logout' } as const;

/** What auth.js needs to sign a team member in, served as /assets/sign-in.json. */
export interface SignInSettings {
  origin: string;
  clientId: string;
  scopes: string[];
  /** The scope that lets a member act on feedback: the page offers the actions only to holders. */
  triageScope: string;
  paths: typeof HOSTED_SIGN_IN_PATHS;
}

/** The sign-in origin (scheme, host and port only); undefined when unset or not a plain http(s) origin. */
export function signInOrigin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.SIGN_IN_ORIGIN;
  if (!value || !URL.canParse(value)) return undefined;
  const { origin } = new URL(value);
  return /^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(origin) ? origin : undefined;
}

export function signInSettings(env: NodeJS.ProcessEnv = process.env): SignInSettings | undefined {
  const origin = signInOrigin(env);
  const clientId = env.SIGN_IN_CLIENT_ID;
  if (!origin || !clientId) return undefined;
  return { origin, clientId, scopes: (env.SIGN_IN_SCOPES ?? 'openid').split(/\s+/).filter(Boolean), triageScope: TEAM_SCOPES.triage, paths: HOSTED_SIGN_IN_PATHS };
}

/** The links the team's pages make, served as /assets/links.json. */
export interface PageLinks {
  /** One execution's page, to which the pages append its ARN; absent when unset or not an http(s) address. */
  executionDetailsUrl?: string;
}

/** Where each feedback and document links its execution: the Step Functions console on AWS, the local Executions view offline. */
export function pageLinks(env: NodeJS.ProcessEnv = process.env): PageLinks {
  const value = env.EXECUTION_DETAILS_URL;
  // The pages put it in an href: only http(s), never javascript: or data:.
  if (!value || !URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) return {};
  return { executionDetailsUrl: value };
}

/** The Content-Security-Policy for the page file `name`; assets (`name` undefined) get the common one. */
export function contentSecurityPolicyFor(name: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const uploadOrigin = name !== undefined && UPLOADING_PAGES.has(name) ? documentUploadOrigin(env) : undefined;
  const tokenOrigin = name !== undefined && SIGNED_IN_PAGES.has(name) ? signInOrigin(env) : undefined;
  let policy = CONTENT_SECURITY_POLICY;
  if (uploadOrigin) policy = withConnectSource(policy, uploadOrigin);
  if (tokenOrigin && tokenOrigin !== uploadOrigin) policy = withConnectSource(policy, tokenOrigin);
  return policy;
}

/** The one asset made when asked, from this function's environment: where and how the team's pages sign in. */
export const SIGN_IN_SETTINGS_PATH = '/assets/sign-in.json';
/** Made when asked too, from this function's environment: the links the team's pages make (pageLinks). */
export const PAGE_LINKS_PATH = '/assets/links.json';

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
  if (request.path === SIGN_IN_SETTINGS_PATH) {
    const settings = signInSettings();
    return {
      statusCode: settings ? 200 : 503,
      headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify(settings ?? { message: 'sign-in is not configured: SIGN_IN_ORIGIN and SIGN_IN_CLIENT_ID are unset' }),
    };
  }
  if (request.path === PAGE_LINKS_PATH) {
    return {
      statusCode: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify(pageLinks()),
    };
  }
  const file = fileFor(request.path);
  if (!file) {
    return {
      statusCode: 404,
      headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      body: 'Not found\n',
    };
  }
  // Browsers revalidate on every load (cheap: a 304 without the body), so a deployment shows at once.
  const headers = {
    ...SECURITY_HEADERS,
    'content-security-policy': contentSecurityPolicyFor(PAGES[request.path]),
    'content-type': file.contentType,
    'cache-control': 'no-cache',
    etag: file.etag,
  };
  if (matches(request.ifNoneMatch, file.etag)) return { statusCode: 304, headers };
  return { statusCode: 200, headers, body: file.body };
}
