// The feedback table behind one interface: the stored record, written once per feedbackId, and the alert
// claim that lets each negative feedback be alerted once however often the workflow runs for it.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { documents } from './clients.js';
import { config } from './config.js';
import { classifyAwsError, isConditionFailure } from './errors.js';
import { codePointLength, needsAlert, type Feedback, type SentimentResult } from './feedback.js';

/** Where an alert stands: written with the record so that each negative feedback is alerted once. */
export type AlertStatus = 'NOT_REQUIRED' | 'PENDING' | 'PUBLISHING' | 'SENT';

export interface FeedbackRecord extends Feedback, SentimentResult {
  alertStatus: AlertStatus;
  storedAt: string;
  textChars: number;
  /** Epoch seconds after which the table's TTL deletes the record (DynamoDB TTL reads a Number of seconds). */
  expiresAt: number;
  /** The Step Functions execution that stored it: the dashboard links each item to it. */
  executionArn?: string;
}

const SECONDS_PER_DAY = 86_400;

/** When a record stored at `storedAt` and kept `retentionDays` days (the stage's feedbackRetentionDays) expires. */
export function expiryOf(storedAt: Date, retentionDays: number): number {
  return Math.floor(storedAt.getTime() / 1000) + retentionDays * SECONDS_PER_DAY;
}

export function toFeedbackRecord(feedback: Feedback, sentiment: SentimentResult, storedAt: Date, retentionDays: number, executionArn?: string): FeedbackRecord {
  return {
    ...feedback,
    sentiment: sentiment.sentiment,
    scores: sentiment.scores,
    truncated: sentiment.truncated,
    analyzedBytes: sentiment.analyzedBytes,
    // The language the sentiment was detected in, and where it came from (undefined ones are not written).
    language: sentiment.language,
    languageSource: sentiment.languageSource,
    detectedLanguage: sentiment.detectedLanguage,
    alertStatus: needsAlert(sentiment) ? 'PENDING' : 'NOT_REQUIRED',
    storedAt: storedAt.toISOString(),
    textChars: codePointLength(feedback.text),
    expiresAt: expiryOf(storedAt, retentionDays),
    ...(executionArn ? { executionArn } : {}),
  };
}

/**
 * Every method throws TransientDependencyError or PermanentDependencyError when the table fails, so the
 * state machine's Retry and Catch apply. Where a condition that does not hold is an expected answer (a
 * redelivery, a claim held or taken over), the method answers it instead of throwing.
 */
export interface FeedbackStore {
  /** Stores the record unless its feedbackId is there already; false when an earlier delivery stored it. */
  put(record: FeedbackRecord): Promise<boolean>;
  /**
   * Takes the alert for this delivery (PENDING, or PUBLISHING whose lease ran out, becomes PUBLISHING under
   * `token` until `now` plus the lease); false when the alert is not there to take.
   */
  claimAlert(feedbackId: string, token: string, now: Date): Promise<boolean>;
  /** Records the published alert, if this delivery's claim still holds. */
  markAlertSent(feedbackId: string, token: string, alertMessageId: string, sentAt: Date): Promise<void>;
  /** Gives the alert back (PENDING) so that a retry may publish it; a claim taken over since is left alone. */
  releaseAlert(feedbackId: string, token: string): Promise<void>;
  /** The alert status as last written (a strongly consistent read); undefined when the feedback is not stored. */
  currentAlertStatus(feedbackId: string): Promise<AlertStatus | undefined>;
}

export class DynamoDbFeedbackStore implements FeedbackStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: () => string,
    private readonly alertClaimSeconds: () => number,
  ) {}

  async put(record: FeedbackRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName(), Item: record, ConditionExpression: 'attribute_not_exists(feedbackId)' }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw classifyAwsError(error, 'DynamoDB PutItem');
    }
  }

  async claimAlert(feedbackId: string, token: string, now: Date): Promise<boolean> {
    try {
      await this.updateAlert(feedbackId, {
        UpdateExpression: 'SET alertStatus = :publishing, alertClaimToken = :token, alertClaimExpiresAt = :expires',
        ConditionExpression:
          'attribute_exists(feedbackId) AND (alertStatus = :pending OR (alertStatus = :publishing AND alertClaimExpiresAt < :now))',
        ExpressionAttributeValues: {
          ':publishing': 'PUBLISHING',
          ':pending': 'PENDING',
          ':token': token,
          ':now': now.toISOString(),
          ':expires': new Date(now.getTime() + this.alertClaimSeconds() * 1000).toISOString(),
        },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw classifyAwsError(error, 'DynamoDB UpdateItem (claim alert)');
    }
  }

  async markAlertSent(feedbackId: string, token: string, alertMessageId: string, sentAt: Date): Promise<void> {
    try {
      await this.updateAlert(feedbackId, {
        UpdateExpression: 'SET alertStatus = :sent, alertMessageId = :messageId, alertSentAt = :sentAt REMOVE alertClaimToken, alertClaimExpiresAt',
        ConditionExpression: 'alertClaimToken = :token',
        ExpressionAttributeValues: { ':sent': 'SENT', ':messageId': alertMessageId, ':sentAt': sentAt.toISOString(), ':token': token },
      });
    } catch (error) {
      // A lost claim is not an answer here: the alert went out, and another delivery may publish it again.
      throw classifyAwsError(error, 'DynamoDB UpdateItem (mark alert sent)');
    }
  }

  async releaseAlert(feedbackId: string, token: string): Promise<void> {
    try {
      await this.updateAlert(feedbackId, {
        UpdateExpression: 'SET alertStatus = :pending REMOVE alertClaimToken, alertClaimExpiresAt',
        ConditionExpression: 'alertClaimToken = :token',
        ExpressionAttributeValues: { ':pending': 'PENDING', ':token': token },
      });
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw classifyAwsError(error, 'DynamoDB UpdateItem (release alert)');
    }
  }

  async currentAlertStatus(feedbackId: string): Promise<AlertStatus | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName(), Key: { feedbackId }, ProjectionExpression: 'alertStatus', ConsistentRead: true }),
      );
      return Item?.alertStatus as AlertStatus | undefined;
    } catch (error) {
      throw classifyAwsError(error, 'DynamoDB GetItem (alert status)');
    }
  }

  private async updateAlert(
    feedbackId: string,
    update: Required<Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>>,
  ): Promise<void> {
    await this.client.send(new UpdateCommand({ TableName: this.tableName(), Key: { feedbackId }, ...update }));
  }
}

/** The store the handlers use: the feedback table that serverless.yml declares. */
export const feedbackStore: FeedbackStore = /* @__PURE__ */ new DynamoDbFeedbackStore(
  documents,
  () => config.feedbackTable(),
  () => config.alertClaimSeconds(),
);
