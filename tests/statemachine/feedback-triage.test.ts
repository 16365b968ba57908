// Executes the real ASL file with aws-local-stepfunctions: every Choice branch, Retry, Catch and timeout.
import '../../local/stepfunctions/polyfills.js';
import aslValidator from 'asl-validator';
import { ExecutionTimeoutError, StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  loadServiceDefinition,
  loadStateMachineDefinition,
  localFunctionArn,
} from '../../local/service-definition.js';

const service = loadServiceDefinition();
const definitionText = loadStateMachineDefinition(service, (fn) => localFunctionArn(fn));
const definition = JSON.parse(definitionText) as StateMachineDefinition & { States: Record<string, Record<string, unknown>> };

const feedback = {
  feedbackId: '7a2d4e6f-1b3c-4d5e-8f9a-0b1c2d3e4f52',
  submittedAt: '2026-11-20T18:09:47.000Z',
  bookId: 'infinite-jest',
  text: 'I hated this pick.',
};
const scores = (positive: number, negative: number) => ({ positive, negative, neutral: 1 - positive - negative, mixed: 0 });

type Handler = (input: unknown) => Promise<unknown>;
type TaskName = 'DetectSentiment' | 'StoreFeedback' | 'NotifyNegative';

function namedError(name: string, message = `${name} raised`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Builds task handlers that record their calls; each can be replaced per test. */
function tasks(overrides: Partial<Record<TaskName, Handler>> = {}) {
  const calls: Record<TaskName, unknown[]> = { DetectSentiment: [], StoreFeedback: [], NotifyNegative: [] };
  const defaults: Record<TaskName, Handler> = {
    DetectSentiment: async () => ({ sentiment: 'NEGATIVE', scores: scores(0.05, 0.9), truncated: false, analyzedBytes: 18 }),
    StoreFeedback: async () => ({ created: true }),
    NotifyNegative: async () => ({ alerted: true, alertMessageId: 'm-1' }),
  };
  const handlers = Object.fromEntries(
    (Object.keys(defaults) as TaskName[]).map((name) => [
      name,
      async (input: unknown) => {
        calls[name].push(input);
        return (overrides[name] ?? defaults[name])(input);
      },
    ]),
  );
  return { calls, handlers };
}

// Construction validates the definition and costs ~100 ms: build each machine once.
const machine = new StateMachine(definition);
const noRetryDelay = Object.fromEntries(['DetectSentiment', 'StoreFeedback', 'NotifyNegative'].map((name) => [name, 0]));

async function execute(handlers: Record<string, Handler>, stateMachine = machine) {
  const execution = stateMachine.run(
    { feedback, messageId: 'm-42' },
    {
      overrides: {
        taskResourceLocalHandlers: handlers as NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'],
        retryIntervalOverrides: noRetryDelay,
      },
      context: { Execution: { Id: 'arn:aws:states:us-east-1:000000000000:express:triage:exec-1' } },
    },
  );
  return execution.result;
}

/** The execution's failure as AWS reports it: the error name, and the cause (the library keeps it as the message). */
async function failure(promise: Promise<unknown>): Promise<{ error: string; cause: string; thrown: Error }> {
  try {
    await promise;
  } catch (thrown) {
    const inner = (thrown as Error).cause as Error | undefined;
    return { error: inner?.name ?? (thrown as Error).name, cause: inner?.message ?? '', thrown: thrown as Error };
  }
  throw new Error('expected the execution to fail');
}

describe('the definition', () => {
  it('passes asl-validator', async () => {
    const { isValid, errors } = await aslValidator(definition as never);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('gives every Task a timeout, a Retry on transient errors and a Catch on States.ALL', () => {
    const taskStates = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
    expect(taskStates.map(([name]) => name)).toEqual(['DetectSentiment', 'StoreFeedback', 'NotifyNegative']);
    for (const [, state] of taskStates) {
      expect(state.TimeoutSeconds).toBeGreaterThan(0);
      const retriers = state.Retry as Array<Record<string, unknown>>;
      // The names AWS documents for a Lambda Task's transient failures, Lambda.Unknown (timeouts, out of memory) included.
      expect(retriers[0]?.ErrorEquals).toEqual(
        expect.arrayContaining(['Lambda.ServiceException', 'Lambda.Unknown', 'Lambda.ClientExecutionTimeoutException', 'TransientDependencyError']),
      );
      for (const retrier of retriers) expect(retrier).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2 });
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'TriageFailed' }]);
    }
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
  });

  it('gives Comprehend throttling its own Retry, longer than the transient one, on DetectSentiment only', () => {
    const retriersOf = (name: string) => definition.States[name]?.Retry as Array<{ ErrorEquals: string[]; MaxAttempts: number; MaxDelaySeconds: number }>;
    const [transient, throttling] = retriersOf('DetectSentiment');
    expect(throttling?.ErrorEquals).toEqual(['DependencyThrottledError']);
    expect(throttling?.MaxAttempts).toBeGreaterThan(transient?.MaxAttempts as number);
    expect(throttling?.MaxDelaySeconds).toBeGreaterThan(transient?.MaxDelaySeconds as number);
    for (const name of ['StoreFeedback', 'NotifyNegative']) {
      expect(retriersOf(name).flatMap((retrier) => retrier.ErrorEquals)).not.toContain('DependencyThrottledError');
    }
  });
});

