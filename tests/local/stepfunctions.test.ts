/**
 * The local Step Functions server, driven by the real @aws-sdk/client-sfn over HTTP.
 * Retry intervals are scaled by 0.01 and timeouts by 0.05 so that every test stays fast.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';

import { startStepFunctionsServer, type InvokeLambda, type StepFunctionsServer } from '../../local/stepfunctions/server.js';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/local-sfn`;
const fnArn = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

type Fn = (payload: unknown, meta: { executionArn: string; stateName: string }) => unknown;
interface Call {
  functionArn: string;
  payload: unknown;
  meta: { executionArn: string; stateName: string };
  at: number;
}

/** Fake Lambda service: functions by name, every call recorded. */
function lambdas(): { fns: Map<string, Fn>; calls: Call[]; invoke: InvokeLambda } {
  const fns = new Map<string, Fn>();
  const calls: Call[] = [];
  const invoke: InvokeLambda = async (functionArn, payload, meta) => {
    calls.push({ functionArn, payload, meta, at: performance.now() });
    const fn = fns.get(functionArn.split(':')[6] ?? '');
    if (!fn) throw Object.assign(new Error(`Function not found: ${functionArn}`), { name: 'ResourceNotFoundException' });
    return fn(payload, meta);
  };
  return { fns, calls, invoke };
}

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function sfnClient(url: string): SFNClient {
  return new SFNClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    disableHostPrefix: true,
    maxAttempts: 1,
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

async function waitForEnd(client: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  for (let i = 0; i < 200; i++) {
    const out = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (out.status !== 'RUNNING') return out;
    await sleep(5);
  }
  throw new Error(`execution still running: ${executionArn}`);
}

describe('local Step Functions server (real SFN client)', () => {
  const fake = lambdas();
  let server: StepFunctionsServer;
  let client: SFNClient;

  async function createMachine(name: string, definition: object, type: 'EXPRESS' | 'STANDARD' = 'EXPRESS'): Promise<string> {
    const out = await client.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE, type }));
    return out.stateMachineArn!;
  }

  async function runSync(stateMachineArn: string, input: unknown = {}, name?: string) {
    return client.send(new StartSyncExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }));
  }

  beforeAll(async () => {
    server = await startStepFunctionsServer({ invokeLambda: fake.invoke, retryIntervalScale: 0.01, timeoutScale: 0.05 });
    client = sfnClient(server.url);
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  test('listens on 127.0.0.1 only', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    // On Linux all of 127/8 is loopback: a server bound to every interface would accept 127.0.0.2 too.
    const outcome = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.2', port: server.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(outcome).not.toBe('connected');
  });

  test('CreateStateMachine then StartSyncExecution: SUCCEEDED with output, AWS response shape', async () => {
    fake.fns.set('double', (payload) => ({ doubled: (payload as { n: number }).n * 2 }));
    const arn = await createMachine('ok-machine', {
      StartAt: 'Double',
      States: {
        Double: { Type: 'Task', Resource: fnArn('double'), Parameters: { 'n.$': '$.n' }, ResultPath: '$.result', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    expect(arn).toBe(`arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:ok-machine`);

    const before = Date.now();
    const out = await runSync(arn, { n: 21 }, 'exec-1');
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ n: 21, result: { doubled: 42 } });
    expect(out.error).toBeUndefined();
    expect(out.executionArn).toMatch(new RegExp(`^arn:aws:states:us-east-1:${ACCOUNT}:express:ok-machine:exec-1:[0-9a-f-]{36}$`));
    expect(out.stateMachineArn).toBe(arn);
    expect(out.name).toBe('exec-1');
    expect(out.input).toBe('{"n":21}');
    expect(out.inputDetails).toEqual({ included: true });
    expect(out.outputDetails).toEqual({ included: true });
    expect(out.startDate).toBeInstanceOf(Date);
    expect(out.stopDate).toBeInstanceOf(Date);
    expect(out.startDate!.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(out.stopDate!.getTime()).toBeGreaterThanOrEqual(out.startDate!.getTime());
    expect(out.billingDetails?.billedMemoryUsedInMB).toBe(64);
    // Billed in 100 ms increments, at least 100 ms.
    expect(out.billingDetails?.billedDurationInMilliseconds).toBeGreaterThanOrEqual(100);
    expect((out.billingDetails?.billedDurationInMilliseconds ?? 1) % 100).toBe(0);
  });

  test('CreateStateMachine is idempotent for the same definition, StateMachineAlreadyExists otherwise; Describe/List/Update', async () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const first = await client.send(new CreateStateMachineCommand({ name: 'idem', definition: JSON.stringify(definition), roleArn: ROLE, type: 'EXPRESS' }));
    const again = await client.send(new CreateStateMachineCommand({ name: 'idem', definition: JSON.stringify(definition), roleArn: ROLE, type: 'EXPRESS' }));
    expect(again.stateMachineArn).toBe(first.stateMachineArn);
    expect(again.creationDate).toEqual(first.creationDate);
    const changed = { StartAt: 'P', States: { P: { Type: 'Pass', Result: 1, End: true } } };
    await expect(
      client.send(new CreateStateMachineCommand({ name: 'idem', definition: JSON.stringify(changed), roleArn: ROLE, type: 'EXPRESS' })),
    ).rejects.toMatchObject({ name: 'StateMachineAlreadyExists', $metadata: { httpStatusCode: 400 } });

    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: first.stateMachineArn }));
    expect(described).toMatchObject({ name: 'idem', type: 'EXPRESS', status: 'ACTIVE', roleArn: ROLE, definition: JSON.stringify(definition) });
    expect(described.creationDate).toBeInstanceOf(Date);

    const listed = await client.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines?.map((m) => m.name)).toContain('idem');
    const page = await client.send(new ListStateMachinesCommand({ maxResults: 1 }));
    expect(page.stateMachines).toHaveLength(1);
    expect(page.nextToken).toBeDefined();

    await client.send(new UpdateStateMachineCommand({ stateMachineArn: first.stateMachineArn, definition: JSON.stringify(changed) }));
    const out = await runSync(first.stateMachineArn!);
    expect(out.output).toBe('1');
  });

  test('InvalidDefinition: not JSON, not valid ASL, JSONata', async () => {
    const create = (name: string, definition: string) =>
      client.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE, type: 'EXPRESS' }));
    await expect(create('bad-json', '{"StartAt":')).rejects.toMatchObject({ name: 'InvalidDefinition' });
    await expect(create('bad-asl', JSON.stringify({ StartAt: 'Missing', States: { P: { Type: 'Pass', End: true } } }))).rejects.toMatchObject({
      name: 'InvalidDefinition',
    });
    await expect(
      create('jsonata', JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% 1 %}', End: true } } })),
    ).rejects.toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('JSONata') });
    await expect(
      client.send(new CreateStateMachineCommand({ name: 'bad name', definition: '{}', roleArn: ROLE })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
  });

  test('a named task error caught by Catch reaches a Fail state with ErrorPath/CausePath: FAILED with that error and cause', async () => {
    fake.fns.set('flaky-dep', () => {
      throw new NamedError('TransientDependencyError', 'comprehend unavailable');
    });
    const arn = await createMachine('catch-fail', {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: fnArn('flaky-dep'),
          Catch: [
            { ErrorEquals: ['SomethingElse'], ResultPath: '$.other', Next: 'Unexpected' },
            { ErrorEquals: ['TransientDependencyError'], ResultPath: '$.failure', Next: 'Failed' },
          ],
          End: true,
        },
        Unexpected: { Type: 'Succeed' },
        Failed: { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' },
      },
    });
    const out = await runSync(arn, { id: 1 });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('TransientDependencyError');
    expect(out.cause).toBe('comprehend unavailable');
    expect(out.output).toBeUndefined();
  });

  test('an uncaught task error fails the execution with the error name and the message as cause; a bare Fail state has no error', async () => {
    fake.fns.set('broken', () => Promise.reject(new NamedError('ValidationError', 'text is empty')));
    const arn = await createMachine('uncaught', { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: fnArn('broken'), End: true } } });
    const out = await runSync(arn);
    expect(out).toMatchObject({ status: 'FAILED', error: 'ValidationError', cause: 'text is empty' });

    const bare = await createMachine('bare-fail', { StartAt: 'F', States: { F: { Type: 'Fail' } } });
    const failed = await runSync(bare);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBeUndefined();
    expect(failed.cause).toBeUndefined();

    const literal = await createMachine('literal-fail', { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Custom.Error', Cause: 'because' } } });
    expect(await runSync(literal)).toMatchObject({ status: 'FAILED', error: 'Custom.Error', cause: 'because' });
  });

  test('Retry: invokeLambda is called 1 + MaxAttempts times, with scaled, backed-off intervals', async () => {
    let failuresLeft = 0;
    fake.fns.set('retry-me', () => {
      if (failuresLeft-- > 0) throw new NamedError('TransientDependencyError', 'try again');
      return { ok: true };
    });
    const arn = await createMachine('retry', {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: fnArn('retry-me'),
          Retry: [
            { ErrorEquals: ['OtherError'], MaxAttempts: 5 },
            { ErrorEquals: ['TransientDependencyError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 },
          ],
          End: true,
        },
      },
    });
    const callsOf = (executionArn: string) => fake.calls.filter((c) => c.meta.executionArn === executionArn);

    failuresLeft = 10;
    const started = performance.now();
    const failed = await runSync(arn);
    const elapsed = performance.now() - started;
    expect(failed).toMatchObject({ status: 'FAILED', error: 'TransientDependencyError', cause: 'try again' });
    const calls = callsOf(failed.executionArn!);
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.meta.stateName === 'Call')).toBe(true);
    // 1 s and 2 s scaled by 0.01: ~10 ms then ~20 ms (unscaled this would take 3 s).
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(8);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(18);
    expect(elapsed).toBeLessThan(1000);

    failuresLeft = 2;
    const recovered = await runSync(arn);
    expect(recovered.status).toBe('SUCCEEDED');
    expect(JSON.parse(recovered.output!)).toEqual({ ok: true });
    expect(callsOf(recovered.executionArn!)).toHaveLength(3);
  });

  test('a Task TimeoutSeconds expiry raises States.Timeout, which Catch can handle', async () => {
    const release = deferred<unknown>();
    fake.fns.set('slow', () => release.promise);
    const arn = await createMachine('task-timeout', {
      StartAt: 'Slow',
      States: {
        Slow: {
          Type: 'Task',
          Resource: fnArn('slow'),
          TimeoutSeconds: 2, // scaled by 0.05: 100 ms
          Catch: [
            { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.taskFailed', Next: 'Done' },
            { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Done' },
          ],
          End: true,
        },
        Done: { Type: 'Pass', End: true },
      },
    });
    const started = performance.now();
    const out = await runSync(arn, { id: 7 });
    release.resolve({ late: true });
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toMatchObject({ id: 7, timeout: { Error: 'States.Timeout' } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  test('a machine TimeoutSeconds expiry gives TIMED_OUT / States.Timeout, and no task is invoked after it', async () => {
    fake.fns.set('always-fails', () => {
      throw new NamedError('TransientDependencyError', 'down');
    });
    const arn = await createMachine('machine-timeout', {
      TimeoutSeconds: 1, // scaled: 50 ms
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: fnArn('always-fails'),
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 50, BackoffRate: 1 }], // 10 ms apart
          End: true,
        },
      },
    });
    const out = await runSync(arn);
    expect(out.status).toBe('TIMED_OUT');
    expect(out.error).toBe('States.Timeout');
    expect(out.output).toBeUndefined();
    const countAtEnd = fake.calls.filter((c) => c.meta.executionArn === out.executionArn).length;
    expect(countAtEnd).toBeGreaterThanOrEqual(2);
    expect(countAtEnd).toBeLessThan(20);
    await sleep(60);
    // The library resumes a pending Retry immediately on abort; the server must refuse to invoke it.
    expect(fake.calls.filter((c) => c.meta.executionArn === out.executionArn)).toHaveLength(countAtEnd);

    const hang = deferred<unknown>();
    fake.fns.set('hangs', () => hang.promise);
    const hanging = await createMachine('machine-timeout-hang', {
      TimeoutSeconds: 1,
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: fnArn('hangs'), End: true } },
    });
    const started = performance.now();
    const timedOut = await runSync(hanging);
    hang.resolve(null);
    expect(timedOut).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('the context object: $$.Execution.Id/Name/StartTime and $$.StateMachine.Id reach the task', async () => {
    fake.fns.set('echo', (payload) => payload);
    const arn = await createMachine('context', {
      StartAt: 'Echo',
      States: {
        Echo: {
          Type: 'Task',
          Resource: fnArn('echo'),
          Parameters: {
            'executionArn.$': '$$.Execution.Id',
            'name.$': '$$.Execution.Name',
            'startTime.$': '$$.Execution.StartTime',
            'machine.$': '$$.StateMachine.Id',
            'input.$': '$$.Execution.Input',
          },
          End: true,
        },
      },
    });
    const out = await runSync(arn, { feedbackId: 'f-1' }, 'ctx-run');
    const output = JSON.parse(out.output!) as Record<string, string>;
    expect(output.executionArn).toBe(out.executionArn);
    expect(output.name).toBe('ctx-run');
    expect(output.machine).toBe(arn);
    expect(output.input).toEqual({ feedbackId: 'f-1' });
    const startTime = Date.parse(output.startTime!);
    expect(startTime).toBeGreaterThanOrEqual(out.startDate!.getTime());
    expect(startTime).toBeLessThanOrEqual(out.stopDate!.getTime());
    const call = fake.calls.find((c) => c.meta.executionArn === out.executionArn);
    expect(call).toMatchObject({ functionArn: fnArn('echo'), meta: { stateName: 'Echo' } });
  });

  test('arn:aws:states:::lambda:invoke, and Task states nested in Map and Parallel', async () => {
    fake.fns.set('square', (payload) => (payload as { x: number }).x ** 2);
    fake.fns.set('label', (payload) => `items:${(payload as unknown[]).length}`);
    const arn = await createMachine('nested', {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Squares',
              States: {
                Squares: {
                  Type: 'Map',
                  ItemsPath: '$.items',
                  ItemSelector: { 'x.$': '$$.Map.Item.Value' },
                  ItemProcessor: {
                    ProcessorConfig: { Mode: 'INLINE' },
                    StartAt: 'Square',
                    States: {
                      Square: {
                        Type: 'Task',
                        Resource: 'arn:aws:states:::lambda:invoke',
                        Parameters: { FunctionName: 'square', 'Payload.$': '$' },
                        ResultSelector: { 'value.$': '$.Payload', 'status.$': '$.StatusCode' },
                        End: true,
                      },
                    },
                  },
                  End: true,
                },
              },
            },
            { StartAt: 'Label', States: { Label: { Type: 'Task', Resource: fnArn('label'), InputPath: '$.items', End: true } } },
          ],
          End: true,
        },
      },
    });
    const out = await runSync(arn, { items: [1, 2, 3] });
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual([
      [
        { value: 1, status: 200 },
        { value: 4, status: 200 },
        { value: 9, status: 200 },
      ],
      'items:3',
    ]);
    const squareCalls = fake.calls.filter((c) => c.meta.executionArn === out.executionArn && c.meta.stateName === 'Square');
    expect(squareCalls).toHaveLength(3);
    expect(squareCalls[0]!.functionArn).toBe(fnArn('square'));
  });

  test('an unsupported Task resource fails with States.Runtime and never calls out', async () => {
    const before = fake.calls.length;
    const arn = await createMachine('sns-direct', {
      StartAt: 'Publish',
      States: {
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sns:publish',
          Parameters: { TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:t`, Message: 'x' },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Succeed' },
      },
    });
    const out = await runSync(arn);
    expect(out).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(out.cause).toContain('arn:aws:states:::sns:publish');
    expect(fake.calls.length).toBe(before);
  });

  test('StartExecution runs in the background; DescribeExecution follows it; names are unique for STANDARD', async () => {
    const gate = deferred<unknown>();
    fake.fns.set('gated', async (payload) => {
      await gate.promise;
      return { seen: payload };
    });
    const arn = await createMachine('standard', { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: fnArn('gated'), End: true } } }, 'STANDARD');

    await expect(runSync(arn)).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });

    const started = await client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'run-1', input: '{"a":1}' }));
    expect(started.executionArn).toBe(`arn:aws:states:us-east-1:${ACCOUNT}:execution:standard:run-1`);
    expect(started.startDate).toBeInstanceOf(Date);
    // Same name and input while running: idempotent.
    const same = await client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'run-1', input: '{"a":1}' }));
    expect(same.executionArn).toBe(started.executionArn);

    const runningNow = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(runningNow).toMatchObject({ status: 'RUNNING', name: 'run-1', input: '{"a":1}', stateMachineArn: arn });
    expect(runningNow.stopDate).toBeUndefined();

    gate.resolve(undefined);
    const ended = await waitForEnd(client, started.executionArn!);
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output!)).toEqual({ seen: { a: 1 } });
    expect(ended.stopDate).toBeInstanceOf(Date);

    await expect(client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'run-1', input: '{"a":1}' }))).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });

  test('StartExecution on an EXPRESS machine, and StopExecution gives ABORTED', async () => {
    fake.fns.set('forever', () => new Promise(() => undefined));
    const arn = await createMachine('express-async', { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: fnArn('forever'), End: true } } });
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: arn }));
    expect(started.executionArn).toMatch(/:express:express-async:[0-9a-f-]{36}:[0-9a-f-]{36}$/);
    expect((await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).status).toBe('RUNNING');
    const stopped = await client.send(new StopExecutionCommand({ executionArn: started.executionArn, error: 'Manual', cause: 'test' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Manual', cause: 'test' });
  });

  test('bad ARN, unknown state machine, unknown execution', async () => {
    await expect(runSync('not-an-arn')).rejects.toMatchObject({ name: 'InvalidArn', $metadata: { httpStatusCode: 400 } });
    await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: fnArn('x') }))).rejects.toMatchObject({ name: 'InvalidArn' });
    const unknown = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:nope`;
    await expect(runSync(unknown)).rejects.toMatchObject({ name: 'StateMachineDoesNotExist', $metadata: { httpStatusCode: 400 } });
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: unknown }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      client.send(new DescribeExecutionCommand({ executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:nope:nope` })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(client.send(new DescribeExecutionCommand({ executionArn: 'arn:nope' }))).rejects.toMatchObject({ name: 'InvalidArn' });
  });

  test('invalid execution input: not JSON, or over 256 KB', async () => {
    const arn = await createMachine('input-check', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    await expect(client.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{not json' }))).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
      $metadata: { httpStatusCode: 400 },
    });
    const big = JSON.stringify({ text: 'x'.repeat(262_144) });
    await expect(client.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: big }))).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: arn, input: '[' }))).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    const noInput = await client.send(new StartSyncExecutionCommand({ stateMachineArn: arn }));
    expect(noInput).toMatchObject({ status: 'SUCCEEDED', input: '{}', output: '{}' });
  });

  test('protocol: routing by X-Amz-Target whatever the Host, JSON errors, body size cap', async () => {
    const small = await startStepFunctionsServer({ invokeLambda: fake.invoke, maxRequestBytes: 1024 });
    try {
      const post = (target: string | undefined, body: string, host?: string) =>
        fetch(`${small.url}/`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            ...(target ? { 'x-amz-target': target } : {}),
            ...(host ? { host } : {}),
          },
          body,
        });
      const listed = await post('AWSStepFunctions.ListStateMachines', '{}', 'sync-states.us-east-1.amazonaws.com');
      expect(listed.status).toBe(200);
      expect(listed.headers.get('content-type')).toBe('application/x-amz-json-1.0');
      expect(await listed.json()).toEqual({ stateMachines: [] });

      const unknown = await post('AWSStepFunctions.SendTaskHeartbeat', '{}');
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual({ __type: 'UnknownOperationException', message: expect.any(String) });
      expect(((await (await post(undefined, '{}')).json()) as { __type: string }).__type).toBe('UnknownOperationException');

      const notJson = await post('AWSStepFunctions.ListStateMachines', '{');
      expect(notJson.status).toBe(400);
      expect(((await notJson.json()) as { __type: string }).__type).toBe('SerializationException');

      const tooBig = await post('AWSStepFunctions.ListStateMachines', JSON.stringify({ pad: 'x'.repeat(2048) }));
      expect(tooBig.status).toBe(413);
      expect(((await tooBig.json()) as { __type: string }).__type).toBe('ValidationException');
    } finally {
      await small.close();
    }
  });

  test('stats(), bounded execution history, and Lambda-style JSON causes', async () => {
    const local = lambdas();
    local.fns.set('ok', () => 'fine');
    local.fns.set('ko', () => {
      throw new NamedError('PermanentError', 'no way');
    });
    const own = await startStepFunctionsServer({
      invokeLambda: local.invoke,
      timeoutScale: 0.05,
      maxFinishedExecutions: 2,
      // Express executions not kept apart: StartExecution runs of Express machines then count among the finished ones.
      maxExpressExecutions: 0,
      lambdaErrorCause: 'lambda-json',
    });
    const ownClient = sfnClient(own.url);
    try {
      const create = async (name: string, states: object, TimeoutSeconds?: number) =>
        (
          await ownClient.send(
            new CreateStateMachineCommand({ name, roleArn: ROLE, type: 'EXPRESS', definition: JSON.stringify({ TimeoutSeconds, StartAt: 'S', States: states }) }),
          )
        ).stateMachineArn!;
      const ok = await create('ok', { S: { Type: 'Task', Resource: fnArn('ok'), End: true } });
      const ko = await create('ko', { S: { Type: 'Task', Resource: fnArn('ko'), End: true } });
      const slow = await create('slow', { S: { Type: 'Wait', Seconds: 5, End: true } }, 1);

      expect((await ownClient.send(new StartSyncExecutionCommand({ stateMachineArn: ok }))).output).toBe('"fine"');
      const failed = await ownClient.send(new StartSyncExecutionCommand({ stateMachineArn: ko }));
      expect(failed.error).toBe('PermanentError');
      expect(JSON.parse(failed.cause!)).toMatchObject({ errorType: 'PermanentError', errorMessage: 'no way', trace: expect.any(Array) });
      expect((await ownClient.send(new StartSyncExecutionCommand({ stateMachineArn: slow }))).status).toBe('TIMED_OUT');

      const asyncArns: string[] = [];
      for (let i = 0; i < 3; i++) {
        const started = await ownClient.send(new StartExecutionCommand({ stateMachineArn: ok }));
        asyncArns.push(started.executionArn!);
        await waitForEnd(ownClient, started.executionArn!);
      }
      await expect(ownClient.send(new DescribeExecutionCommand({ executionArn: asyncArns[0] }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
      expect((await ownClient.send(new DescribeExecutionCommand({ executionArn: asyncArns[2] }))).status).toBe('SUCCEEDED');

      const stats = own.stats();
      expect(stats).toMatchObject({
        stateMachines: 3,
        started: 6,
        executions: { RUNNING: 0, SUCCEEDED: 4, FAILED: 1, TIMED_OUT: 1, ABORTED: 0 },
        taskInvocations: 5,
        retainedExecutions: 2,
        retainedExpressExecutions: 0,
      });
      expect(stats.totalExecutionTimeMs).toBeGreaterThan(40);
    } finally {
      ownClient.destroy();
      await own.close();
    }
  });
});
