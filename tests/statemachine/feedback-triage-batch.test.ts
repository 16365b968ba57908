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

const defaults: Record<string, Handler> = {
  DetectSentiment: async () => ({ sentiment: 'NEGATIVE', scores: scores(0.05, 0.9), truncated: false, analyzedBytes: 18 }),
  StoreFeedback: async () => ({ created: true }),
  NotifyNegative: async () => ({ alerted: true, alertMessageId: 'm-1' }),
};

const machine = new StateMachine(structuredClone(batch));

async function runBatch(items: Array<Record<string, unknown>>, overrides: Record<string, Handler> = {}) {
  const calls: Record<string, unknown[]> = { DetectSentiment: [], StoreFeedback: [], NotifyNegative: [] };
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

describe('the per-batch definition', () => {
  it('is a second Express machine in serverless.yml with the same task functions', () => {
    expect(batchMachine).toMatchObject({ type: 'EXPRESS', logicalId: 'FeedbackTriageBatchStateMachine' });
    expect(batchMachine?.taskFunctions).toEqual(service.stateMachine.taskFunctions);
  });

  it('passes asl-validator', async () => {
    const { isValid, errors } = await aslValidator(structuredClone(batch) as never);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('runs, for each message, exactly the states of the per-message machine (they cannot drift apart)', () => {
    expect(map.Type).toBe('Map');
    expect(wrapper.Type).toBe('Parallel');
    expect(wrapper.Branches).toHaveLength(1);
    expect(wrapper.Branches[0]).toEqual({ StartAt: perMessage.StartAt, States: perMessage.States });
  });

  it('runs every message of a batch at once, so the per-message timeout budget holds for the batch', () => {
    expect(map.MaxConcurrency).toBeGreaterThanOrEqual(service.triage.batchSize);
    expect(map.MaxConcurrency).toBe(service.triage.executionConcurrency);
    expect(batch.TimeoutSeconds).toBe(perMessage.TimeoutSeconds);
  });
});

describe('a batch execution', () => {
  it('triages every message and answers one result per message, in order', async () => {
    const items = [1, 2, 3].map((n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` }));
    const { output, calls } = await runBatch(items);
    expect(output).toEqual(items.map(({ messageId }) => ({ messageId, status: 'SUCCEEDED' })));
    expect(calls.StoreFeedback).toHaveLength(3);
    expect(calls.DetectSentiment?.[0]).toEqual({ feedback: feedbackFor(1), executionArn: 'arn:aws:states:us-east-1:000000000000:express:triage-batch:exec-1' });
  });

  it('keeps a permanent failure to its own message: the neighbours are stored and alerted', async () => {
    const items = [1, 2, 3].map((n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` }));
    const { output, calls } = await runBatch(items, {
      DetectSentiment: async (input) => {
        if ((input as { feedback: { bookId: string } }).feedback.bookId === 'book-2') {
          throw namedError('PermanentDependencyError', 'Comprehend DetectSentiment failed: UnsupportedLanguageException');
        }
        return defaults.DetectSentiment?.(input);
      },
    });
    expect(output[0]).toEqual({ messageId: 'm-1', status: 'SUCCEEDED' });
    expect(output[1]).toEqual({
      messageId: 'm-2',
      status: 'FAILED',
      failure: { Error: 'PermanentDependencyError', Cause: expect.stringContaining('UnsupportedLanguageException') },
    });
    expect(output[2]).toEqual({ messageId: 'm-3', status: 'SUCCEEDED' });
    expect(calls.StoreFeedback).toHaveLength(2);
    expect(calls.NotifyNegative).toHaveLength(2);
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

  it('skips the alert for positive feedback, as the per-message machine does', async () => {
    const { output, calls } = await runBatch([{ feedback: feedbackFor(1, 'Loved it'), messageId: 'm-1' }], {
      DetectSentiment: async () => ({ sentiment: 'POSITIVE', scores: scores(0.9, 0.05), truncated: false, analyzedBytes: 8 }),
    });
    expect(output).toEqual([{ messageId: 'm-1', status: 'SUCCEEDED' }]);
    expect(calls.NotifyNegative).toHaveLength(0);
  });
});
