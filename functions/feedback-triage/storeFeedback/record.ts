// The stored form of a triaged feedback.
import type { Feedback, SentimentResult } from '../../shared/feedback.js';
import { needsAlert } from '../../shared/feedback.js';

/** Where an alert stands: written with the record so that each negative feedback is alerted once. */
export type AlertStatus = 'NOT_REQUIRED' | 'PENDING' | 'PUBLISHING' | 'SENT';

export interface FeedbackRecord extends Feedback, SentimentResult {
  alertStatus: AlertStatus;
  storedAt: string;
  textChars: number;
}

export function toFeedbackRecord(feedback: Feedback, sentiment: SentimentResult, storedAt: Date): FeedbackRecord {
  return {
    ...feedback,
    sentiment: sentiment.sentiment,
    scores: sentiment.scores,
    truncated: sentiment.truncated,
    analyzedBytes: sentiment.analyzedBytes,
    alertStatus: needsAlert(sentiment) ? 'PENDING' : 'NOT_REQUIRED',
    storedAt: storedAt.toISOString(),
    textChars: Array.from(feedback.text).length,
  };
}
