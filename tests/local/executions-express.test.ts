/**
 * Express executions kept with their history on the local Step Functions server, driven by the real
 * @aws-sdk/client-sfn: ListExecutions and GetExecutionHistory for Express machines (beyond AWS's API, whose
 * console reads them from CloudWatch Logs), their event types and ids, paging and status filter, the bounds
 * of the Express set and its independence from the Standard one, and AWS's refusals when none are kept.
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';

import { startStepFunctionsServer, type InvokeLambda, type StepFunctionsServer, type StepFunctionsServerOptions } from '../../local/stepfunctions/server.js';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/local-sfn`;
const fnArn = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type Fn = (payload: unknown) => unknown;
const fns = new Map<string, Fn>();
const invoke: InvokeLambda = async (functionArn, payload) => {
  const fn = fns.get(functionArn.split(':')[6] ?? '');
  if (!fn) throw new NamedError('ResourceNotFoundException', `Function not found: ${functionArn}`);
  return fn(payload);
};

/** The feedback workflow's shape: a retried Task, a Task with Catch to a Fail state, a Choice, Succeed. */
const TRIAGE = {
  StartAt: 'Detect',
  States: {
    Detect: {
      Type: 'Task',
      Resource: fnArn('detect'),
      ResultPath: '$.sentiment',
      Retry: [{ ErrorEquals: ['TransientDependencyError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Failed' }],
      Next: 'IsNegative',
    },
    IsNegative: { Type: 'Choice', Choices: [{ Variable: '$.sentiment', StringEquals: 'NEGATIVE', Next: 'Notify' }], Default: 'Done' },
    Notify: { Type: 'Task', Resource: fnArn('notify'), ResultPath: '$.alert', Next: 'Done' },
    Done: { Type: 'Succeed' },
    Failed: { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' },
  },
};

async function withServer<T>(options: Partial<StepFunctionsServerOptions>, body: (server: StepFunctionsServer, client: SFNClient) => Promise<T>): Promise<T> {
  const server = await startStepFunctionsServer({ invokeLambda: invoke, retryIntervalScale: 0.01, timeoutScale: 0.05, ...options });
  const client = new SFNClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    disableHostPrefix: true,
    maxAttempts: 1,
  });
  try {
    return await body(server, client);
  } finally {
    client.destroy();
    await server.close();
  }
}

async function createMachine(client: SFNClient, name: string, definition: object, type: 'STANDARD' | 'EXPRESS' = 'EXPRESS'): Promise<string> {
  return (await client.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE, type }))).stateMachineArn!;
}

async function history(client: SFNClient, executionArn: string, pageSize = 1000): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: pageSize, nextToken }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
    if (!nextToken) return events;
  }
  throw new Error('history paging did not end');
}

const types = (events: HistoryEvent[]): string[] => events.map((e) => e.type!);
const attempt = ['LambdaFunctionScheduled', 'LambdaFunctionStarted'];

beforeEach(() => fns.clear());

test('StartSyncExecution runs are listed and have an AWS history: event types, ids, previousEventId, details', async () => {
  fns.set('detect', () => 'NEGATIVE');
  fns.set('notify', () => ({ sent: true }));
  await withServer({}, async (server, client) => {
    const arn = await createMachine(client, 'triage', TRIAGE);
    const run = await client.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ feedback: { text: 'dull' } }) }));
    expect(run.status).toBe('SUCCEEDED');

    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(listed.executions).toEqual([
      expect.objectContaining({ executionArn: run.executionArn, stateMachineArn: arn, name: run.name, status: 'SUCCEEDED', startDate: expect.any(Date), stopDate: expect.any(Date) }),
    ]);

    const events = await history(client, run.executionArn!, 4);
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...attempt,
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'TaskStateEntered',
      ...attempt,
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
    expect(events[0]!.executionStartedEventDetails).toEqual({ input: '{"feedback":{"text":"dull"}}', inputDetails: { truncated: false }, roleArn: ROLE });
    expect(events[2]!.lambdaFunctionScheduledEventDetails).toEqual({ resource: fnArn('detect'), input: '{"feedback":{"text":"dull"}}', inputDetails: { truncated: false } });
    expect(events[4]!.lambdaFunctionSucceededEventDetails).toEqual({ output: '"NEGATIVE"', outputDetails: { truncated: false } });
    expect(JSON.parse(events[5]!.stateExitedEventDetails!.output!)).toEqual({ feedback: { text: 'dull' }, sentiment: 'NEGATIVE' });
    expect(JSON.parse(events[15]!.executionSucceededEventDetails!.output!)).toEqual({ feedback: { text: 'dull' }, sentiment: 'NEGATIVE', alert: { sent: true } });
    // Kept Express executions are described too (AWS describes none).
    expect(await client.send(new DescribeExecutionCommand({ executionArn: run.executionArn }))).toMatchObject({ status: 'SUCCEEDED', input: run.input });
    expect(server.stats()).toMatchObject({ retainedExecutions: 0, retainedExpressExecutions: 1 });
  });
});

