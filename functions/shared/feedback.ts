// The feedback a reader sends, and the one validation every entry point uses.
import { EXCERPT_CHARS, FEEDBACK_LIMITS } from './config.js';
import { InvalidFeedbackError } from './errors.js';

/** The sentiments Comprehend's DetectSentiment answers: the one list every part of the product uses. */
export const SENTIMENTS = ['POSITIVE', 'NEGATIVE', 'NEUTRAL', 'MIXED'] as const;

export type Sentiment = (typeof SENTIMENTS)[number];

export function isSentiment(value: unknown): value is Sentiment {
  return (SENTIMENTS as readonly unknown[]).includes(value);
}

/** One value per sentiment, each made by `initial` (a fresh one each, so counters do not share state). */
export function perSentiment<T>(initial: (sentiment: Sentiment) => T): Record<Sentiment, T> {
  return Object.fromEntries(SENTIMENTS.map((sentiment) => [sentiment, initial(sentiment)])) as Record<Sentiment, T>;
}

export interface SentimentScores {
  positive: number;
  negative: number;
  neutral: number;
  mixed: number;
}

/** What a reader submits. */
export interface FeedbackSubmission {
  bookId: string;
  text: string;
  rating?: number;
  readerId?: string;
}

/** Feedback once the intake has accepted it: the message body on the queue. */
export interface Feedback extends FeedbackSubmission {
  feedbackId: string;
  submittedAt: string;
}

/**
 * Where the language a sentiment was detected in came from: the setting (SENTIMENT_LANGUAGE names it), Comprehend's
 * dominant language (auto), or the fallback setting because Comprehend cannot detect sentiment in the language found.
 */
export type LanguageSource = 'configured' | 'detected' | 'fallback';

export interface SentimentResult {
  sentiment: Sentiment;
  scores: SentimentScores;
  /** True when the text was cut to fit Comprehend's per-document limit. */
  truncated: boolean;
  analyzedBytes: number;
  /** The LanguageCode the sentiment was detected in; absent from records stored before languages were recorded. */
  language?: string;
  languageSource?: LanguageSource;
  /** Auto mode only: the dominant language Comprehend found (differs from `language` when it fell back). */
  detectedLanguage?: string;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** A feedbackId as the intake makes it: a lower-case UUID. */
export const FEEDBACK_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// C0 controls other than tab, line feed and carriage return; DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function identifier(record: Record<string, unknown>, field: string, requiredField: boolean): string | undefined {
  const value = own(record, field);
  if (value === undefined || value === null) {
    if (requiredField) throw new InvalidFeedbackError(`${field} is required`, field);
    return undefined;
  }
  if (typeof value !== 'string') throw new InvalidFeedbackError(`${field} must be a string`, field);
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new InvalidFeedbackError(`${field} must not be empty`, field);
  if (trimmed.length > FEEDBACK_LIMITS.maxIdChars) {
    throw new InvalidFeedbackError(`${field} must be at most ${FEEDBACK_LIMITS.maxIdChars} characters`, field);
  }
  if (!ID_PATTERN.test(trimmed)) {
    throw new InvalidFeedbackError(`${field} may contain only letters, digits, '.', '_', ':' and '-'`, field);
  }
  return trimmed;
}

function feedbackText(record: Record<string, unknown>): string {
  const value = own(record, 'text');
  if (value === undefined || value === null) throw new InvalidFeedbackError('text is required', 'text');
  if (typeof value !== 'string') throw new InvalidFeedbackError('text must be a string', 'text');
  if (!value.isWellFormed()) throw new InvalidFeedbackError('text contains invalid Unicode (a lone surrogate)', 'text');
  if (CONTROL_CHARACTERS.test(value)) throw new InvalidFeedbackError('text must not contain control characters', 'text');
  const text = value.normalize('NFC').trim();
  if (text.length === 0) throw new InvalidFeedbackError('text must not be empty', 'text');
  const chars = codePointLength(text);
  if (chars > FEEDBACK_LIMITS.maxTextChars) {
    throw new InvalidFeedbackError(`text must be at most ${FEEDBACK_LIMITS.maxTextChars} characters, got ${chars}`, 'text', 'tooLarge');
  }
  return text;
}

function rating(record: Record<string, unknown>): number | undefined {
  const value = own(record, 'rating');
  if (value === undefined || value === null) return undefined;
  const { minRating, maxRating } = FEEDBACK_LIMITS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minRating || value > maxRating) {
    throw new InvalidFeedbackError(`rating must be a whole number from ${minRating} to ${maxRating}`, 'rating');
  }
  return value;
}

/**
 * Checks what a reader sent and returns a clean copy with only the known fields.
 * Unknown fields are dropped rather than refused, so clients may send more than we store.
 */
export function parseSubmission(input: unknown): FeedbackSubmission {
  if (!isPlainObject(input)) throw new InvalidFeedbackError('feedback must be a JSON object');
  const submission: FeedbackSubmission = {
    bookId: identifier(input, 'bookId', true) as string,
    text: feedbackText(input),
  };
  const stars = rating(input);
  if (stars !== undefined) submission.rating = stars;
  const readerId = identifier(input, 'readerId', false);
  if (readerId !== undefined) submission.readerId = readerId;
  return submission;
}

/** Checks a message taken off the queue: a submission plus the ids the intake gave it. */
export function parseFeedback(input: unknown): Feedback {
  const submission = parseSubmission(input);
  const record = input as Record<string, unknown>;
  const feedbackId = own(record, 'feedbackId');
  if (typeof feedbackId !== 'string' || !FEEDBACK_ID_PATTERN.test(feedbackId)) {
    throw new InvalidFeedbackError('feedbackId must be a lower-case UUID', 'feedbackId');
  }
  const submittedAt = own(record, 'submittedAt');
  if (typeof submittedAt !== 'string' || Number.isNaN(Date.parse(submittedAt)) || !submittedAt.includes('T')) {
    throw new InvalidFeedbackError('submittedAt must be an ISO 8601 timestamp', 'submittedAt');
  }
  return { feedbackId, submittedAt: new Date(submittedAt).toISOString(), ...submission };
}

/** Parses a JSON body, turning a syntax error into a clear feedback error. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    // V8 quotes the offending input in some messages; keep the reader's words out of errors and logs.
    const detail = (error as Error).message.split(/, "|: "/)[0];
    throw new InvalidFeedbackError(`body is not valid JSON: ${detail}`);
  }
}

/**
 * The message body for the queue: JSON with every non-ASCII character escaped. SQS refuses some code
 * points (and some emulators refuse all astral ones), while a \u escape is plain ASCII that parses back
 * to the same text.
 */
export function toQueueBody(feedback: Feedback): string {
  return escapeNonAscii(JSON.stringify(feedback));
}

/** Every non-ASCII UTF-16 unit of JSON text as a \u escape: the same JSON, in plain ASCII. */
export function escapeNonAscii(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** A short, single-line excerpt: the most of a reader's text that logs and alerts carry. */
export function excerpt(text: string, maxChars: number = EXCERPT_CHARS): string {
  const singleLine = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(singleLine);
  return chars.length <= maxChars ? singleLine : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/** The sentiments that warrant an alert: negative, or mixed leaning negative. Mirrors the state machine's Choice. */
export function needsAlert(result: Pick<SentimentResult, 'sentiment' | 'scores'>): boolean {
  return (
    result.sentiment === 'NEGATIVE' || (result.sentiment === 'MIXED' && result.scores.negative > result.scores.positive)
  );
}
