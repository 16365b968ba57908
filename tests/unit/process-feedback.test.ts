import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { jest } from '@jest/globals';
import { BATCH_PROCESSED_LOG_MESSAGE, handler } from '../../functions/feedback-triage/processFeedback/handler.js';
import { logger } from '../../functions/shared/logger.js';
import { loadServiceDefinition } from '../../local/service-definition.js';
import { executionOutcome, readableCause } from '../../functions/feedback-triage/processFeedback/triage-outcome.js';
import { awsError, deadLetteredBy, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const batch = sampleEvent<SQSEvent>('processFeedback');
const context = lambdaContext('processFeedback');
const [positive, negative, mixed, neutral, malformed] = batch.Records as [SQSRecord, SQSRecord, SQSRecord, SQSRecord, SQSRecord];
const feedbackIdOf = (record: SQSRecord) => (JSON.parse(record.body) as { feedbackId: string }).feedbackId;

function withReceiveCount(record: SQSRecord, count: number): SQSRecord {
  return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(count) } };
}

function executionFor(outcomes: Record<string, { status: string; error?: string; cause?: string }>) {
  sfn.on(StartSyncExecutionCommand).callsFake((input: { input: string }) => {
    const { feedback } = JSON.parse(input.input) as { feedback: { feedbackId: string } };
    return { executionArn: `arn:exec:${feedback.feedbackId}`, ...(outcomes[feedback.feedbackId] ?? { status: 'SUCCEEDED' }) };
  });
}

const deadLettered = () => deadLetteredBy(sqs);

beforeAll(() => {
  process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:triage';
  process.env.FEEDBACK_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/feedback-dlq';
  process.env.MAX_RECEIVE_COUNT = '5';
  process.env.EXECUTION_CONCURRENCY = '10';
  process.env.TRIAGE_MODE = 'perMessage';
});
beforeEach(() => {
  sfn.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
});

describe('processFeedback handler', () => {
  it('starts one synchronous execution per valid message and dead-letters the malformed one', async () => {
    executionFor({});
    const response = await handler(batch, context);
    expect(response).toEqual({ batchItemFailures: [] });
    const inputs = sfn.commandCalls(StartSyncExecutionCommand).map((call) => JSON.parse(call.args[0].input.input ?? '{}'));
    expect(inputs.map((input) => input.feedback.feedbackId).sort()).toEqual(
      [positive, negative, mixed, neutral].map(feedbackIdOf).sort(),
    );
    expect(inputs.find((input) => input.feedback.feedbackId === feedbackIdOf(negative))?.messageId).toBe(negative.messageId);
    expect(deadLettered()).toEqual([
      { body: malformed.body, errorName: 'InvalidFeedbackError', reason: expect.stringContaining('body is not valid JSON') },
    ]);
  });

  it('checks the status: a FAILED execution with a transient error is retried through batchItemFailures', async () => {
    executionFor({ [feedbackIdOf(negative)]: { status: 'FAILED', error: 'TransientDependencyError', cause: 'throttled' } });
    const response = await handler({ Records: [positive, negative] }, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: negative.messageId }] });
    expect(deadLettered()).toHaveLength(0);
  });

  it('retries a TIMED_OUT execution', async () => {
    executionFor({ [feedbackIdOf(mixed)]: { status: 'TIMED_OUT' } });
    expect(await handler({ Records: [mixed] }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: mixed.messageId }] });
  });

  it('dead-letters a permanent failure at once, with the readable cause as its reason', async () => {
    const cause = JSON.stringify({ errorType: 'PermanentDependencyError', errorMessage: 'Comprehend DetectSentiment failed: UnsupportedLanguageException' });
    executionFor({ [feedbackIdOf(negative)]: { status: 'FAILED', error: 'PermanentDependencyError', cause } });
    expect(await handler({ Records: [negative] }, context)).toEqual({ batchItemFailures: [] });
    expect(deadLettered()).toEqual([
      {
        body: negative.body,
        errorName: 'PermanentDependencyError',
        reason: 'PermanentDependencyError: Comprehend DetectSentiment failed: UnsupportedLanguageException',
      },
    ]);
  });

  it('dead-letters a transient failure on its last allowed receive, saying it gave up', async () => {
    executionFor({ [feedbackIdOf(negative)]: { status: 'FAILED', error: 'States.Timeout', cause: 'Task timed out' } });
    expect(await handler({ Records: [withReceiveCount(negative, 5)] }, context)).toEqual({ batchItemFailures: [] });
    expect(deadLettered()[0]?.reason).toContain('gave up after 5 receives');
  });

  it('retries when StartSyncExecution itself fails', async () => {
    sfn.on(StartSyncExecutionCommand).rejects(awsError('ThrottlingException'));
    expect(await handler({ Records: [positive] }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: positive.messageId }] });
  });

  it('keeps the message on the queue when the dead-letter queue cannot be written', async () => {
    sqs.on(SendMessageCommand).rejects(awsError('InternalError', 500));
    expect(await handler({ Records: [malformed] }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: malformed.messageId }] });
  });

  it('runs at most EXECUTION_CONCURRENCY executions at once', async () => {
    process.env.EXECUTION_CONCURRENCY = '2';
    let running = 0;
    let peak = 0;
    sfn.on(StartSyncExecutionCommand).callsFake(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return { status: 'SUCCEEDED' };
    });
    try {
      await handler({ Records: [positive, negative, mixed, neutral] }, context);
    } finally {
      process.env.EXECUTION_CONCURRENCY = '10';
    }
    expect(peak).toBe(2);
  });

  it('answers an empty batch with no failures', async () => {
    expect(await handler({ Records: [] }, context)).toEqual({ batchItemFailures: [] });
  });
});

