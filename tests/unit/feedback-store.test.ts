import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { isConditionFailure } from '../../functions/shared/errors.js';
import { expiryOf, feedbackStore, toFeedbackRecord, type FeedbackRecord } from '../../functions/shared/feedback-store.js';
import type { TriageStateEvent } from '../../functions/shared/state-event.js';
import { awsError, sampleEvent } from '../helpers/lambda.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const event = sampleEvent<TriageStateEvent>('storeFeedback');
const feedbackId = event.feedback.feedbackId;
const now = new Date('2026-03-01T12:00:00.000Z');
const retentionDays = 365;
const record: FeedbackRecord = toFeedbackRecord(event.feedback, event.sentiment!, now, retentionDays);
const sdkConditionFailure = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeAll(() => {
  process.env.FEEDBACK_TABLE = 'feedback-test';
  process.env.ALERT_CLAIM_SECONDS = '30';
});
beforeEach(() => dynamo.reset());

/** The errors DynamoDB answers with, and the named error the state machine must see for each. */
const failures = [
  ['ProvisionedThroughputExceededException', 400, 'TransientDependencyError'],
  ['ThrottlingException', 400, 'TransientDependencyError'],
  ['RequestLimitExceeded', 400, 'TransientDependencyError'],
  ['TransactionConflictException', 400, 'TransientDependencyError'],
  ['InternalServerError', 500, 'TransientDependencyError'],
  ['ServiceUnavailable', 503, 'TransientDependencyError'],
  ['ResourceNotFoundException', 400, 'PermanentDependencyError'],
  ['ValidationException', 400, 'PermanentDependencyError'],
  ['AccessDeniedException', 400, 'PermanentDependencyError'],
  ['ItemCollectionSizeLimitExceededException', 400, 'PermanentDependencyError'],
] as const;

const resetSocket = () => Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });

describe('toFeedbackRecord', () => {
  it('keeps the feedback and its sentiment, and marks negative feedback as waiting for its alert', () => {
    expect(record).toMatchObject({ ...event.feedback, ...event.sentiment, alertStatus: 'PENDING', storedAt: now.toISOString() });
  });

  it('needs no alert for positive feedback, and counts characters, not UTF-16 units', () => {
    const positive = { ...event.sentiment!, sentiment: 'POSITIVE' as const, scores: { positive: 0.9, negative: 0.02, neutral: 0.07, mixed: 0.01 } };
    const stored = toFeedbackRecord({ ...event.feedback, text: 'Loved it 📚' }, positive, now, retentionDays);
    expect(stored.alertStatus).toBe('NOT_REQUIRED');
    expect(stored.textChars).toBe(10);
  });

  it('expires the record its retention in days after it was stored, in epoch seconds as DynamoDB TTL reads them', () => {
    // 2026-03-01T12:00:00Z plus 365 days is 2027-03-01T12:00:00Z.
    expect(record.expiresAt).toBe(Date.parse('2027-03-01T12:00:00.000Z') / 1000);
    expect(Number.isInteger(record.expiresAt)).toBe(true);
  });

  it('counts whole seconds from the moment of storing, dropping its milliseconds', () => {
    expect(expiryOf(new Date('2026-03-01T12:00:00.999Z'), 1)).toBe(Date.parse('2026-03-02T12:00:00.000Z') / 1000);
    expect(expiryOf(new Date('2026-03-01T12:00:00.999Z'), 90)).toBe(Date.parse('2026-05-30T12:00:00.000Z') / 1000);
  });
});

describe('isConditionFailure', () => {
  it('recognises the SDK exception and an error of that name alike, and nothing else', () => {
    expect(isConditionFailure(sdkConditionFailure())).toBe(true);
    expect(isConditionFailure(awsError('ConditionalCheckFailedException'))).toBe(true);
    expect(isConditionFailure(awsError('TransactionCanceledException'))).toBe(false);
    expect(isConditionFailure(undefined)).toBe(false);
    expect(isConditionFailure('ConditionalCheckFailedException')).toBe(false);
  });
});

describe('feedbackStore.put', () => {
  it('writes the record only if its feedbackId is new', async () => {
    dynamo.on(PutCommand).resolves({});
    await expect(feedbackStore.put(record)).resolves.toBe(true);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'feedback-test',
      Item: record,
      ConditionExpression: 'attribute_not_exists(feedbackId)',
    });
  });

  it.each([
    ['the SDK exception', sdkConditionFailure],
    ['an error of that name', () => awsError('ConditionalCheckFailedException')],
  ])('answers false when the record is there already (%s)', async (_case, failure) => {
    dynamo.on(PutCommand).rejects(failure());
    await expect(feedbackStore.put(record)).resolves.toBe(false);
  });

  it.each(failures)('turns %s (HTTP %d) into %s', async (name, status, expected) => {
    dynamo.on(PutCommand).rejects(awsError(name, status));
    await expect(feedbackStore.put(record)).rejects.toMatchObject({ name: expected, message: expect.stringContaining(`DynamoDB PutItem failed: ${name}`) });
  });

  it('treats a connection reset before any answer as transient', async () => {
    dynamo.on(PutCommand).rejects(resetSocket());
    await expect(feedbackStore.put(record)).rejects.toMatchObject({ name: 'TransientDependencyError' });
  });
});

