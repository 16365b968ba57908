// The consumer in per-batch mode (TRIAGE_MODE=perBatch): one execution for the batch, each message's own
// result mapped back to batchItemFailures and dead letters with the same decisions as per-message mode.
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/feedback-triage/processFeedback/handler.js';
import {
  batchInputs,
  batchOutcomes,
  DETECTION_RESERVE_BYTES,
  MAX_EXECUTION_INPUT_BYTES,
  MISSING_BATCH_RESULT,
  type BatchItemResult,
} from '../../functions/feedback-triage/processFeedback/triage-outcome.js';
import { awsError, deadLetteredBy, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const batch = sampleEvent<SQSEvent>('processFeedback');
const context = lambdaContext('processFeedback');
const [positive, negative, mixed, neutral, malformed] = batch.Records as [SQSRecord, SQSRecord, SQSRecord, SQSRecord, SQSRecord];

function withReceiveCount(record: SQSRecord, count: number): SQSRecord {
  return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(count) } };
}

type Items = Array<{ feedback: { feedbackId: string }; messageId: string }>;

/** Answers each batch execution with one result per item; `failures` by messageId. */
function batchExecution(failures: Record<string, BatchItemResult['failure']> = {}) {
  sfn.on(StartSyncExecutionCommand).callsFake((input: { input: string }) => {
    const { items } = JSON.parse(input.input) as { items: Items };
    const output = items.map(({ messageId }) =>
      failures[messageId] ? { messageId, status: 'FAILED', failure: failures[messageId] } : { messageId, status: 'SUCCEEDED' },
    );
    return { executionArn: 'arn:exec:batch', status: 'SUCCEEDED', output: JSON.stringify(output) };
  });
}

const deadLettered = () => deadLetteredBy(sqs);

beforeAll(() => {
  process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:triage-batch';
  process.env.FEEDBACK_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/feedback-dlq';
  process.env.MAX_RECEIVE_COUNT = '5';
  process.env.TRIAGE_MODE = 'perBatch';
  process.env.EXECUTION_CONCURRENCY = '10';
});
afterAll(() => {
  delete process.env.TRIAGE_MODE;
});
beforeEach(() => {
  sfn.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
});

describe('processFeedback in perBatch mode', () => {
  it('starts one execution for the whole batch, its items in order, and dead-letters the malformed message', async () => {
    batchExecution();
    expect(await handler(batch, context)).toEqual({ batchItemFailures: [] });
    const calls = sfn.commandCalls(StartSyncExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.stateMachineArn).toBe(process.env.STATE_MACHINE_ARN);
    const { items } = JSON.parse(calls[0]?.args[0].input.input ?? '{}') as { items: Items };
    expect(items.map((item) => item.messageId)).toEqual([positive, negative, mixed, neutral].map((record) => record.messageId));
    expect(items[0]?.feedback).toEqual(JSON.parse(positive.body));
    expect(deadLettered()).toEqual([
      { body: malformed.body, errorName: 'InvalidFeedbackError', reason: expect.stringContaining('body is not valid JSON') },
    ]);
  });

  it('retries only the message whose item failed transiently', async () => {
    batchExecution({ [negative.messageId]: { Error: 'TransientDependencyError', Cause: 'throttled' } });
    expect(await handler({ Records: [positive, negative, mixed] }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: negative.messageId }] });
    expect(deadLettered()).toEqual([]);
  });

  it('dead-letters an item that failed for good, with the readable cause, and lets its neighbours go', async () => {
    const cause = JSON.stringify({ errorType: 'PermanentDependencyError', errorMessage: 'Comprehend DetectSentiment failed: UnsupportedLanguageException' });
    batchExecution({ [mixed.messageId]: { Error: 'PermanentDependencyError', Cause: cause } });
    expect(await handler({ Records: [positive, mixed, neutral] }, context)).toEqual({ batchItemFailures: [] });
    expect(deadLettered()).toEqual([
      { body: mixed.body, errorName: 'PermanentDependencyError', reason: 'PermanentDependencyError: Comprehend DetectSentiment failed: UnsupportedLanguageException' },
    ]);
  });

  it('dead-letters a transient item failure on its last allowed receive', async () => {
    batchExecution({ [negative.messageId]: { Error: 'States.Timeout', Cause: 'Task timed out' } });
    expect(await handler({ Records: [positive, withReceiveCount(negative, 5)] }, context)).toEqual({ batchItemFailures: [] });
    expect(deadLettered()[0]?.reason).toContain('gave up after 5 receives');
  });

  it('retries every message when the batch execution itself times out', async () => {
    sfn.on(StartSyncExecutionCommand).resolves({ status: 'TIMED_OUT' });
    const response = await handler({ Records: [positive, negative] }, context);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([positive.messageId, negative.messageId]);
  });

  it('retries every message when StartSyncExecution fails', async () => {
    sfn.on(StartSyncExecutionCommand).rejects(awsError('ThrottlingException'));
    const response = await handler({ Records: [positive, negative, malformed] }, context);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([positive.messageId, negative.messageId]);
    expect(deadLettered()).toHaveLength(1);
  });

  it('splits a batch whose input would pass the 256 KB execution input limit', async () => {
    batchExecution();
    const long = (record: SQSRecord, index: number): SQSRecord => {
      const body = JSON.parse(record.body) as Record<string, unknown>;
      return { ...record, messageId: `${record.messageId}-${index}`, body: JSON.stringify({ ...body, text: '\u{1F600}'.repeat(9_000) + index }) };
    };
    const records = Array.from({ length: 10 }, (_, index) => long(positive, index));
    expect(await handler({ Records: records }, context)).toEqual({ batchItemFailures: [] });
    const inputs = sfn.commandCalls(StartSyncExecutionCommand).map((call) => call.args[0].input.input ?? '');
    expect(inputs.length).toBeGreaterThan(1);
    for (const input of inputs) expect(Buffer.byteLength(input)).toBeLessThanOrEqual(262_144);
    expect(inputs.flatMap((input) => (JSON.parse(input) as { items: Items }).items.map((item) => item.messageId))).toEqual(records.map((r) => r.messageId));
  });
});

