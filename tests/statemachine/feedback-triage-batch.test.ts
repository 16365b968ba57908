// The per-batch workflow (statemachines/feedback-triage-batch.asl.json): a Map over the messages of one SQS
// batch whose items run the per-message workflow state for state, each caught on its own.
import '../../local/stepfunctions/polyfills.js';
import aslValidator from 'asl-validator';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { loadServiceDefinition, loadStateMachineDefinition, localFunctionArn } from '../../local/service-definition.js';

type States = Record<string, Record<string, unknown>>;
type Handler = (input: unknown) => Promise<unknown>;

const service = loadServiceDefinition();
const batchMachine = Object.values(service.stateMachines).find((machine) => machine.definitionFile?.endsWith('feedback-triage-batch.asl.json'));
const perMessage = JSON.parse(loadStateMachineDefinition(service, (fn) => localFunctionArn(fn))) as { StartAt: string; States: States; TimeoutSeconds: number };
const batch = JSON.parse(loadStateMachineDefinition(service, (fn) => localFunctionArn(fn), batchMachine?.logicalId)) as StateMachineDefinition & {
  TimeoutSeconds: number;
  States: States;
};
const map = batch.States.TriageEach as { Type: string; MaxConcurrency: number; ItemProcessor: { States: States } };
const wrapper = map.ItemProcessor.States.TriageOne as { Type: string; Branches: Array<{ StartAt: string; States: States }> };

const scores = (positive: number, negative: number) => ({ positive, negative, neutral: 1 - positive - negative, mixed: 0 });
const feedbackFor = (n: number, text = 'I hated this pick.') => ({
  feedbackId: `7a2d4e6f-1b3c-4d5e-8f9a-0b1c2d3e4f${String(n).padStart(2, '0')}`,
  submittedAt: '2026-11-20T18:09:47.000Z',
  bookId: `book-${n}`,
  text,
});

