// S3's CORS for the local S3 endpoint (fauxqs answers no preflight): each bucket's CorsConfiguration from
// serverless.yml, applied as S3 applies it, so the Documents page can PUT to a presigned URL from another origin
// exactly as it does on AWS. A preflight no rule allows gets S3's 403; a request from an allowed origin gets the
// Access-Control headers of the first rule that matches.
import type { buildApp } from 'fauxqs';

type S3App = ReturnType<typeof buildApp>;

export interface CorsRule {
  AllowedMethods: string[];
  /** Origins, `*`, or one `*` wildcard inside an origin (as S3 allows); resolved to local values by the caller. */
  AllowedOrigins: string[];
  AllowedHeaders?: string[];
  ExposedHeaders?: string[];
  MaxAge?: number;
}

interface HookRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}
interface HookReply {
  code(status: number): HookReply;
  header(name: string, value: string): HookReply;
  send(payload?: unknown): HookReply;
}

const wildcard = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(value);

/** The first rule that allows this origin, method and request headers, as S3 picks it. */
export function matchCorsRule(rules: readonly CorsRule[], origin: string, method: string, requestHeaders: readonly string[]): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.AllowedOrigins.some((allowed) => wildcard(allowed, origin)) &&
      rule.AllowedMethods.some((allowed) => allowed.toUpperCase() === method.toUpperCase()) &&
      requestHeaders.every((header) => (rule.AllowedHeaders ?? []).some((allowed) => wildcard(allowed, header))),
  );
}

const bucketOf = (url: string) => decodeURIComponent(url.split('?')[0]!.split('/')[1] ?? '');
const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Answers preflights and adds CORS headers for buckets that `rulesFor` gives rules to. */
export function applyBucketCors(app: S3App, rulesFor: (bucket: string) => readonly CorsRule[] | undefined): void {
  const server = app as unknown as {
    addHook(name: 'onRequest', hook: (request: HookRequest, reply: HookReply, done: () => void) => void): void;
    addHook(name: 'onSend', hook: (request: HookRequest, reply: HookReply, payload: unknown, done: (error: null, payload: unknown) => void) => void): void;
  };
  server.addHook('onRequest', (request, reply, done) => {
    const origin = single(request.headers.origin);
    const rules = rulesFor(bucketOf(request.url));
    if (request.method !== 'OPTIONS' || !origin || !rules) return done();
    const method = single(request.headers['access-control-request-method']) ?? '';
    const headers = (single(request.headers['access-control-request-headers']) ?? '')
      .split(',')
      .map((header) => header.trim().toLowerCase())
      .filter(Boolean);
    const rule = matchCorsRule(rules, origin, method, headers);
    if (!rule) {
      reply
        .code(403)
        .header('content-type', 'application/xml')
        .send('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.</Message></Error>');
      return;
    }
    reply
      .code(200)
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-methods', rule.AllowedMethods.join(', '))
      .header('vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
    if (headers.length > 0) reply.header('access-control-allow-headers', headers.join(', '));
    if (rule.ExposedHeaders?.length) reply.header('access-control-expose-headers', rule.ExposedHeaders.join(', '));
    if (rule.MaxAge !== undefined) reply.header('access-control-max-age', String(rule.MaxAge));
    reply.send('');
  });
  server.addHook('onSend', (request, reply, payload, done) => {
    const origin = single(request.headers.origin);
    const rules = origin && request.method !== 'OPTIONS' ? rulesFor(bucketOf(request.url)) : undefined;
    const rule = rules && origin ? matchCorsRule(rules, origin, request.method, []) : undefined;
    if (rule && origin) {
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      if (rule.ExposedHeaders?.length) reply.header('access-control-expose-headers', rule.ExposedHeaders.join(', '));
    }
    done(null, payload);
  });
}
