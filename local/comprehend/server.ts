/**
 * Local Amazon Comprehend stand-in: a node:http server on 127.0.0.1 speaking Comprehend's
 * JSON 1.1 protocol (POST /, X-Amz-Target: Comprehend_20171127.<Operation>), so the real
 * @aws-sdk/client-comprehend can talk to it through `endpoint` / AWS_ENDPOINT_URL_COMPREHEND.
 *
 * Operations: DetectSentiment, BatchDetectSentiment, DetectDominantLanguage, BatchDetectDominantLanguage,
 * DetectToxicContent.
 * Comprehend's input rules are enforced with Comprehend's own error names (HTTP 400, body
 * {"__type": "...", "message": "..."}). Sentiment comes from ./engine.ts (lexicon based, per language), toxicity
 * from ./toxicity.ts (obscenity and lexicons).
 *
 * Quotas: `quotas` gives each operation a request rate (requests per second, a token bucket as AWS keeps);
 * past it a call is refused as AWS refuses it, HTTP 400 ThrottlingException "Rate exceeded". The local stack
 * passes custom.triage.comprehendRequestsPerSecond, AWS's defaults (docs/QUOTAS.md).
 *
 * Fault injection: `throttleRate` r makes each request fail with probability r with
 * ThrottlingException; `random` makes that deterministic in tests. Faults can be changed while
 * running with `setFaults`. No signature checking: any credentials are accepted.
 */
import { detectDominantLanguage, detectSentiment, loadLanguageDetector } from './engine.js';
import { OperationQuotas, type RateQuotas } from '../quota/token-bucket.js';
import { ServiceError as ComprehendError, startJsonService, type Operation, type ServiceFaults } from './json-service.js';
import { detectToxicity } from './toxicity.js';

export type ComprehendFaults = ServiceFaults;

export interface ComprehendServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks any free port. */
  port?: number;
  faults?: ComprehendFaults;
  /** Largest request body accepted, in bytes (default 1 MiB); larger bodies get HTTP 413. */
  maxBodyBytes?: number;
  /** Requests per second each operation allows; an operation not named has no quota. */
  quotas?: RateQuotas;
  /** The clock the quotas' buckets refill by, in milliseconds (tests pass their own). */
  now?: () => number;
}

export interface ComprehendServer {
  /** e.g. http://127.0.0.1:45678 */
  url: string;
  port: number;
  /** Replaces the current faults (omitted fields go back to their defaults). */
  setFaults(faults?: ComprehendFaults): void;
  /** Replaces the request-rate quotas (fresh buckets). */
  setQuotas(quotas: RateQuotas): void;
  quotas(): RateQuotas;
  /**
   * Requests answered; how many an injected throttle refused (`throttled`); and how many each operation's
   * quota refused (`overQuota`).
   */
  stats(): { requests: number; throttled: number; overQuota: Record<string, number> };
  close(): Promise<void>;
}

export const TARGET_PREFIX = 'Comprehend_20171127.';
/** DetectSentiment / BatchDetectSentiment per-document limit, bytes of UTF-8. */
export const SENTIMENT_MAX_TEXT_BYTES = 5000;
/** DetectDominantLanguage limit ("100 KB"), bytes of UTF-8. */
export const LANGUAGE_MAX_TEXT_BYTES = 100 * 1024;
/** BatchDetectDominantLanguage's per-document limit ("5 KB" in the API reference), bytes of UTF-8. */
export const BATCH_LANGUAGE_MAX_TEXT_BYTES = 5000;
export const BATCH_MAX_ITEMS = 25;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** DetectToxicContent: segments per call, and bytes of UTF-8 per segment ("1 KB"). */
export const TOXICITY_MAX_SEGMENTS = 10;
export const TOXICITY_MAX_SEGMENT_BYTES = 1024;
/** DetectToxicContent is English only. */
export const TOXICITY_LANGUAGES: ReadonlySet<string> = new Set(['en']);
/** LanguageCode values DetectSentiment accepts. */
export const SENTIMENT_LANGUAGES: ReadonlySet<string> = new Set([
  'en', 'es', 'fr', 'de', 'it', 'pt', 'ar', 'hi', 'ja', 'ko', 'zh', 'zh-TW',
]);

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function textSizeError(bytes: number, max: number): ComprehendError {
  return new ComprehendError(
    'TextSizeLimitExceededException',
    `Input text size exceeds limit. Max length of request text allowed is ${max} bytes while in this request the text size is ${bytes} bytes`,
  );
}

function requireText(input: Record<string, unknown>): string {
  const text = input.Text;
  if (typeof text !== 'string') throw new ComprehendError('InvalidRequestException', 'Text is required and must be a string');
  if (text.length === 0) throw new ComprehendError('InvalidRequestException', 'Text must contain at least 1 character');
  return text;
}

function requireSentimentLanguage(input: Record<string, unknown>): string {
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
  return code;
}

/** A batch operation's TextList: 1 to 25 strings, or the whole call is refused. */
function requireTextList(input: Record<string, unknown>): string[] {
  const list = input.TextList;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ComprehendError('InvalidRequestException', 'TextList is required and must contain at least 1 item');
  }
  if (list.length > BATCH_MAX_ITEMS) {
    throw new ComprehendError('BatchSizeLimitExceededException', `Batch size ${list.length} exceeds the maximum of ${BATCH_MAX_ITEMS} documents`);
  }
  if (!list.every((t): t is string => typeof t === 'string')) {
    throw new ComprehendError('InvalidRequestException', 'Every TextList item must be a string');
  }
  return list;
}

