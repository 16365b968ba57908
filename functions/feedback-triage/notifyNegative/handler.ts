// NotifyNegative state: publishes one alert per negative feedback, however often the workflow runs for it.
//
// The stored record carries alertStatus. A delivery first claims the alert (PENDING -> PUBLISHING, with a
// token and a lease), publishes, then marks it SENT. A second delivery that finds SENT does nothing; one that
// finds a live claim waits for the state machine's retry. The only window for a duplicate is a crash between
// Publish and the SENT mark, after which the lease must expire before another delivery publishes again.
import { randomUUID } from 'node:crypto';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents, notifications } from '../../shared/clients.js';
import { config } from '../../shared/config.js';
import { AlertInProgressError, classifyAwsError, InvalidFeedbackError, TransientDependencyError } from '../../shared/errors.js';
import { parseFeedback } from '../../shared/feedback.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import type { TriageStateEvent } from '../../shared/state-event.js';
import type { AlertStatus } from '../storeFeedback/record.js';
import { formatAlert } from './alert.js';

export interface NotifyResult {
  alerted: boolean;
  alertMessageId?: string;
  /** Why no alert was published by this delivery. */
  skipped?: 'already-sent' | 'not-required';
}

const isConditionFailure = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';

async function claimAlert(feedbackId: string, token: string, now: Date): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: config.feedbackTable(),
        Key: { feedbackId },
        UpdateExpression: 'SET alertStatus = :publishing, alertClaimToken = :token, alertClaimExpiresAt = :expires',
        ConditionExpression:
          'attribute_exists(feedbackId) AND (alertStatus = :pending OR (alertStatus = :publishing AND alertClaimExpiresAt < :now))',
        ExpressionAttributeValues: {
          ':publishing': 'PUBLISHING',
          ':pending': 'PENDING',
          ':token': token,
          ':now': now.toISOString(),
          ':expires': new Date(now.getTime() + config.alertClaimSeconds() * 1000).toISOString(),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw classifyAwsError(error, 'DynamoDB UpdateItem (claim alert)');
  }
}

async function currentAlertStatus(feedbackId: string): Promise<AlertStatus | undefined> {
  try {
    const { Item } = await documents.send(
      new GetCommand({
        TableName: config.feedbackTable(),
        Key: { feedbackId },
        ProjectionExpression: 'alertStatus',
        ConsistentRead: true,
      }),
    );
    return Item?.alertStatus as AlertStatus | undefined;
  } catch (error) {
    throw classifyAwsError(error, 'DynamoDB GetItem (alert status)');
  }
}

async function releaseClaim(feedbackId: string, token: string): Promise<void> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: config.feedbackTable(),
        Key: { feedbackId },
        UpdateExpression: 'SET alertStatus = :pending REMOVE alertClaimToken, alertClaimExpiresAt',
        ConditionExpression: 'alertClaimToken = :token',
        ExpressionAttributeValues: { ':pending': 'PENDING', ':token': token },
      }),
    );
  } catch (error) {
    // The lease expires by itself; a failed release only delays the retry.
    logger.warn('Could not release the alert claim', { error: (error as Error).name });
  }
}

async function markSent(feedbackId: string, token: string, alertMessageId: string): Promise<void> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: config.feedbackTable(),
        Key: { feedbackId },
        UpdateExpression:
          'SET alertStatus = :sent, alertMessageId = :messageId, alertSentAt = :sentAt REMOVE alertClaimToken, alertClaimExpiresAt',
        ConditionExpression: 'alertClaimToken = :token',
        ExpressionAttributeValues: {
          ':sent': 'SENT',
          ':messageId': alertMessageId,
          ':sentAt': new Date().toISOString(),
          ':token': token,
        },
      }),
    );
  } catch (error) {
    throw classifyAwsError(error, 'DynamoDB UpdateItem (mark alert sent)');
  }
}

export const handler = lambdaHandler(async (event: TriageStateEvent): Promise<NotifyResult> => {
  const feedback = parseFeedback(event?.feedback);
  logger.appendKeys({ feedbackId: feedback.feedbackId, executionArn: event.executionArn });
  if (!event.sentiment) throw new InvalidFeedbackError('sentiment is required to send an alert', 'sentiment');

  const token = randomUUID();
  if (!(await claimAlert(feedback.feedbackId, token, new Date()))) {
    const status = await currentAlertStatus(feedback.feedbackId);
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
    await releaseClaim(feedback.feedbackId, token);
    throw classifyAwsError(error, 'SNS Publish');
  }
  await markSent(feedback.feedbackId, token, alertMessageId);
  logger.info('Alert published', { alertMessageId, sentiment: event.sentiment.sentiment });
  return { alerted: true, alertMessageId };
});