describe('feedbackStore.claimAlert', () => {
  it('takes a pending alert, or one whose lease ran out, for the lease the configuration gives', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await expect(feedbackStore.claimAlert(feedbackId, 'token-1', now)).resolves.toBe(true);
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ feedbackId });
    expect(input?.ConditionExpression).toBe(
      'attribute_exists(feedbackId) AND (alertStatus = :pending OR (alertStatus = :publishing AND alertClaimExpiresAt < :now))',
    );
    expect(input?.ExpressionAttributeValues).toEqual({
      ':publishing': 'PUBLISHING',
      ':pending': 'PENDING',
      ':token': 'token-1',
      ':now': '2026-03-01T12:00:00.000Z',
      ':expires': '2026-03-01T12:00:30.000Z',
    });
  });

  it('answers false when the alert is not there to take', async () => {
    dynamo.on(UpdateCommand).rejects(sdkConditionFailure());
    await expect(feedbackStore.claimAlert(feedbackId, 'token-1', now)).resolves.toBe(false);
  });

  it.each(failures)('turns %s (HTTP %d) into %s', async (name, status, expected) => {
    dynamo.on(UpdateCommand).rejects(awsError(name, status));
    await expect(feedbackStore.claimAlert(feedbackId, 'token-1', now)).rejects.toMatchObject({
      name: expected,
      message: expect.stringContaining('claim alert'),
    });
  });
});

describe('feedbackStore.markAlertSent', () => {
  it('records the message id and time under the claim it holds', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await feedbackStore.markAlertSent(feedbackId, 'token-1', 'sns-1', now);
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('alertClaimToken = :token');
    expect(input?.UpdateExpression).toContain('REMOVE alertClaimToken, alertClaimExpiresAt');
    expect(input?.ExpressionAttributeValues).toEqual({ ':sent': 'SENT', ':messageId': 'sns-1', ':sentAt': now.toISOString(), ':token': 'token-1' });
  });

  it('fails for good when the claim was taken over: the alert may go out twice, and the execution says so', async () => {
    dynamo.on(UpdateCommand).rejects(sdkConditionFailure());
    await expect(feedbackStore.markAlertSent(feedbackId, 'token-1', 'sns-1', now)).rejects.toMatchObject({
      name: 'PermanentDependencyError',
      message: expect.stringContaining('(mark alert sent) failed: ConditionalCheckFailedException'),
    });
  });

  it.each(failures)('turns %s (HTTP %d) into %s', async (name, status, expected) => {
    dynamo.on(UpdateCommand).rejects(awsError(name, status));
    await expect(feedbackStore.markAlertSent(feedbackId, 'token-1', 'sns-1', now)).rejects.toMatchObject({ name: expected });
  });
});

describe('feedbackStore.releaseAlert', () => {
  it('puts the alert back to PENDING under the claim it holds', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await feedbackStore.releaseAlert(feedbackId, 'token-1');
    const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('alertClaimToken = :token');
    expect(input?.ExpressionAttributeValues).toEqual({ ':pending': 'PENDING', ':token': 'token-1' });
  });

  it('leaves a claim taken over since alone, quietly', async () => {
    dynamo.on(UpdateCommand).rejects(sdkConditionFailure());
    await expect(feedbackStore.releaseAlert(feedbackId, 'token-1')).resolves.toBeUndefined();
  });

  it.each(failures)('turns %s (HTTP %d) into %s', async (name, status, expected) => {
    dynamo.on(UpdateCommand).rejects(awsError(name, status));
    await expect(feedbackStore.releaseAlert(feedbackId, 'token-1')).rejects.toMatchObject({ name: expected });
  });
});

describe('feedbackStore.currentAlertStatus', () => {
  it('reads the status strongly consistently', async () => {
    dynamo.on(GetCommand).resolves({ Item: { alertStatus: 'SENT' } });
    await expect(feedbackStore.currentAlertStatus(feedbackId)).resolves.toBe('SENT');
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'feedback-test',
      Key: { feedbackId },
      ProjectionExpression: 'alertStatus',
      ConsistentRead: true,
    });
  });

  it('answers undefined for feedback not stored yet', async () => {
    dynamo.on(GetCommand).resolves({});
    await expect(feedbackStore.currentAlertStatus(feedbackId)).resolves.toBeUndefined();
  });

  it.each(failures)('turns %s (HTTP %d) into %s', async (name, status, expected) => {
    dynamo.on(GetCommand).rejects(awsError(name, status));
    await expect(feedbackStore.currentAlertStatus(feedbackId)).rejects.toMatchObject({
      name: expected,
      message: expect.stringContaining('DynamoDB GetItem (alert status)'),
    });
  });
});
