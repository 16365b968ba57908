// The per-batch mode's sentiment step: many feedback, one BatchDetectSentiment call per 25 documents of one language
// (in auto mode after BatchDetectDominantLanguage, 25 a call), and one detection per feedback, in order, that either
// carries its sentiment or says why this feedback alone has none.
import { COMPREHEND_BATCH_MAX_DOCUMENTS } from '../../shared/config.js';
import { InvalidFeedbackError, TransientDependencyError } from '../../shared/errors.js';
import { parseFeedback, type Feedback, type SentimentResult } from '../../shared/feedback.js';
import { classifyComprehendError } from './comprehend-errors.js';
import { chooseLanguage, type DominantLanguageAnswer, type LanguageChoice, type SentimentLanguage } from './language.js';
import { toSentimentResult, truncateUtf8, type ComprehendSentimentAnswer } from './sentiment.js';

/** The per-batch machine's DetectSentiments input: its execution input's items. */
export interface BatchSentimentEvent {
  items: Array<{ feedback?: unknown; messageId?: string }>;
  executionArn?: string;
}

/** What a per-message DetectSentiment would have ended with: its result, or the error its Catch keeps. */
export type Detection = { sentiment: SentimentResult } | { failure: { Error: string; Cause: string } };

/** Longest cause a failed detection carries: the execution's state data must stay far below 256 KB. */
const MAX_CAUSE_CHARS = 500;

export function failedDetection(error: Error): Detection {
  const cause = error.message.length > MAX_CAUSE_CHARS ? `${error.message.slice(0, MAX_CAUSE_CHARS - 1)}…` : error.message;
  return { failure: { Error: error.name, Cause: cause } };
}

export function isBatchEvent(event: unknown): event is BatchSentimentEvent {
  return typeof event === 'object' && event !== null && 'items' in event;
}

/** A document to analyse: the feedback's place in the batch and its text cut to Comprehend's limit. */
export interface Document {
  index: number;
  feedback: Feedback;
  analyzed: ReturnType<typeof truncateUtf8>;
}

/**
 * Reads the batch: the documents to send, and the detections already known (feedback that is not valid fails
 * with InvalidFeedbackError, as DetectSentiment's own check would).
 */
export function readBatch(event: BatchSentimentEvent): { documents: Document[]; detections: Array<Detection | undefined> } {
  if (!Array.isArray(event.items)) throw new InvalidFeedbackError('the batch must carry its messages as an items array', 'items');
  const detections = new Array<Detection | undefined>(event.items.length);
  const documents: Document[] = [];
  event.items.forEach((item, index) => {
    try {
      const feedback = parseFeedback(item?.feedback);
      documents.push({ index, feedback, analyzed: truncateUtf8(feedback.text) });
    } catch (error) {
      if (!(error instanceof InvalidFeedbackError)) throw error;
      detections[index] = failedDetection(error);
    }
  });
  return { documents, detections };
}

/** Documents in calls of at most 25, Comprehend's limit, in order. */
export function inCalls<T>(documents: readonly T[], perCall: number = COMPREHEND_BATCH_MAX_DOCUMENTS): T[][] {
  const calls: T[][] = [];
  for (let start = 0; start < documents.length; start += perCall) calls.push(documents.slice(start, start + perCall));
  return calls;
}

/** What every Comprehend batch operation answers: results and errors, each naming its document by Index. */
interface BatchAnswer<Result> {
  ResultList?: Array<Result & { Index?: number }>;
  ErrorList?: Array<{ Index?: number; ErrorCode?: string; ErrorMessage?: string }>;
}

export type BatchSentimentAnswer = BatchAnswer<ComprehendSentimentAnswer>;
export type BatchLanguageAnswer = BatchAnswer<DominantLanguageAnswer>;

type Failure = Extract<Detection, { failure: unknown }>;

/**
 * Each document's outcome of one call, in the call's order. A document in the ErrorList fails alone, with the
 * error the single-document operation would have raised for the same answer; one Comprehend says nothing about is
 * transient.
 */
function perDocument<Result, T>(
  answer: BatchAnswer<Result>,
  call: readonly Document[],
  operation: string,
  read: (result: Result, document: Document) => T,
): Array<T | Failure> {
  const results = new Map((answer.ResultList ?? []).map((result) => [result.Index, result]));
  const errors = new Map((answer.ErrorList ?? []).map((error) => [error.Index, error]));
  return call.map((document, position) => {
    const refused = errors.get(position);
    if (refused) {
      const named = Object.assign(new Error(refused.ErrorMessage ?? 'no message given'), { name: refused.ErrorCode ?? 'UnknownError' });
      return failedDetection(classifyComprehendError(named, `Comprehend ${operation}`)) as Failure;
    }
    const result = results.get(position);
    if (!result) return failedDetection(new TransientDependencyError(`Comprehend ${operation} gave no result and no error for this document`)) as Failure;
    try {
      return read(result, document);
    } catch (error) {
      return failedDetection(error as Error) as Failure;
    }
  });
}

/** The detection of each document of one BatchDetectSentiment call, in the call's order. */
export function readBatchAnswer(answer: BatchSentimentAnswer, call: readonly Document[]): Detection[] {
  return perDocument(answer, call, 'BatchDetectSentiment', (result, document) => ({ sentiment: toSentimentResult(result, document.analyzed) }));
}

/** The language each document of one BatchDetectDominantLanguage call is scored in, or why it has none. */
export function readLanguageAnswer(answer: BatchLanguageAnswer, call: readonly Document[], fallback: SentimentLanguage): Array<LanguageChoice | Failure> {
  return perDocument(answer, call, 'BatchDetectDominantLanguage', (result) => chooseLanguage(result, fallback));
}

/** Documents by the language their sentiment is detected in, each group in batch order: one LanguageCode per call. */
export function groupByLanguage(chosen: ReadonlyArray<{ document: Document; choice: LanguageChoice }>) {
  const groups = new Map<SentimentLanguage, Array<{ document: Document; choice: LanguageChoice }>>();
  for (const entry of chosen) {
    const group = groups.get(entry.choice.language) ?? [];
    group.push(entry);
    groups.set(entry.choice.language, group);
  }
  return groups;
}