describe('Choice branches', () => {
  it.each([
    ['NEGATIVE', scores(0.05, 0.9), 1],
    ['MIXED leaning negative', scores(0.2, 0.5), 1],
    ['MIXED leaning positive', scores(0.5, 0.2), 0],
    ['MIXED evenly split', scores(0.3, 0.3), 0],
    ['POSITIVE', scores(0.9, 0.05), 0],
    ['NEUTRAL', scores(0.1, 0.1), 0],
  ])('%s feedback: %j, alerts %d', async (label, s, alerts) => {
    const sentiment = label.split(' ')[0];
    const { calls, handlers } = tasks({ DetectSentiment: async () => ({ sentiment, scores: s, truncated: false, analyzedBytes: 18 }) });
    const output = (await execute(handlers)) as Record<string, unknown>;
    expect(calls.StoreFeedback).toHaveLength(1);
    expect(calls.NotifyNegative).toHaveLength(alerts);
    expect(output).toMatchObject({ feedback, messageId: 'm-42', sentiment: { sentiment }, stored: { created: true } });
    expect('alert' in output).toBe(alerts === 1);
  });

  it('passes each function its feedback, the sentiment and the execution ARN', async () => {
    const { calls, handlers } = tasks();
    await execute(handlers);
    const executionArn = 'arn:aws:states:us-east-1:000000000000:express:triage:exec-1';
    expect(calls.DetectSentiment).toEqual([{ feedback, executionArn }]);
    expect(calls.StoreFeedback).toEqual([{ feedback, sentiment: expect.objectContaining({ sentiment: 'NEGATIVE' }), executionArn }]);
    expect(calls.NotifyNegative).toEqual(calls.StoreFeedback);
  });
});

