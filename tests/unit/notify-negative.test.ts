import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { formatAlert } from '../../functions/feedback-triage/notifyNegative/alert.js';
import { handler } from '../../functions/feedback-triage/notifyNegative/handler.js';
import type { TriageStateEvent } from '../../functions/shared/state-event.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const event = sampleEvent<TriageStateEvent>('notifyNegative');
const context = lambdaContext('notifyNegative');
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const updates = () => dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);

beforeAll(() => {
  process.env.FEEDBACK_TABLE = 'feedback-test';
  process.env.ALERT_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:alerts';
  process.env.ALERT_CLAIM_SECONDS = '30';
});
beforeEach(() => {
  dynamo.reset();
  sns.reset();
});

describe('formatAlert', () => {
  it('names the book, the sentiment with scores, the feedbackId and a short excerpt', () => {
    const longText = `${event.feedback.text} ${'and more '.repeat(100)}`;
    const alert = formatAlert({ ...event.feedback, text: longText }, event.sentiment!);
    expect(alert.subject).toBe('Negative feedback on infinite-jest');
    expect(alert.message).toContain('NEGATIVE feedback on book infinite-jest (rated 1/5)');
    expect(alert.message).toContain('negative 0.95, positive 0.01, neutral 0.02, mixed 0.02');
    expect(alert.message).toContain(`Feedback id: ${event.feedback.feedbackId}`);
    expect(alert.message).not.toContain(longText);
    expect(alert.message).toMatch(/Excerpt: "I hated this pick\..{0,200}…"/);
    expect(alert.attributes).toEqual({
      sentiment: { DataType: 'String', StringValue: 'NEGATIVE' },
      bookId: { DataType: 'String', StringValue: 'infinite-jest' },
      feedbackId: { DataType: 'String', StringValue: event.feedback.feedbackId },
      rating: { DataType: 'Number', StringValue: '1' },
    });
  });
});

describe('notifyNegative handler', () => {
  it('claims the alert, publishes it and marks it sent', async () => {
    dynamo.on(UpdateCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
    await expect(handler(event, context)).resolves.toEqual({ alerted: true, alertMessageId: 'sns-message-1' });
    const [claim, sent] = updates();
    expect(claim?.ConditionExpression).toContain('alertStatus = :pending');
    expect(claim?.ExpressionAttributeValues?.[':publishing']).toBe('PUBLISHING');
    expect(sent?.ExpressionAttributeValues).toMatchObject({ ':sent': 'SENT', ':messageId': 'sns-message-1' });
    expect(sent?.ExpressionAttributeValues?.[':token']).toBe(claim?.ExpressionAttributeValues?.[':token']);
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:alerts');
    expect(publish?.MessageAttributes?.sentiment?.StringValue).toBe('NEGATIVE');
  });

  it('does not publish again when an earlier delivery already sent the alert', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { alertStatus: 'SENT' } });
    await expect(handler(event, context)).resolves.toEqual({ alerted: false, skipped: 'already-sent' });
    expect(sns.calls()).toHaveLength(0);
  });

  it('asks for a retry while another delivery holds the claim', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { alertStatus: 'PUBLISHING' } });
    await expect(handler(event, context)).rejects.toMatchObject({ name: 'AlertInProgressError' });
    expect(sns.calls()).toHaveLength(0);
  });

  it('treats a feedback not stored yet as transient', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({});
    await expect(handler(event, context)).rejects.toMatchObject({ name: 'TransientDependencyError' });
  });

  it.each([
    ['ThrottledException', 400, 'TransientDependencyError'],
    ['InternalErrorException', 500, 'TransientDependencyError'],
    ['AuthorizationErrorException', 403, 'PermanentDependencyError'],
    ['NotFoundException', 404, 'PermanentDependencyError'],
  ])('releases the claim when SNS answers %s (HTTP %d), raising %s', async (name, status, expected) => {
    dynamo.on(UpdateCommand).resolves({});
    sns.on(PublishCommand).rejects(awsError(name, status));
    await expect(handler(event, context)).rejects.toMatchObject({ name: expected });
    const [claim, release] = updates();
    expect(release?.ExpressionAttributeValues).toMatchObject({
      ':pending': 'PENDING',
      ':token': claim?.ExpressionAttributeValues?.[':token'],
    });
  });

  it('reports a DynamoDB throttle on the claim as transient, before publishing', async () => {
    dynamo.on(UpdateCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    await expect(handler(event, context)).rejects.toMatchObject({ name: 'TransientDependencyError' });
    expect(sns.calls()).toHaveLength(0);
  });

  it('refuses an event without sentiment', async () => {
    await expect(handler({ ...event, sentiment: undefined }, context)).rejects.toMatchObject({ name: 'InvalidFeedbackError' });
  });
});
