// StoreFeedback state: writes the feedback with its sentiment, once per feedbackId.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../../shared/clients.js';
import { config } from '../../shared/config.js';
import { classifyAwsError, InvalidFeedbackError } from '../../shared/errors.js';
import { parseFeedback } from '../../shared/feedback.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import type { TriageStateEvent } from '../../shared/state-event.js';
import { toFeedbackRecord } from './record.js';

export interface StoreResult {
  /** False when an earlier delivery of the same feedback already stored it: a success, not an error. */
  created: boolean;
}

export const handler = lambdaHandler(async (event: TriageStateEvent): Promise<StoreResult> => {
  const feedback = parseFeedback(event?.feedback);
  logger.appendKeys({ feedbackId: feedback.feedbackId, executionArn: event.executionArn });
  if (!event.sentiment) throw new InvalidFeedbackError('sentiment is required to store feedback', 'sentiment');
  const record = toFeedbackRecord(feedback, event.sentiment, new Date());
  try {
    await documents.send(
      new PutCommand({
        TableName: config.feedbackTable(),
        Item: record,
        ConditionExpression: 'attribute_not_exists(feedbackId)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
      logger.info('Feedback already stored by an earlier delivery');
      return { created: false };
    }
    throw classifyAwsError(error, 'DynamoDB PutItem');
  }
  logger.info('Feedback stored', { sentiment: record.sentiment, alertStatus: record.alertStatus, textChars: record.textChars });
  return { created: true };
});
