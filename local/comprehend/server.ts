/**
 * Local Amazon Comprehend stand-in: a node:http server on 127.0.0.1 speaking Comprehend's
 * JSON 1.1 protocol (POST /, X-Amz-Target: Comprehend_20171127.<Operation>), so the real
 * @aws-sdk/client-comprehend can talk to it through `endpoint` / AWS_ENDPOINT_URL_COMPREHEND.
 *
 * Operations: DetectSentiment, BatchDetectSentiment, DetectDominantLanguage. Comprehend's
 * input rules are enforced with Comprehend's own error names (HTTP 400, body
 * {"__type": "...", "message": "..."}). Sentiment comes from ./engine.ts (lexicon based).
 *
 * Fault injection: `throttleRate` r makes each request fail with probability r with
 * ThrottlingException; `random` makes that deterministic in tests. Faults can be changed while
 * running with `setFaults`. No signature checking: any credentials are accepted.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { detectDominantLanguage, detectSentiment } from './engine.js';

export interface ComprehendFaults {
  /** Probability in [0, 1] that a request fails with ThrottlingException. Default 0. */
  throttleRate?: number;
  /** Source of uniform [0, 1) numbers for fault decisions. Default Math.random. */
  random?: () => number;
}

export interface ComprehendServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks any free port. */
  port?: number;
  faults?: ComprehendFaults;
  /** Largest request body accepted, in bytes (default 1 MiB); larger bodies get HTTP 413. */
  maxBodyBytes?: number;
}

export interface ComprehendServer {
  /** e.g. http://127.0.0.1:45678 */
  url: string;
  port: number;
  /** Replaces the current faults (omitted fields go back to their defaults). */
  setFaults(faults?: ComprehendFaults): void;
  /** Requests answered, and how many of them were refused by an injected throttle. */
  stats(): { requests: number; throttled: number };
  close(): Promise<void>;
}

export const TARGET_PREFIX = 'Comprehend_20171127.';
/** DetectSentiment / BatchDetectSentiment per-document limit, bytes of UTF-8. */
export const SENTIMENT_MAX_TEXT_BYTES = 5000;
/** DetectDominantLanguage limit ("100 KB"), bytes of UTF-8. */
export const LANGUAGE_MAX_TEXT_BYTES = 100 * 1024;
export const BATCH_MAX_ITEMS = 25;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** LanguageCode values DetectSentiment accepts. */
export const SENTIMENT_LANGUAGES: ReadonlySet<string> = new Set([
  'en', 'es', 'fr', 'de', 'it', 'pt', 'ar', 'hi', 'ja', 'ko', 'zh', 'zh-TW',
]);

const CONTENT_TYPE = 'application/x-amz-json-1.1';

class ComprehendError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface NormalisedFaults {
  throttleRate: number;
  random: () => number;
}