describe('the retried-messages alarm', () => {
  it('counts the failures of the line each batch ends with, in both modes (a failed per-batch item leaves its execution SUCCEEDED)', async () => {
    const filter = loadServiceDefinition().resources.MessagesRetriedMetricFilter?.Properties as {
      FilterPattern: string;
      MetricTransformations: Array<{ MetricValue: string }>;
    };
    expect(filter.FilterPattern).toBe(`{ $.message = "${BATCH_PROCESSED_LOG_MESSAGE}" && $.failures > 0 }`);
    expect(filter.MetricTransformations[0]?.MetricValue).toBe('$.failures');
    const info = jest.spyOn(logger, 'info');
    try {
      executionFor({ [feedbackIdOf(negative)]: { status: 'FAILED', error: 'TransientDependencyError', cause: 'throttled' } });
      await handler({ Records: [positive, negative] }, context);
      expect(info).toHaveBeenCalledWith(BATCH_PROCESSED_LOG_MESSAGE, { mode: 'perMessage', records: 2, failures: 1 });
    } finally {
      info.mockRestore();
    }
  });
});

describe('executionOutcome', () => {
  it.each([
    [{ status: 'SUCCEEDED' }, 1, 'triaged'],
    [{ status: 'FAILED', error: 'InvalidFeedbackError' }, 1, 'dead-letter'],
    [{ status: 'FAILED', error: 'TransientDependencyError' }, 4, 'retry'],
    [{ status: 'FAILED', error: 'TransientDependencyError' }, 5, 'dead-letter'],
    [{ status: 'TIMED_OUT' }, 1, 'retry'],
    [{ status: 'ABORTED' }, 1, 'retry'],
  ])('%j on receive %d: %s', (execution, receiveCount, action) => {
    expect(executionOutcome(execution, receiveCount, 5).action).toBe(action);
  });

  it('names a timed-out execution States.Timeout', () => {
    expect(executionOutcome({ status: 'TIMED_OUT' }, 1, 5)).toMatchObject({ errorName: 'States.Timeout' });
  });
});

describe('readableCause', () => {
  it('takes the message out of a Lambda error cause', () => {
    expect(readableCause('{"errorType":"X","errorMessage":"it broke"}')).toBe('it broke');
  });
  it('keeps a plain cause as it is', () => {
    expect(readableCause('plain words')).toBe('plain words');
  });
});