function namedError(name: string, message = `${name} raised`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const negative = { sentiment: 'NEGATIVE', scores: scores(0.05, 0.9), truncated: false, analyzedBytes: 18 };
type BatchInput = { items: Array<{ feedback: { bookId: string } }> };

const defaults: Record<string, Handler> = {
  // One detection per item, in order, as the detectSentiment function answers a batch.
  DetectSentiments: async (input) => (input as BatchInput).items.map(() => ({ sentiment: negative })),
  StoreFeedback: async () => ({ created: true }),
  NotifyNegative: async () => ({ alerted: true, alertMessageId: 'm-1' }),
};

const machine = new StateMachine(structuredClone(batch));

async function runBatch(items: Array<Record<string, unknown>>, overrides: Record<string, Handler> = {}) {
  const calls: Record<string, unknown[]> = { DetectSentiments: [], StoreFeedback: [], NotifyNegative: [] };
  const handlers = Object.fromEntries(
    Object.keys(defaults).map((name) => [
      name,
      async (input: unknown) => {
        calls[name]?.push(input);
        return (overrides[name] ?? defaults[name] as Handler)(input);
      },
    ]),
  );
  const execution = machine.run(
    { items } as never,
    {
      overrides: {
        taskResourceLocalHandlers: handlers as NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'],
        retryIntervalOverrides: Object.fromEntries(Object.keys(defaults).map((name) => [name, 0])),
      },
      context: { Execution: { Id: 'arn:aws:states:us-east-1:000000000000:express:triage-batch:exec-1' } },
    },
  );
  return { output: (await execution.result) as Array<Record<string, unknown>>, calls };
}

/** The execution's failure as AWS reports it: the error name, and the cause. */
async function failureOf(promise: Promise<unknown>): Promise<{ error: string; cause: string }> {
  try {
    await promise;
  } catch (thrown) {
    const inner = (thrown as Error).cause as Error | undefined;
    return { error: inner?.name ?? (thrown as Error).name, cause: inner?.message ?? '' };
  }
  throw new Error('expected the execution to fail');
}

describe('the per-batch definition', () => {
  it('is a second Express machine in serverless.yml with the same task functions (DetectSentiments is DetectSentiment for a batch)', () => {
    expect(batchMachine).toMatchObject({ type: 'EXPRESS', logicalId: 'FeedbackTriageBatchStateMachine' });
    const { DetectSentiment, ...others } = service.stateMachine.taskFunctions;
    expect(batchMachine?.taskFunctions).toEqual({ DetectSentiments: DetectSentiment, ...others });
  });

  it('passes asl-validator', async () => {
    const { isValid, errors } = await aslValidator(structuredClone(batch) as never);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('runs, for each message, exactly the states of the per-message machine after DetectSentiment (they cannot drift apart)', () => {
    expect(map.Type).toBe('Map');
    expect(wrapper.Type).toBe('Parallel');
    expect(wrapper.Branches).toHaveLength(1);
    const { DetectSentiment, ...afterDetection } = perMessage.States;
    const branch = wrapper.Branches[0] as { StartAt: string; States: States };
    const { SentimentDetected, UseDetectedSentiment, DetectionFailed, ...rest } = branch.States;
    expect(rest).toEqual(afterDetection);
    expect(branch.StartAt).toBe('SentimentDetected');
    expect(SentimentDetected).toMatchObject({ Type: 'Choice', Default: 'UseDetectedSentiment' });
    // The detection lands where the per-message DetectSentiment puts its result, or its Catch its error.
    expect(UseDetectedSentiment).toMatchObject({ Type: 'Pass', ResultPath: DetectSentiment?.ResultPath, Next: DetectSentiment?.Next });
    expect(DetectionFailed).toMatchObject({ Type: 'Pass', ResultPath: '$.failure', Next: 'TriageFailed' });
  });

  it('detects the whole batch with the per-message DetectSentiment function, its timeout and its retries', () => {
    const detect = batch.States.DetectSentiments as Record<string, unknown>;
    const perMessageDetect = perMessage.States.DetectSentiment as Record<string, unknown>;
    expect(detect).toMatchObject({ Type: 'Task', Resource: perMessageDetect.Resource, TimeoutSeconds: perMessageDetect.TimeoutSeconds, Next: 'TriageEach' });
    expect(detect.Retry).toEqual(perMessageDetect.Retry);
  });

  it('runs every message of a batch at once, so the per-message timeout budget holds for the batch', () => {
    expect(map.MaxConcurrency).toBe(service.triage.batchSize);
    expect(batch.TimeoutSeconds).toBe(perMessage.TimeoutSeconds);
  });
});

describe('a batch execution', () => {
  it('detects the sentiment of the batch in one call, then triages every message with one result each, in order', async () => {
    const items = [1, 2, 3].map((n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` }));
    const { output, calls } = await runBatch(items);
    expect(output).toEqual(items.map(({ messageId }) => ({ messageId, status: 'SUCCEEDED' })));
    expect(calls.DetectSentiments).toEqual([{ items, executionArn: 'arn:aws:states:us-east-1:000000000000:express:triage-batch:exec-1' }]);
    expect(calls.StoreFeedback).toHaveLength(3);
    // Each message gets its own detection, placed where the per-message machine places it.
    expect(calls.StoreFeedback?.[0]).toEqual({ feedback: feedbackFor(1), sentiment: negative, executionArn: 'arn:aws:states:us-east-1:000000000000:express:triage-batch:exec-1' });
  });

  it('gives each message the detection at its own position', async () => {
    const items = [1, 2].map((n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` }));
    const positive = { ...negative, sentiment: 'POSITIVE', scores: scores(0.9, 0.05) };
    const { calls } = await runBatch(items, { DetectSentiments: async () => [{ sentiment: positive }, { sentiment: negative }] });
    const stored = (calls.StoreFeedback as Array<{ feedback: { bookId: string }; sentiment: unknown }>).map((c) => [c.feedback.bookId, c.sentiment]);
    expect(Object.fromEntries(stored)).toEqual({ 'book-1': positive, 'book-2': negative });
    expect(calls.NotifyNegative).toHaveLength(1);
  });

  it('keeps a document Comprehend refused alone to its own message: failed with that error, the neighbours stored', async () => {
    const items = [1, 2, 3].map((n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` }));
    const refused = { Error: 'PermanentDependencyError', Cause: 'Comprehend BatchDetectSentiment failed: TextSizeLimitExceededException: too long' };
    const { output, calls } = await runBatch(items, {
      DetectSentiments: async () => [{ sentiment: negative }, { failure: refused }, { sentiment: negative }],
    });
    expect(output).toEqual([
      { messageId: 'm-1', status: 'SUCCEEDED' },
      { messageId: 'm-2', status: 'FAILED', failure: refused },
      { messageId: 'm-3', status: 'SUCCEEDED' },
    ]);
    expect(calls.StoreFeedback).toHaveLength(2);
    expect(calls.NotifyNegative).toHaveLength(2);
  });

  it('keeps a permanent failure after detection to its own message', async () => {
    const items = [1, 2, 3].map((n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` }));
    const { output } = await runBatch(items, {
      StoreFeedback: async (input) => {
        if ((input as { feedback: { bookId: string } }).feedback.bookId === 'book-2') throw namedError('PermanentDependencyError', 'DynamoDB refused');
        return { created: true };
      },
    });
    expect(output.map((result) => result.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    expect(output[1]).toMatchObject({ failure: { Error: 'PermanentDependencyError', Cause: expect.stringContaining('DynamoDB refused') } });
  });

  it('retries a transient failure inside the item, then reports it for that message only', async () => {
    let attempts = 0;
    const items = [1, 2].map((n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` }));
    const { output } = await runBatch(items, {
      StoreFeedback: async (input) => {
        if ((input as { feedback: { bookId: string } }).feedback.bookId === 'book-1') {
          attempts++;
          throw namedError('TransientDependencyError', 'DynamoDB PutItem failed: ProvisionedThroughputExceededException');
        }
        return { created: true };
      },
    });
    expect(attempts).toBe(3);
    expect(output).toEqual([
      { messageId: 'm-1', status: 'FAILED', failure: { Error: 'TransientDependencyError', Cause: expect.stringContaining('ProvisionedThroughput') } },
      { messageId: 'm-2', status: 'SUCCEEDED' },
    ]);
  });

  it('outlasts throttling of the batch call, then triages the batch', async () => {
    let attempts = 0;
    const items = [1, 2].map((n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` }));
    const { output, calls } = await runBatch(items, {
      DetectSentiments: async (input) => {
        if (++attempts <= 6) throw namedError('DependencyThrottledError', 'Comprehend BatchDetectSentiment failed: ThrottlingException: Rate exceeded');
        return (defaults.DetectSentiments as Handler)(input);
      },
    });
    expect(attempts).toBe(7);
    expect(output.map((result) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(calls.StoreFeedback).toHaveLength(2);
  });

  it('fails the whole execution with the error when the batch call fails for good, so each message is decided as a failed execution', async () => {
    const items = [1, 2].map((n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` }));
    const calls = { StoreFeedback: 0 };
    const failure = await failureOf(
      runBatch(items, {
        DetectSentiments: async () => {
          throw namedError('PermanentDependencyError', 'Comprehend BatchDetectSentiment failed: UnsupportedLanguageException');
        },
        StoreFeedback: async () => {
          calls.StoreFeedback++;
          return { created: true };
        },
      }),
    );
    expect(failure).toEqual({ error: 'PermanentDependencyError', cause: expect.stringContaining('UnsupportedLanguageException') });
    expect(calls.StoreFeedback).toBe(0);
  });

  it('skips the alert for positive feedback, as the per-message machine does', async () => {
    const { output, calls } = await runBatch([{ feedback: feedbackFor(1, 'Loved it'), messageId: 'm-1' }], {
      DetectSentiments: async () => [{ sentiment: { sentiment: 'POSITIVE', scores: scores(0.9, 0.05), truncated: false, analyzedBytes: 8 } }],
    });
    expect(output).toEqual([{ messageId: 'm-1', status: 'SUCCEEDED' }]);
    expect(calls.NotifyNegative).toHaveLength(0);
  });
});
