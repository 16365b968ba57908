// StoreFeedback state: writes the feedback with its sentiment, once per feedbackId.
import { InvalidFeedbackError } from '../../shared/errors.js';
import { parseFeedback } from '../../shared/feedback.js';
import { feedbackStore, toFeedbackRecord } from '../../shared/feedback-store.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { traceHandler } from '../../shared/tracer.js';
import { countFeedbackStored } from '../../shared/metrics.js';
import type { TriageStateEvent } from '../../shared/state-event.js';
import { feedbackRetentionDays } from './retention.js';

export interface StoreResult {
  /** False when an earlier delivery of the same feedback already stored it: a success, not an error. */
  created: boolean;
}

export const handler = lambdaHandler(async (event: TriageStateEvent): Promise<StoreResult> => {
  const feedback = parseFeedback(event?.feedback);
  logger.appendKeys({ feedbackId: feedback.feedbackId, executionArn: event.executionArn });
  if (!event.sentiment) throw new InvalidFeedbackError('sentiment is required to store feedback', 'sentiment');
  const executionArn = typeof event.executionArn === 'string' && event.executionArn !== '' ? event.executionArn : undefined;
  const record = toFeedbackRecord(feedback, event.sentiment, new Date(), feedbackRetentionDays(), executionArn);
  if (!(await feedbackStore.put(record))) {
    logger.info('Feedback already stored by an earlier delivery');
    return { created: false };
  }
  logger.info('Feedback stored', { sentiment: record.sentiment, language: record.language, alertStatus: record.alertStatus, textChars: record.textChars });
  countFeedbackStored(record.sentiment);
  return { created: true };
}).use(traceHandler());
