// NotifyNegative state: publishes one alert per negative feedback, however often the workflow runs for it.
//
// The stored record carries alertStatus. A delivery first claims the alert (PENDING -> PUBLISHING, with a
// token and a lease), publishes, then marks it SENT. A second delivery that finds SENT does nothing; one that
// finds a live claim waits for the state machine's retry. The only window for a duplicate is a crash between
// Publish and the SENT mark, after which the lease must expire before another delivery publishes again.
import { randomUUID } from 'node:crypto';
import { PublishCommand } from '@aws-sdk/client-sns';
import { notifications } from '../../shared/clients.js';
import { config } from '../../shared/config.js';
import { AlertInProgressError, classifyAwsError, InvalidFeedbackError, TransientDependencyError } from '../../shared/errors.js';
import { parseFeedback } from '../../shared/feedback.js';
import { feedbackStore } from '../../shared/feedback-store.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { traceHandler } from '../../shared/tracer.js';
import { countAlertSent } from '../../shared/metrics.js';
import type { TriageStateEvent } from '../../shared/state-event.js';
import { formatAlert } from './alert.js';

export interface NotifyResult {
  alerted: boolean;
  alertMessageId?: string;
  /** Why no alert was published by this delivery. */
  skipped?: 'already-sent' | 'not-required';
}

export const handler = lambdaHandler(async (event: TriageStateEvent): Promise<NotifyResult> => {
  const feedback = parseFeedback(event?.feedback);
  logger.appendKeys({ feedbackId: feedback.feedbackId, executionArn: event.executionArn });
  if (!event.sentiment) throw new InvalidFeedbackError('sentiment is required to send an alert', 'sentiment');

  const token = randomUUID();
  if (!(await feedbackStore.claimAlert(feedback.feedbackId, token, new Date()))) {
    const status = await feedbackStore.currentAlertStatus(feedback.feedbackId);
    if (status === 'SENT') {
      logger.info('Alert already sent by an earlier delivery');
      return { alerted: false, skipped: 'already-sent' };
    }
    if (status === 'NOT_REQUIRED') return { alerted: false, skipped: 'not-required' };
    if (status === 'PUBLISHING') throw new AlertInProgressError('Another delivery is publishing this alert');
    throw new TransientDependencyError(`Feedback ${feedback.feedbackId} is not stored yet (alert status ${status})`);
  }

  const alert = formatAlert(feedback, event.sentiment);
  let alertMessageId: string;
  try {
    const published = await notifications.send(
      new PublishCommand({
        TopicArn: config.alertTopicArn(),
        Subject: alert.subject,
        Message: alert.message,
        MessageAttributes: alert.attributes,
      }),
    );
    alertMessageId = published.MessageId ?? 'unknown';
  } catch (error) {
    // The lease expires by itself: a failed release only delays the retry, so the Publish error is the one to report.
    await feedbackStore
      .releaseAlert(feedback.feedbackId, token)
      .catch((releaseError: Error) => logger.warn('Could not release the alert claim', { error: releaseError.name }));
    throw classifyAwsError(error, 'SNS Publish');
  }
  await feedbackStore.markAlertSent(feedback.feedbackId, token, alertMessageId, new Date());
  logger.info('Alert published', { alertMessageId, sentiment: event.sentiment.sentiment });
  countAlertSent();
  return { alerted: true, alertMessageId };
}).use(traceHandler());
