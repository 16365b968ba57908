// The plumbing every local stand-in for an AWS JSON 1.1 service shares (Comprehend, Rekognition): one POST /
// per call, the operation named in X-Amz-Target, AWS's error body, a bounded request body, injected throttling.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface ServiceFaults {
  /** Probability in [0, 1] that a request fails with ThrottlingException. Default 0. */
  throttleRate?: number;
  /** Source of uniform [0, 1) numbers for fault decisions. Default Math.random. */
  random?: () => number;
}

/** An error the service answers with: AWS's error name (`__type`), HTTP status and message. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Operation = (input: Record<string, unknown>) => unknown;

export interface JsonServiceOptions {
  /** e.g. 'Comprehend_20171127.': X-Amz-Target is this prefix and the operation name. */
  targetPrefix: string;
  operations: Record<string, Operation>;
  /** Port on 127.0.0.1; 0 (default) picks any free port. */
  port?: number;
  faults?: ServiceFaults;
  /** Largest request body accepted, in bytes; larger bodies get HTTP 413. */
  maxBodyBytes: number;
  /** The error body as the service spells it (Comprehend says `message`, Rekognition `Message`). */
  errorBody: (error: ServiceError) => Record<string, unknown>;
  /** The service's name for its own failure (Comprehend: InternalServerException; Rekognition: InternalServerError). */
  internalErrorType: string;
}

export interface JsonService {
  url: string;
  port: number;
  setFaults(faults?: ServiceFaults): void;
  /** Calls to a known operation, and how many an injected throttle refused. */
  counters(): { requests: number; throttled: number };
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

interface NormalisedFaults {
  throttleRate: number;
  random: () => number;
}

function normaliseFaults(faults: ServiceFaults = {}): NormalisedFaults {
  const throttleRate = faults.throttleRate ?? 0;
  if (!(throttleRate >= 0 && throttleRate <= 1)) {
    throw new RangeError(`throttleRate must be a number in [0, 1], got ${String(faults.throttleRate)}`);
  }
  return { throttleRate, random: faults.random ?? Math.random };
}

export function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServiceError('InvalidRequestException', 'Request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Reads the body up to `max` bytes; rejects with a 413 ServiceError beyond that. */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): ServiceError => new ServiceError('RequestEntityTooLargeException', `Request body exceeds ${max} bytes`, 413);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startJsonService(options: JsonServiceOptions): Promise<JsonService> {
  let faults = normaliseFaults(options.faults);
  const counts = { requests: 0, throttled: 0 };

  const send = (res: http.ServerResponse, status: number, body: unknown, close = false): void => {
    const payload = JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': randomUUID(),
    };
    if (close) headers.connection = 'close';
    res.writeHead(status, headers);
    res.end(payload);
  };
  const sendError = (res: http.ServerResponse, error: ServiceError, close = false): void => {
    res.setHeader('x-amzn-errortype', error.type);
    send(res, error.status, options.errorBody(error), close);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await readBody(req, options.maxBodyBytes);
    } catch (err) {
      const e = err instanceof ServiceError ? err : new ServiceError('InvalidRequestException', 'Could not read request body');
      // Stop reading: answer, then drop the connection so the rest of the body is never buffered.
      res.once('finish', () => req.destroy());
      sendError(res, e, true);
      return;
    }

    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(options.targetPrefix) ? target.slice(options.targetPrefix.length) : '';
    const operation = Object.hasOwn(options.operations, name) ? options.operations[name] : undefined;
    if (req.method !== 'POST' || !operation) {
      sendError(res, new ServiceError('UnknownOperationException', `Unknown operation ${JSON.stringify(target)}`));
      return;
    }

    counts.requests++;
    if (faults.throttleRate > 0 && faults.random() < faults.throttleRate) {
      counts.throttled++;
      sendError(res, new ServiceError('ThrottlingException', 'Rate exceeded (injected fault)'));
      return;
    }

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      sendError(res, new ServiceError('InvalidRequestException', 'Request body is not valid JSON'));
      return;
    }

    try {
      send(res, 200, await operation(asObject(body)));
    } catch (err) {
      if (err instanceof ServiceError) sendError(res, err);
      else sendError(res, new ServiceError(options.internalErrorType, 'Internal error', 500));
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, new ServiceError(options.internalErrorType, 'Internal error', 500));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setFaults(next?: ServiceFaults) {
      faults = normaliseFaults(next);
    },
    counters: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
