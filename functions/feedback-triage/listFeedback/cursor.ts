// The list's paging cursor: DynamoDB's LastEvaluatedKey on the bySentiment index, made opaque.
//
// It is base64url of a JSON object with exactly the index's key attributes. It is not signed: it names a
// position in a list the caller may already read from the start, so a forged cursor reveals nothing new.
// What the strict check buys is a clean 400 (instead of a DynamoDB ValidationException and a 500) and no
// way to smuggle other attributes or another sentiment's position into ExclusiveStartKey.
import { FEEDBACK_ID_PATTERN, type Sentiment } from '../../shared/feedback.js';
import { BadRequestError } from './request.js';

/** A position on the bySentiment index: its key (sentiment, submittedAt) and the table's key (feedbackId). */
export interface IndexPosition {
  feedbackId: string;
  sentiment: Sentiment;
  submittedAt: string;
}

const CURSOR_KEYS = ['feedbackId', 'sentiment', 'submittedAt'] as const;
/** Longer than any cursor encodeCursor makes (about 150 characters). */
export const MAX_CURSOR_CHARS = 256;
/** submittedAt as the intake writes it: Date.toISOString(). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isIsoTimestamp(value: string): boolean {
  if (!ISO_TIMESTAMP.test(value)) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

export function encodeCursor(position: IndexPosition): string {
  const { feedbackId, sentiment, submittedAt } = position;
  return Buffer.from(JSON.stringify({ feedbackId, sentiment, submittedAt }), 'utf8').toString('base64url');
}

/**
 * The position a cursor names, for a list of `sentiment`. Throws BadRequestError (parameter `cursor`) for
 * anything encodeCursor would not have made for that list.
 */
export function decodeCursor(cursor: string, sentiment: Sentiment): IndexPosition {
  const invalid = (why: string) => new BadRequestError(`cursor is invalid (${why}): start again from the first page`, 'cursor');
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid('not a cursor this API made');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor this API made');
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalid('not a cursor this API made');
  const record = decoded as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  if (keys.length !== CURSOR_KEYS.length || keys.some((key, index) => key !== CURSOR_KEYS[index])) {
    throw invalid('unexpected fields');
  }
  const { feedbackId, sentiment: cursorSentiment, submittedAt } = record;
  if (typeof feedbackId !== 'string' || !FEEDBACK_ID_PATTERN.test(feedbackId)) throw invalid('bad feedbackId');
  if (typeof submittedAt !== 'string' || !isIsoTimestamp(submittedAt)) throw invalid('bad submittedAt');
  if (cursorSentiment !== sentiment) throw invalid(`it belongs to another list than sentiment=${sentiment}`);
  const position: IndexPosition = { feedbackId, sentiment, submittedAt };
  // Base64 decoding forgives stray bits and other key orders parse the same: accept only the one encoding we make.
  if (encodeCursor(position) !== cursor) throw invalid('not a cursor this API made');
  return position;
}