/** A batch's answer: each document's result with its Index, or its error in the ErrorList; one bad document fails alone. */
function eachDocument(list: string[], maxBytes: number, analyse: (text: string) => object) {
  const ResultList: unknown[] = [];
  const ErrorList: Array<{ Index: number; ErrorCode: string; ErrorMessage: string }> = [];
  list.forEach((text, Index) => {
    const bytes = utf8Bytes(text);
    if (text.length === 0) {
      ErrorList.push({ Index, ErrorCode: 'InvalidRequestException', ErrorMessage: 'Text must contain at least 1 character' });
    } else if (bytes > maxBytes) {
      const e = textSizeError(bytes, maxBytes);
      ErrorList.push({ Index, ErrorCode: e.type, ErrorMessage: e.message });
    } else {
      ResultList.push({ Index, ...analyse(text) });
    }
  });
  return { ResultList, ErrorList };
}

const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
  DetectSentiment(input) {
    const text = requireText(input);
    const languageCode = requireSentimentLanguage(input);
    const bytes = utf8Bytes(text);
    if (bytes > SENTIMENT_MAX_TEXT_BYTES) throw textSizeError(bytes, SENTIMENT_MAX_TEXT_BYTES);
    return detectSentiment(text, languageCode);
  },

  BatchDetectSentiment(input) {
    const list = requireTextList(input);
    const languageCode = requireSentimentLanguage(input);
    return eachDocument(list, SENTIMENT_MAX_TEXT_BYTES, (text) => detectSentiment(text, languageCode));
  },

  async BatchDetectDominantLanguage(input) {
    const list = requireTextList(input);
    await loadLanguageDetector();
    return eachDocument(list, BATCH_LANGUAGE_MAX_TEXT_BYTES, (text) => detectDominantLanguage(text));
  },

  DetectToxicContent(input) {
    const segments = input.TextSegments;
    if (!Array.isArray(segments) || segments.length === 0) {
      throw new ComprehendError('InvalidRequestException', 'TextSegments is required and must contain at least 1 item');
    }
    if (segments.length > TOXICITY_MAX_SEGMENTS) {
      throw new ComprehendError(
        'InvalidRequestException',
        `TextSegments has ${segments.length} items; at most ${TOXICITY_MAX_SEGMENTS} are allowed`,
      );
    }
    const texts = segments.map((segment, index) => {
      const text = (segment as { Text?: unknown } | null)?.Text;
      if (typeof text !== 'string' || text.length === 0) {
        throw new ComprehendError('InvalidRequestException', `TextSegments[${index}].Text is required and must contain at least 1 character`);
      }
      const bytes = utf8Bytes(text);
      if (bytes > TOXICITY_MAX_SEGMENT_BYTES) {
        throw new ComprehendError(
          'TextSizeLimitExceededException',
          `Input text size exceeds limit. Max length of each text segment is ${TOXICITY_MAX_SEGMENT_BYTES} bytes while TextSegments[${index}] is ${bytes} bytes`,
        );
      }
      return text;
    });
    const code = input.LanguageCode;
    if (code === undefined || code === null) throw new ComprehendError('InvalidRequestException', 'LanguageCode is required');
    if (typeof code !== 'string' || !TOXICITY_LANGUAGES.has(code)) {
      throw new ComprehendError(
        'UnsupportedLanguageException',
        `Unsupported language code ${JSON.stringify(code)}; DetectToxicContent supports: ${[...TOXICITY_LANGUAGES].join(', ')}`,
      );
    }
    return { ResultList: texts.map((text) => detectToxicity(text)) };
  },

  async DetectDominantLanguage(input) {
    const text = requireText(input);
    const bytes = utf8Bytes(text);
    if (bytes > LANGUAGE_MAX_TEXT_BYTES) throw textSizeError(bytes, LANGUAGE_MAX_TEXT_BYTES);
    await loadLanguageDetector();
    return detectDominantLanguage(text);
  },
};

/** AWS's answer to a call over its operation's rate quota (the message is AWS's own wording). */
export const THROTTLED_MESSAGE = 'Rate exceeded';

/** Each operation behind its quota: over it, the call is refused before any work is done. */
function withinQuotas(quotas: OperationQuotas): Record<string, Operation> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, operation]) => [
      name,
      (input: Record<string, unknown>) => {
        if (!quotas.admit(name)) throw new ComprehendError('ThrottlingException', THROTTLED_MESSAGE);
        return operation(input);
      },
    ]),
  );
}

export async function startComprehendServer(options: ComprehendServerOptions = {}): Promise<ComprehendServer> {
  const quotas = new OperationQuotas(options.quotas, options.now);
  const service = await startJsonService({
    targetPrefix: TARGET_PREFIX,
    operations: withinQuotas(quotas),
    port: options.port,
    faults: options.faults,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    errorBody: (error) => ({ __type: error.type, message: error.message }),
    internalErrorType: 'InternalServerException',
  });
  return {
    url: service.url,
    port: service.port,
    setFaults: (next?: ComprehendFaults) => service.setFaults(next),
    setQuotas: (next: RateQuotas) => quotas.set(next),
    quotas: () => quotas.quotas(),
    stats: () => ({ ...service.counters(), overQuota: quotas.throttled() }),
    close: () => service.close(),
  };
}