describe('Retry', () => {
  it.each(['DetectSentiment', 'StoreFeedback', 'NotifyNegative'] as const)(
    '%s is retried twice on a transient error, then succeeds on the third attempt',
    async (state) => {
      let attempts = 0;
      const { handlers } = tasks({
        [state]: async () => {
          attempts++;
          if (attempts < 3) throw namedError('TransientDependencyError');
          return state === 'DetectSentiment'
            ? { sentiment: 'NEGATIVE', scores: scores(0.05, 0.9), truncated: false, analyzedBytes: 1 }
            : { ok: true };
        },
      });
      await expect(execute(handlers)).resolves.toBeDefined();
      expect(attempts).toBe(3);
    },
  );

  it.each([
    'Lambda.ServiceException',
    'Lambda.TooManyRequestsException',
    'Lambda.Unknown',
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.SdkClientException',
    'Lambda.AWSLambdaException',
    'Sandbox.Timedout',
    'Runtime.ExitError',
  ])(
    'retries %s',
    async (name) => {
      let attempts = 0;
      const { handlers } = tasks({
        StoreFeedback: async () => {
          if (++attempts === 1) throw namedError(name);
          return { created: true };
        },
      });
      await execute(handlers);
      expect(attempts).toBe(2);
    },
  );

  it('gives up after 3 attempts and fails with the last error and cause', async () => {
    const { calls, handlers } = tasks({
      DetectSentiment: async () => {
        throw namedError('TransientDependencyError', 'Comprehend DetectSentiment failed: ThrottlingException');
      },
    });
    const error = await failure(execute(handlers));
    expect(calls.DetectSentiment).toHaveLength(3);
    expect(calls.StoreFeedback).toHaveLength(0);
    expect(error.error).toBe('TransientDependencyError');
    expect(error.cause).toContain('ThrottlingException');
  });

  it('retries Comprehend throttling 6 times with its own retrier (7 attempts), then fails with its name', async () => {
    const { calls, handlers } = tasks({
      DetectSentiment: async () => {
        throw namedError('DependencyThrottledError', 'Comprehend DetectSentiment failed: ThrottlingException: Rate exceeded');
      },
    });
    const error = await failure(execute(handlers));
    expect(calls.DetectSentiment).toHaveLength(7);
    expect(calls.StoreFeedback).toHaveLength(0);
    expect(error.error).toBe('DependencyThrottledError');
    expect(error.cause).toContain('Rate exceeded');
  });

  it('stores the feedback once throttling passes', async () => {
    let attempts = 0;
    const { calls, handlers } = tasks({
      DetectSentiment: async () => {
        if (++attempts <= 5) throw namedError('DependencyThrottledError', 'Rate exceeded');
        return { sentiment: 'POSITIVE', scores: scores(0.9, 0.05), truncated: false, analyzedBytes: 1 };
      },
    });
    await expect(execute(handlers)).resolves.toMatchObject({ stored: { created: true } });
    expect(attempts).toBe(6);
    expect(calls.StoreFeedback).toHaveLength(1);
  });

  it('waits out another delivery publishing the same alert (AlertInProgressError: up to 3 retries)', async () => {
    let attempts = 0;
    const { handlers } = tasks({
      NotifyNegative: async () => {
        if (++attempts <= 3) throw namedError('AlertInProgressError');
        return { alerted: false, skipped: 'already-sent' };
      },
    });
    await expect(execute(handlers)).resolves.toMatchObject({ alert: { skipped: 'already-sent' } });
    expect(attempts).toBe(4);
  });
});

describe('Catch', () => {
  it.each(['DetectSentiment', 'StoreFeedback', 'NotifyNegative'] as const)(
    'a permanent error in %s is not retried and fails the execution keeping error and cause',
    async (state) => {
      const { calls, handlers } = tasks({
        [state]: async () => {
          throw namedError('PermanentDependencyError', `${state} refused`);
        },
      });
      const error = await failure(execute(handlers));
      expect(calls[state]).toHaveLength(1);
      expect(error.error).toBe('PermanentDependencyError');
      expect(error.cause).toContain(`${state} refused`);
    },
  );

  it('an invalid feedback is caught as it is, not retried', async () => {
    const { calls, handlers } = tasks({
      DetectSentiment: async () => {
        throw namedError('InvalidFeedbackError', 'text must not be empty');
      },
    });
    expect((await failure(execute(handlers))).error).toBe('InvalidFeedbackError');
    expect(calls.DetectSentiment).toHaveLength(1);
  });
});

describe('timeouts', () => {
  // The real definition with its timeouts shrunk to the smallest whole second ASL allows.
  function withTimeouts(taskSeconds: number, machineSeconds: number) {
    const copy = structuredClone(definition);
    copy.TimeoutSeconds = machineSeconds;
    for (const state of Object.values(copy.States)) if (state.Type === 'Task') state.TimeoutSeconds = taskSeconds;
    return new StateMachine(copy, { validationOptions: { checkArn: false, checkPaths: false } });
  }
  const hang: Handler = () => new Promise(() => undefined);

  it('a Task that hangs past its TimeoutSeconds fails with States.Timeout, caught and not retried', async () => {
    const { calls, handlers } = tasks({ StoreFeedback: hang });
    const error = await failure(execute(handlers, withTimeouts(1, 10)));
    expect(error.error).toBe('States.Timeout');
    expect(calls.StoreFeedback).toHaveLength(1);
    expect(calls.NotifyNegative).toHaveLength(0);
  });

  it('the machine stops at its own TimeoutSeconds', async () => {
    const slow: Handler = () => new Promise((resolve) => setTimeout(() => resolve({ created: true }), 600));
    const { handlers } = tasks({ DetectSentiment: slow, StoreFeedback: slow });
    const error = await failure(execute(handlers, withTimeouts(5, 1)));
    expect(error.thrown).toBeInstanceOf(ExecutionTimeoutError);
  });
});
