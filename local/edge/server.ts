// The local stack's single edge endpoint, like LocalStack's: every local AWS service on one port of 127.0.0.1,
// so `AWS_ENDPOINT_URL` alone is enough. Each request goes to its service's own request handler in this
// process (route.ts says which); SQS's query protocol is translated on the way (sqs-query.ts).
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isFormBody, routeByAction, routeByHeaders, type EdgeService } from './route.js';
import { escapeXml, xmlError, type SqsQueryTranslator } from './sqs-query.js';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** A request whose body the edge has read, and an answer to one. */
export interface BufferedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
export interface BufferedAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer | string;
}

export interface EdgeOptions {
  /** 0 picks any free port. */
  port: number;
  /** Each service's request handler (see inProcess and forwardTo). */
  handlers: Record<EdgeService, RequestListener>;
  /** Answers a query-protocol request whose body the edge read to learn its Action (SNS and STS share one server). */
  answerForm: (service: 'sns' | 'sts', request: BufferedRequest) => Promise<BufferedAnswer>;
  sqsQuery: SqsQueryTranslator;
  /** Largest query-protocol body read (SQS's largest batch is 1 MiB of messages, form-encoded). */
  maxFormBytes?: number;
  /** The local stack's own pages under /_local/ (route.ts); absent: 404. */
  localPages?: RequestListener;
}

export interface Edge {
  url: string;
  port: number;
  /** Requests per service, query-protocol SQS requests translated, and requests refused. */
  stats(): Record<string, number>;
  close(): Promise<void>;
}

/** The request handler of a node:http server in this process: its own 'request' listeners, no socket between. */
export const inProcess =
  (server: Server): RequestListener =>
  (req, res) =>
    server.emit('request', req, res);

/** A whole request over a kept-alive connection to a local server, its whole answer back. */
export function sendBuffered(baseUrl: string, agent: Agent, request: BufferedRequest): Promise<BufferedAnswer> {
  const target = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, 'content-length': request.body.length }, agent },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ statusCode: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
        answer.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(request.body);
  });
}

/** For a service whose handler this process cannot reach: an HTTP hop over a kept-alive connection. */
export function forwardTo(baseUrl: string): RequestListener & { agent: Agent } {
  const target = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true });
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) jsonError(res, 502, 'ServiceUnavailable', `the local service at ${baseUrl} did not answer: ${error.message}`);
      else res.destroy(error);
    });
    req.pipe(upstream);
  };
  return Object.assign(forward, { agent });
}

function jsonError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body), 'x-amzn-errortype': type });
  res.end(body);
}

/** An error in the protocol the client spoke: JSON for X-Amz-Target clients, query XML for form bodies, S3's XML otherwise. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): void {
  if (req.headers['x-amz-target']) return jsonError(res, status, code, message);
  const requestId = randomUUID();
  const body = isFormBody(req.headers)
    ? xmlError(code, message, status < 500, requestId)
    : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= max ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

function writeBuffered(res: ServerResponse, answer: BufferedAnswer): void {
  const headers = { ...answer.headers };
  for (const hopByHop of ['connection', 'keep-alive', 'transfer-encoding']) delete headers[hopByHop];
  headers['content-length'] = Buffer.byteLength(answer.body);
  res.writeHead(answer.statusCode, headers);
  res.end(answer.body);
}

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const maxFormBytes = options.maxFormBytes ?? 2 * 1024 * 1024;
  const counts: Record<string, number> = { sqsQuery: 0, refused: 0 };
  const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);

  async function answerForm(req: IncomingMessage, res: ServerResponse, signedFor?: 'sqs'): Promise<void> {
    const body = await readBody(req, maxFormBytes);
    if (body === undefined) return refuse(req, res, 413, 'RequestEntityTooLarge', `a query-protocol request body may be at most ${maxFormBytes} bytes`);
    const form = new URLSearchParams(body.toString('utf8'));
    const service = routeByAction(form.get('Action'), signedFor);
    if (service === undefined) return refuse(req, res, 400, 'MissingAction', 'a form-encoded request must name its Action');
    if (service === 'sqs') {
      count('sqsQuery');
      const answer = await options.sqsQuery.handle(form, randomUUID(), req.headers);
      return writeBuffered(res, { statusCode: answer.statusCode, headers: { 'content-type': answer.contentType }, body: answer.body });
    }
    count(service);
    writeBuffered(res, await options.answerForm(service, { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }));
  }

  const server = createServer((req, res) => {
    const route = routeByHeaders(req.method ?? 'GET', req.url ?? '/', req.headers);
    if ('service' in route) {
      count(route.service);
      return options.handlers[route.service](req, res);
    }
    if ('formAction' in route) {
      answerForm(req, res, route.signedFor).catch((error: Error) => {
        if (!res.headersSent) refuse(req, res, 500, 'InternalError', error.message);
        else res.destroy(error);
      });
      return;
    }
    if ('localPage' in route) {
      count('localPages');
      if (options.localPages) return options.localPages(req, res);
      req.resume();
      return jsonError(res, 404, 'NotFound', `the local stack serves no page at ${req.url ?? '/'}`);
    }
    count('refused');
    req.resume();
    refuse(req, res, 400, 'UnknownServiceException', `the local stack does not serve ${route.unknown}`);
  });
  server.listen(options.port, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${options.port} on 127.0.0.1 is taken (another local stack, or LocalStack?): stop it or choose another edge port`);
    }
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