test('retries, a Catch to a Fail state, a Task timeout and a machine timeout, as Express histories', async () => {
  await withServer({}, async (_server, client) => {
    const arn = await createMachine(client, 'triage', TRIAGE);
    let calls = 0;
    fns.set('detect', () => {
      calls++;
      throw new NamedError(calls <= 2 ? 'TransientDependencyError' : 'PermanentDependencyError', `attempt ${calls}`);
    });
    const failed = await client.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{}' }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'PermanentDependencyError', cause: 'attempt 3' });
    const failedEvents = await history(client, failed.executionArn!);
    expect(types(failedEvents)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...attempt,
      'LambdaFunctionFailed',
      ...attempt,
      'LambdaFunctionFailed',
      ...attempt,
      'LambdaFunctionFailed',
      'TaskStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
    expect(failedEvents[4]!.lambdaFunctionFailedEventDetails).toEqual({ error: 'TransientDependencyError', cause: 'attempt 1' });
    expect(JSON.parse(failedEvents[11]!.stateExitedEventDetails!.output!)).toEqual({ failure: { Error: 'PermanentDependencyError', Cause: 'attempt 3' } });
    expect(failedEvents[13]!.executionFailedEventDetails).toEqual({ error: 'PermanentDependencyError', cause: 'attempt 3' });

    fns.set('slow', () => new Promise((resolve) => setTimeout(resolve, 500)));
    const taskTimeout = await createMachine(client, 'task-timeout', { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: fnArn('slow'), TimeoutSeconds: 1, End: true } } });
    const timedOutTask = await client.send(new StartSyncExecutionCommand({ stateMachineArn: taskTimeout }));
    expect(timedOutTask).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(types(await history(client, timedOutTask.executionArn!))).toEqual(['ExecutionStarted', 'TaskStateEntered', ...attempt, 'LambdaFunctionTimedOut', 'ExecutionFailed']);

    const machineTimeout = await createMachine(client, 'machine-timeout', { TimeoutSeconds: 1, StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 10, End: true } } });
    const timedOut = await client.send(new StartSyncExecutionCommand({ stateMachineArn: machineTimeout }));
    expect(timedOut.status).toBe('TIMED_OUT');
    const timedOutEvents = await history(client, timedOut.executionArn!);
    expect(types(timedOutEvents)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionTimedOut']);
    expect(timedOutEvents[2]!.executionTimedOutEventDetails).toEqual({ error: 'States.Timeout' });
  });
});

test('ListExecutions on an Express machine: sync and async runs, newest first, statusFilter, paging with checked tokens', async () => {
  fns.set('detect', (payload) => {
    if ((payload as { fail?: boolean }).fail) throw new NamedError('PermanentDependencyError', 'no');
    return 'POSITIVE';
  });
  await withServer({}, async (_server, client) => {
    const arn = await createMachine(client, 'triage', TRIAGE);
    const other = await createMachine(client, 'other', TRIAGE);
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) {
      const out = await client.send(new StartSyncExecutionCommand({ stateMachineArn: arn, name: `run-${i}`, input: JSON.stringify({ fail: i % 2 === 1 }) }));
      arns.push(out.executionArn!);
      await client.send(new StartSyncExecutionCommand({ stateMachineArn: other }));
    }
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'async-run' }));
    for (let i = 0; i < 100; i++) {
      if ((await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).status !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    arns.push(started.executionArn!);

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 4, nextToken }));
      expect(page.executions!.length).toBeLessThanOrEqual(4);
      seen.push(...page.executions!.map((e) => e.executionArn!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual([...arns].reverse());

    const failed = await client.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'FAILED' }));
    expect(failed.executions!.map((e) => e.name)).toEqual(['run-3', 'run-1']);
    const first = await client.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1 }));
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'FAILED', nextToken: first.nextToken }))).rejects.toMatchObject({
      name: 'InvalidToken',
    });
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: other, nextToken: first.nextToken }))).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'DONE' as never }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

