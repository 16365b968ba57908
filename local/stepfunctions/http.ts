/**
 * The HTTP side of the endpoint: node:http on 127.0.0.1 speaking AWS JSON 1.0 (POST /, the operation
 * in `X-Amz-Target: AWSStepFunctions.<Operation>`, answers and `{"__type","message"}` errors as
 * application/x-amz-json-1.0). Routing ignores the Host header, so the SDK's `sync-` prefix is harmless.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { ServiceError, type RequestBody } from './protocol.js';

export type Operation = (body: RequestBody) => unknown;

const TARGET_PREFIX = 'AWSStepFunctions.';

export interface HttpFront {
  port: number;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage, maxRequestBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes) tooLarge = true; // keep draining, answer at the end
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
    // A connection dropped mid-body (client gone, server closing): no answer is possible.
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

function send(res: http.ServerResponse, statusCode: number, body: unknown, requestId: string, errorType?: string): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

export async function startHttpFront(options: { port: number; maxRequestBytes: number; operations: Record<string, Operation> }): Promise<HttpFront> {
  const { maxRequestBytes, operations } = options;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const raw = await readBody(req, maxRequestBytes);
      if (req.method !== 'POST') throw new ServiceError('UnknownOperationException', `Unsupported method ${req.method ?? ''}: use POST /`);
      if (raw === undefined) throw new ServiceError('ValidationException', `Request body exceeds ${maxRequestBytes} bytes`, 413);
      const target = req.headers['x-amz-target'];
      const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
      const handler = operation !== undefined && Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (!handler) throw new ServiceError('UnknownOperationException', `Unknown operation: ${String(target)}`);
      let body: unknown;
      try {
        body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ServiceError('SerializationException', 'Request body is not valid JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ServiceError('SerializationException', 'Request body must be a JSON object');
      }
      send(res, 200, await handler(body as RequestBody), requestId);
    } catch (err) {
      if (err instanceof ServiceError) {
        send(res, err.statusCode, { __type: err.type, message: err.message }, requestId, err.type);
      } else {
        send(res, 500, { __type: 'InternalFailure', message: (err as Error)?.message ?? String(err) }, requestId, 'InternalFailure');
      }
    }
  }

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
