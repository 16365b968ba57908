import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/feedback-triage/storeFeedback/handler.js';
import type { TriageStateEvent } from '../../functions/shared/state-event.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const event = sampleEvent<TriageStateEvent>('storeFeedback');
const context = lambdaContext('storeFeedback');

beforeAll(() => {
  process.env.FEEDBACK_TABLE = 'feedback-test';
});
beforeEach(() => {
  dynamo.reset();
  process.env.FEEDBACK_RETENTION_DAYS = '30';
});

describe('storeFeedback handler', () => {
  it('writes the feedback with its sentiment, only if the feedbackId is new', async () => {
    dynamo.on(PutCommand).resolves({});
    await expect(handler(event, context)).resolves.toEqual({ created: true });
    const input = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.TableName).toBe('feedback-test');
    expect(input?.ConditionExpression).toBe('attribute_not_exists(feedbackId)');
    expect(input?.Item).toMatchObject({
      feedbackId: event.feedback.feedbackId,
      bookId: event.feedback.bookId,
      text: event.feedback.text,
      sentiment: 'NEGATIVE',
      scores: event.sentiment?.scores,
      alertStatus: 'PENDING',
    });
    const storedAtSeconds = Date.parse(String(input?.Item?.storedAt)) / 1000;
    expect(storedAtSeconds).not.toBeNaN();
    // FEEDBACK_RETENTION_DAYS is 30: the TTL attribute is storedAt plus 30 days, in whole epoch seconds.
    expect(input?.Item?.expiresAt).toBe(Math.floor(storedAtSeconds) + 30 * 86_400);
  });

  it.each([
    ['missing', undefined, 'Missing environment variable FEEDBACK_RETENTION_DAYS'],
    ['zero', '0', 'FEEDBACK_RETENTION_DAYS must be a whole number of days, at least 1, got "0"'],
    ['fractional', '1.5', 'FEEDBACK_RETENTION_DAYS must be a whole number of days, at least 1, got "1.5"'],
    ['not a number', 'a year', 'FEEDBACK_RETENTION_DAYS must be a whole number of days, at least 1, got "a year"'],
    ['negative', '-7', 'FEEDBACK_RETENTION_DAYS must be a whole number of days, at least 1, got "-7"'],
  ])('stores nothing when the retention is %s', async (_case, value, message) => {
    if (value === undefined) delete process.env.FEEDBACK_RETENTION_DAYS;
    else process.env.FEEDBACK_RETENTION_DAYS = value;
    dynamo.on(PutCommand).resolves({});
    await expect(handler(event, context)).rejects.toThrow(message);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('marks positive feedback as needing no alert', async () => {
    dynamo.on(PutCommand).resolves({});
    const positive = {
      ...event,
      sentiment: { ...event.sentiment!, sentiment: 'POSITIVE' as const, scores: { positive: 0.9, negative: 0.02, neutral: 0.07, mixed: 0.01 } },
    };
    await handler(positive, context);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item?.alertStatus).toBe('NOT_REQUIRED');
  });

  it('treats a second delivery of the same feedback as success', async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(handler(event, context)).resolves.toEqual({ created: false });
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400, 'TransientDependencyError'],
    ['InternalServerError', 500, 'TransientDependencyError'],
    ['ResourceNotFoundException', 400, 'PermanentDependencyError'],
    ['ValidationException', 400, 'PermanentDependencyError'],
  ])('turns DynamoDB %s (HTTP %d) into %s', async (name, status, expected) => {
    dynamo.on(PutCommand).rejects(awsError(name, status));
    await expect(handler(event, context)).rejects.toMatchObject({ name: expected });
  });

  it('refuses to store feedback without its sentiment', async () => {
    await expect(handler({ ...event, sentiment: undefined }, context)).rejects.toMatchObject({
      name: 'InvalidFeedbackError',
      field: 'sentiment',
    });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('refuses malformed feedback', async () => {
    const bad = { ...event, feedback: { ...event.feedback, feedbackId: 'x' } };
    await expect(handler(bad, context)).rejects.toMatchObject({ name: 'InvalidFeedbackError', field: 'feedbackId' });
  });
});