describe('batchOutcomes', () => {
  const items = [
    { messageId: 'a', receiveCount: 1 },
    { messageId: 'b', receiveCount: 5 },
    { messageId: 'c', receiveCount: 1 },
  ];

  it('maps each result to the decision a per-message execution would get', () => {
    const output = JSON.stringify([
      { messageId: 'a', status: 'SUCCEEDED' },
      { messageId: 'b', status: 'FAILED', failure: { Error: 'TransientDependencyError', Cause: 'x' } },
      { messageId: 'c', status: 'FAILED', failure: { Error: 'InvalidFeedbackError', Cause: '{"errorMessage":"text must not be empty"}' } },
    ]);
    expect(batchOutcomes({ status: 'SUCCEEDED', output }, items, 5)).toEqual([
      { action: 'triaged' },
      { action: 'dead-letter', errorName: 'TransientDependencyError', reason: expect.stringContaining('gave up after 5 receives') },
      { action: 'dead-letter', errorName: 'InvalidFeedbackError', reason: 'InvalidFeedbackError: text must not be empty' },
    ]);
  });

  it('finds results by messageId when they are out of order, and retries a message with no result', () => {
    const output = JSON.stringify([{ messageId: 'c', status: 'SUCCEEDED' }, { messageId: 'a', status: 'SUCCEEDED' }]);
    const outcomes = batchOutcomes({ status: 'SUCCEEDED', output }, [items[0]!, { messageId: 'd', receiveCount: 1 }, items[2]!], 5);
    expect(outcomes).toEqual([{ action: 'triaged' }, { action: 'retry', errorName: MISSING_BATCH_RESULT, reason: expect.any(String) }, { action: 'triaged' }]);
  });

  it('retries every message when the output is not a list', () => {
    expect(batchOutcomes({ status: 'SUCCEEDED', output: '{"oops":1}' }, [items[0]!], 5)).toEqual([
      { action: 'retry', errorName: MISSING_BATCH_RESULT, reason: expect.any(String) },
    ]);
  });

  it('gives every message the execution outcome when the execution failed as a whole', () => {
    expect(batchOutcomes({ status: 'FAILED', error: 'States.Runtime', cause: 'bad path' }, items, 5).map((o) => o.action)).toEqual(['retry', 'dead-letter', 'retry']);
  });
});

describe('batchInputs', () => {
  it('keeps items together while they fit, in order', () => {
    expect(batchInputs([1, 2, 3], 1000)).toEqual([[1, 2, 3]]);
  });
  it('starts a new input when the next item would pass the limit', () => {
    const item = 'x'.repeat(40);
    // {"items":[]} is 12 bytes; each item is 42 bytes, plus a comma between items.
    expect(batchInputs([item, item, item], 12 + 42 + 1 + 42).map((chunk) => chunk.length)).toEqual([2, 1]);
  });
  it('gives an item too large on its own an input of its own', () => {
    expect(batchInputs(['small', 'x'.repeat(100), 'small'], 40).map((chunk) => chunk.length)).toEqual([1, 1, 1]);
  });
  it('leaves room in the execution state for each item\'s detection', () => {
    const item = 'x'.repeat(40);
    // Without the reserve three items fit in 12 + 3 x 42 + 2 bytes; with 10 bytes kept free for each, two do.
    expect(batchInputs([item, item, item], 12 + 3 * 42 + 2).map((chunk) => chunk.length)).toEqual([3]);
    expect(batchInputs([item, item, item], 12 + 3 * 42 + 2, undefined, 10).map((chunk) => chunk.length)).toEqual([2, 1]);
  });
  it('keeps ten of the longest feedback the intake accepts, with their detections, under 256 KB per execution', () => {
    // 10,000 characters of 4-byte UTF-8 each: about 40 KB of JSON; six fit one input with their reserved room.
    const longest = { feedback: { text: '😀'.repeat(10_000) }, messageId: 'm' };
    const chunks = batchInputs(Array.from({ length: 10 }, () => longest), MAX_EXECUTION_INPUT_BYTES, undefined, DETECTION_RESERVE_BYTES);
    for (const chunk of chunks) {
      expect(Buffer.byteLength(JSON.stringify({ items: chunk })) + chunk.length * DETECTION_RESERVE_BYTES).toBeLessThanOrEqual(MAX_EXECUTION_INPUT_BYTES);
    }
    expect(chunks.flat()).toHaveLength(10);
  });
});