function normaliseFaults(faults: ComprehendFaults = {}): NormalisedFaults {
  const throttleRate = faults.throttleRate ?? 0;
  if (!(throttleRate >= 0 && throttleRate <= 1)) {
    throw new RangeError(`throttleRate must be a number in [0, 1], got ${String(faults.throttleRate)}`);
  }
  return { throttleRate, random: faults.random ?? Math.random };
}

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function textSizeError(bytes: number, max: number): ComprehendError {
  return new ComprehendError(
    'TextSizeLimitExceededException',
    `Input text size exceeds limit. Max length of request text allowed is ${max} bytes while in this request the text size is ${bytes} bytes`,
  );
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ComprehendError('InvalidRequestException', 'Request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function requireText(input: Record<string, unknown>): string {
  const text = input.Text;
  if (typeof text !== 'string') throw new ComprehendError('InvalidRequestException', 'Text is required and must be a string');
  if (text.length === 0) throw new ComprehendError('InvalidRequestException', 'Text must contain at least 1 character');
  return text;
}

function requireSentimentLanguage(input: Record<string, unknown>): void {
  const code = input.LanguageCode;
  if (code === undefined || code === null) {
    throw new ComprehendError('InvalidRequestException', 'LanguageCode is required');
  }
  if (typeof code !== 'string' || !SENTIMENT_LANGUAGES.has(code)) {
    throw new ComprehendError(
      'UnsupportedLanguageException',
      `Unsupported language code ${JSON.stringify(code)}; supported: ${[...SENTIMENT_LANGUAGES].join(', ')}`,
    );
  }
}

const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
  DetectSentiment(input) {
    const text = requireText(input);
    requireSentimentLanguage(input);
    const bytes = utf8Bytes(text);
    if (bytes > SENTIMENT_MAX_TEXT_BYTES) throw textSizeError(bytes, SENTIMENT_MAX_TEXT_BYTES);
    return detectSentiment(text);
  },

  BatchDetectSentiment(input) {
    const list = input.TextList;
    if (!Array.isArray(list) || list.length === 0) {
      throw new ComprehendError('InvalidRequestException', 'TextList is required and must contain at least 1 item');
    }
    if (list.length > BATCH_MAX_ITEMS) {
      throw new ComprehendError(
        'BatchSizeLimitExceededException',
        `Batch size ${list.length} exceeds the maximum of ${BATCH_MAX_ITEMS} documents`,
      );
    }
    if (!list.every((t): t is string => typeof t === 'string')) {
      throw new ComprehendError('InvalidRequestException', 'Every TextList item must be a string');
    }
    requireSentimentLanguage(input);
    const ResultList: unknown[] = [];
    const ErrorList: Array<{ Index: number; ErrorCode: string; ErrorMessage: string }> = [];
    list.forEach((text, Index) => {
      const bytes = utf8Bytes(text);
      if (text.length === 0) {
        ErrorList.push({ Index, ErrorCode: 'InvalidRequestException', ErrorMessage: 'Text must contain at least 1 character' });
      } else if (bytes > SENTIMENT_MAX_TEXT_BYTES) {
        const e = textSizeError(bytes, SENTIMENT_MAX_TEXT_BYTES);
        ErrorList.push({ Index, ErrorCode: e.type, ErrorMessage: e.message });
      } else {
        ResultList.push({ Index, ...detectSentiment(text) });
      }
    });
    return { ResultList, ErrorList };
  },

  DetectDominantLanguage(input) {
    const text = requireText(input);
    const bytes = utf8Bytes(text);
    if (bytes > LANGUAGE_MAX_TEXT_BYTES) throw textSizeError(bytes, LANGUAGE_MAX_TEXT_BYTES);
    return detectDominantLanguage(text);
  },
};

/** Reads the body up to `max` bytes; rejects with a 413 ComprehendError beyond that. */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (): ComprehendError =>
      new ComprehendError('RequestEntityTooLargeException', `Request body exceeds ${max} bytes`, 413);
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

function send(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  const payload = JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
  };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(payload);
}

function sendError(res: http.ServerResponse, err: ComprehendError, close = false): void {
  send(res, err.status, { __type: err.type, message: err.message }, close);
}

export async function startComprehendServer(options: ComprehendServerOptions = {}): Promise<ComprehendServer> {
  let faults = normaliseFaults(options.faults);
  const counters = { requests: 0, throttled: 0 };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBodyBytes);
    } catch (err) {
      const e = err instanceof ComprehendError ? err : new ComprehendError('InvalidRequestException', 'Could not read request body');
      // Stop reading: answer, then drop the connection so the rest of the body is never buffered.
      res.once('finish', () => req.destroy());
      sendError(res, e, true);
      return;
    }

    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (req.method !== 'POST' || !operation) {
      sendError(res, new ComprehendError('UnknownOperationException', `Unknown operation ${JSON.stringify(target)}`));
      return;
    }

    counters.requests++;
    if (faults.throttleRate > 0 && faults.random() < faults.throttleRate) {
      counters.throttled++;
      sendError(res, new ComprehendError('ThrottlingException', 'Rate exceeded (injected fault)'));
      return;
    }

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      sendError(res, new ComprehendError('InvalidRequestException', 'Request body is not valid JSON'));
      return;
    }

    try {
      send(res, 200, operation(asObject(body)));
    } catch (err) {
      if (err instanceof ComprehendError) sendError(res, err);
      else sendError(res, new ComprehendError('InternalServerException', 'Internal error', 500));
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, new ComprehendError('InternalServerException', 'Internal error', 500));
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
    setFaults(next?: ComprehendFaults) {
      faults = normaliseFaults(next);
    },
    stats: () => ({ ...counters }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
