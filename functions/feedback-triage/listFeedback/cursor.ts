// The list's paging cursor: DynamoDB's LastEvaluatedKey on the bySentiment index, made opaque
// (functions/shared/query.ts says how, and why it is checked strictly rather than signed).
import { FEEDBACK_ID_PATTERN, type Sentiment } from '../../shared/feedback.js';
import { decodeCursorFields, encodeCursor as encodeOpaqueCursor, invalidCursor, isIsoTimestamp } from '../../shared/query.js';

/** A position on the bySentiment index: its key (sentiment, submittedAt) and the table's key (feedbackId). */
export interface IndexPosition {
  feedbackId: string;
  sentiment: Sentiment;
  submittedAt: string;
}

const CURSOR_KEYS = ['feedbackId', 'sentiment', 'submittedAt'] as const;

export function encodeCursor(position: IndexPosition): string {
  return encodeOpaqueCursor(CURSOR_KEYS, { ...position });
}

/**
 * The position a cursor names, for a list of `sentiment`. Throws BadRequestError (field `cursor`) for
 * anything encodeCursor would not have made for that list.
 */
export function decodeCursor(cursor: string, sentiment: Sentiment): IndexPosition {
  const { feedbackId, sentiment: cursorSentiment, submittedAt } = decodeCursorFields(cursor, CURSOR_KEYS) as Record<string, string>;
  if (!FEEDBACK_ID_PATTERN.test(feedbackId as string)) throw invalidCursor('bad feedbackId');
  if (!isIsoTimestamp(submittedAt as string)) throw invalidCursor('bad submittedAt');
  if (cursorSentiment !== sentiment) throw invalidCursor(`it belongs to another list than sentiment=${sentiment}`);
  return { feedbackId: feedbackId as string, sentiment, submittedAt: submittedAt as string };
}
