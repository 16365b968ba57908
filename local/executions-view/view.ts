/**
 * The local Executions view, served by the edge endpoint under a path no AWS protocol uses (as LocalStack serves
 * `/_localstack/...`): the page and its assets, and the JSON API beside it. The local stand-in for the Step
 * Functions console's executions pages; it reads the Step Functions server in this process.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ExecutionsInspector } from '../stepfunctions/server.js';
import { describeExecution, listExecutions, ViewError } from './api.js';

/** Where the view lives on the edge endpoint. */
export const EXECUTIONS_VIEW_PATH = '/_local/executions';

/** The link to one execution in the view: the local value of the pages' execution link setting, plus the ARN. */
export function executionLinkBase(edgeUrl: string): string {
  return `${edgeUrl}${EXECUTIONS_VIEW_PATH}?executionArn=`;
}

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const COMMON_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

interface Asset {
  contentType: string;
  body: Buffer;
}

/** The page's files, read once: plain HTML, CSS and JavaScript with no build step. */
function loadAssets(): Record<string, Asset> {
  const file = (name: string) => readFileSync(new URL(`./page/${name}`, import.meta.url));
  return {
    [EXECUTIONS_VIEW_PATH]: { contentType: 'text/html; charset=utf-8', body: file('executions.html') },
    [`${EXECUTIONS_VIEW_PATH}/executions.js`]: { contentType: 'text/javascript; charset=utf-8', body: file('executions.js') },
    [`${EXECUTIONS_VIEW_PATH}/executions.css`]: { contentType: 'text/css; charset=utf-8', body: file('executions.css') },
    [`${EXECUTIONS_VIEW_PATH}/favicon.svg`]: { contentType: 'image/svg+xml; charset=utf-8', body: file('favicon.svg') },
  };
}

function send(res: ServerResponse, statusCode: number, contentType: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(statusCode, { ...COMMON_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  send(res, statusCode, 'application/json; charset=utf-8', JSON.stringify(body));
}

function sendError(res: ServerResponse, error: ViewError): void {
  send(res, error.statusCode, 'application/json; charset=utf-8', JSON.stringify({ __type: error.type, message: error.message }), { 'x-amzn-errortype': error.type });
}

/** The request handler for every path under EXECUTIONS_VIEW_PATH (and `/_local/...` paths it does not know). */
export function executionsView(inspector: ExecutionsInspector): (req: IncomingMessage, res: ServerResponse) => void {
  const assets = loadAssets();
  const api: Record<string, (query: URLSearchParams) => unknown> = {
    [`${EXECUTIONS_VIEW_PATH}/api/executions`]: (query) => listExecutions(inspector, query),
    [`${EXECUTIONS_VIEW_PATH}/api/execution`]: (query) => describeExecution(inspector, query),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const route = Object.hasOwn(api, path) ? api[path] : undefined;
    const asset = Object.hasOwn(assets, path) ? assets[path] : undefined;
    if (!route && !asset) throw new ViewError('NotFound', `No such page or API here: ${url.pathname}. The Executions view is at ${EXECUTIONS_VIEW_PATH}`, 404);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ViewError('MethodNotAllowed', `Use GET for ${url.pathname}`, 405);
    // node:http leaves the body out of an answer to HEAD itself.
    if (asset) return send(res, 200, asset.contentType, asset.body);
    sendJson(res, 200, await route!(url.searchParams));
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof ViewError) return sendError(res, error);
      sendError(res, new ViewError('InternalFailure', (error as Error)?.message ?? String(error), 500));
    });
  };
}