test('the Express set is bounded by count and bytes, oldest evicted first, and never evicts Standard executions', async () => {
  fns.set('detect', () => 'POSITIVE');
  await withServer({ maxExpressExecutions: 3, maxFinishedExecutions: 2 }, async (server, client) => {
    const express = await createMachine(client, 'triage', TRIAGE);
    const standard = await createMachine(client, 'standard', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, 'STANDARD');
    const kept = await client.send(new StartExecutionCommand({ stateMachineArn: standard, name: 'kept' }));
    for (let i = 0; i < 50 && (await client.send(new DescribeExecutionCommand({ executionArn: kept.executionArn }))).status === 'RUNNING'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const arns: string[] = [];
    for (let i = 0; i < 20; i++) arns.push((await client.send(new StartSyncExecutionCommand({ stateMachineArn: express, input: '{}' }))).executionArn!);
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: express }));
    expect(listed.executions!.map((e) => e.executionArn)).toEqual(arns.slice(-3).reverse());
    await expect(client.send(new GetExecutionHistoryCommand({ executionArn: arns[16] }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    expect(types(await history(client, arns[17]!))).toContain('ExecutionSucceeded');
    expect((await client.send(new DescribeExecutionCommand({ executionArn: kept.executionArn }))).status).toBe('SUCCEEDED');
    expect(server.stats()).toMatchObject({ retainedExecutions: 1, retainedExpressExecutions: 3 });
  });

  // 20 KB inputs against a 100 KB budget: a handful kept, never more than the budget allows.
  await withServer({ expressExecutionBytes: 100_000 }, async (server, client) => {
    const express = await createMachine(client, 'triage', TRIAGE);
    const input = JSON.stringify({ feedback: { text: 'x'.repeat(20_000) } });
    const arns: string[] = [];
    for (let i = 0; i < 12; i++) arns.push((await client.send(new StartSyncExecutionCommand({ stateMachineArn: express, input }))).executionArn!);
    const retained = server.stats().retainedExpressExecutions;
    expect(retained).toBeGreaterThanOrEqual(1);
    expect(retained).toBeLessThan(5);
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: express }));
    expect(listed.executions!.map((e) => e.executionArn)).toEqual(arns.slice(-retained).reverse());
  });
});

test('an Express history keeps its first 25,000 events and the execution goes on, as AWS has no history quota for Express', async () => {
  await withServer({}, async (server, client) => {
    // 4 events per item (MapIterationStarted, PassStateEntered, PassStateExited, MapIterationSucceeded): 40,000 in all.
    const arn = await createMachine(client, 'wide', {
      StartAt: 'Each',
      States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } }, End: true } },
    });
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const out = await client.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ items }) }));
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toHaveLength(10_000);
    const last = await client.send(new GetExecutionHistoryCommand({ executionArn: out.executionArn, reverseOrder: true, maxResults: 1 }));
    expect(last.events![0]!.type).toBe('ExecutionSucceeded');
    // The cap counts recorded entries; one entry may give two AWS events (MapStateEntered, MapStateStarted).
    expect(last.events![0]!.id).toBeGreaterThan(25_000);
    expect(last.events![0]!.id).toBeLessThan(25_010);
    expect((await server.inspector.history(out.executionArn!))?.truncated).toBe(true);
  });
}, 30_000);

test('with no Express executions kept, the API refuses Express as AWS does', async () => {
  fns.set('detect', () => 'POSITIVE');
  await withServer({ maxExpressExecutions: 0 }, async (server, client) => {
    const arn = await createMachine(client, 'triage', TRIAGE);
    const sync = await client.send(new StartSyncExecutionCommand({ stateMachineArn: arn }));
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: arn }))).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
    await expect(client.send(new DescribeExecutionCommand({ executionArn: sync.executionArn }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    await expect(client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }))).rejects.toMatchObject({ name: 'InvalidArn' });
    expect(server.inspector.keepsExpress).toBe(false);
  });
});
