/**
 * Local AWS Step Functions endpoint: a thin node:http front that speaks the Step Functions
 * JSON 1.0 protocol (POST /, `X-Amz-Target: AWSStepFunctions.<Operation>`) and runs the
 * Amazon States Language with aws-local-stepfunctions. Point the real AWS SDK at it with
 * `AWS_ENDPOINT_URL_SFN` (clients need `disableHostPrefix: true` for StartSyncExecution,
 * whose `sync-` host prefix would otherwise break the 127.0.0.1 endpoint; the server routes by
 * X-Amz-Target only and ignores the Host header).
 *
 * Task states whose Resource is a Lambda function ARN or `arn:aws:states:::lambda:invoke`
 * call the `invokeLambda` callback; any other Task resource fails the execution with
 * States.Runtime (nothing ever reaches real AWS). See README.md in this folder for the
 * behaviour of errors, retries and timeouts and for the differences with AWS.
 */
import './polyfills.js';

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';

import {
  DefinitionError,
  MAX_TIMER_SECONDS,
  parseDefinition,
  prepareDefinition,
  toLambdaFunctionArn,
  type PreparedDefinition,
  type TaskBinding,
} from './asl.js';

export type InvokeLambda = (
  functionArn: string,
  payload: unknown,
  meta: { executionArn: string; stateName: string },
) => Promise<unknown>;

export type StateMachineType = 'STANDARD' | 'EXPRESS';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface StepFunctionsServerOptions {
  /** Runs a Lambda function for a Task state. A rejection fails the Task with error `err.name`. */
  invokeLambda: InvokeLambda;
  /** TCP port on 127.0.0.1; 0 or absent = a free port. */
  port?: number;
  /** Region used in ARNs. Default us-east-1. */
  region?: string;
  /** Account id used in ARNs. Default 000000000000. */
  accountId?: string;
  /**
   * Multiplies the pause before each retry (IntervalSeconds, default 1, and MaxDelaySeconds of every
   * retrier; BackoffRate and JitterStrategy still apply). 0.01 turns a 1 s interval into 10 ms. Default 1.
   */
  retryIntervalScale?: number;
  /** Multiplies Task TimeoutSeconds and the machine-level TimeoutSeconds (not TimeoutSecondsPath). Default 1. */
  timeoutScale?: number;
  /**
   * `Cause` of a failed Lambda task. 'message' (default): the error message.
   * 'lambda-json': what AWS Lambda reports, `{"errorType","errorMessage","trace"}` as a JSON string.
   */
  lambdaErrorCause?: 'message' | 'lambda-json';
  /** Finished StartExecution runs kept for DescribeExecution (oldest dropped first). Default 10,000. */
  maxFinishedExecutions?: number;
  /** Request body cap in bytes. Default 4 MiB (a definition may be 1 MiB before JSON escaping). */
  maxRequestBytes?: number;
}

export interface StepFunctionsServerStats {
  stateMachines: number;
  /** Executions started (sync and async). */
  started: number;
  /** RUNNING: currently running; other statuses: executions that ended with that status. */
  executions: Record<ExecutionStatus, number>;
  /** Sum of the wall-clock durations of ended executions, in milliseconds. */
  totalExecutionTimeMs: number;
  /** Calls made to invokeLambda (retries included). */
  taskInvocations: number;
  /** Finished async executions retained for DescribeExecution. */
  retainedExecutions: number;
}

export interface StepFunctionsServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Aborts running executions, closes connections and the listener. */
  close(): Promise<void>;
  stats(): StepFunctionsServerStats;
}

/** AWS limits. */
const MAX_PAYLOAD_BYTES = 262_144;
const EXPRESS_MAX_DURATION_SECONDS = 300;
const RETAINED_EXECUTION_BYTES = 64 * 1024 * 1024;
const FAIL_STATE_DEFAULT_CAUSE = 'Execution failed because of a Fail state';

type RunInput = Parameters<StateMachine['run']>[0];
type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/** An error answered to the client as `{"__type": type, "message": message}`. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

interface MachineRecord {
  arn: string;
  name: string;
  type: StateMachineType;
  roleArn: string;
  definition: string;
  creationDate: number;
  prepared: PreparedDefinition;
  /** Constructed once (validation is the expensive part) and reused by every execution. */
  runner: StateMachine;
}

interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  mode: 'sync' | 'async';
  input: string;
  startDate: number;
  startPerf: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  sizeBytes: number;
  stop?: (error?: string, cause?: string) => void;
  done?: Promise<void>;
}

interface ExecutionControl {
  /** Set before the library is told to abort, so a Task retried after the end is never invoked. */
  ended: boolean;
  /** Aborted when the execution ends: Task calls still pending are let go (their timers cleared). */
  end: AbortController;
  timedOut: boolean;
  abortError?: string;
  abortCause?: string;
}

interface Outcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** Library errors expose `isRetryable`/`isCatchable`; a plain Error counts as both. */
function statesRuntimeError(message: string): Error {
  const err = new Error(message);
  err.name = 'States.Runtime';
  Object.defineProperties(err, { isRetryable: { value: false }, isCatchable: { value: false } });
  return err;
}

const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

function validName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
}

const STATE_MACHINE_ARN = /^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:\s]+(:[^:\s]+)?$/;
const EXECUTION_ARN = /^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):[^:\s]+:[^:\s]+(:[^:\s]+)?$/;
const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/.+$/;

const epochSeconds = (ms: number): number => ms / 1000;

function notNull(field: string): ServiceError {
  return new ServiceError(
    'ValidationException',
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

function readString(body: Record<string, unknown>, field: string, required: true): string;
function readString(body: Record<string, unknown>, field: string, required: false): string | undefined;
function readString(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw notNull(field);
    return undefined;
  }
  if (typeof value !== 'string') throw new ServiceError('SerializationException', `'${field}' must be a string`);
  return value;
}

function toJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

export async function startStepFunctionsServer(options: StepFunctionsServerOptions): Promise<StepFunctionsServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const retryIntervalScale = options.retryIntervalScale ?? 1;
  const timeoutScale = options.timeoutScale ?? 1;
  const lambdaErrorCause = options.lambdaErrorCause ?? 'message';
  const maxFinished = options.maxFinishedExecutions ?? 10_000;
  const maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
  for (const [key, value] of Object.entries({ retryIntervalScale, timeoutScale, maxFinished, maxRequestBytes })) {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`startStepFunctionsServer: ${key} must be a finite number >= 0`);
  }
  if (timeoutScale === 0) throw new TypeError('startStepFunctionsServer: timeoutScale must be > 0');

  const machines = new Map<string, MachineRecord>();
  /** Running executions (sync and async), by ARN. */
  const running = new Map<string, ExecutionRecord>();
  /** Finished async executions, oldest first (Map keeps insertion order). */
  const finished = new Map<string, ExecutionRecord>();
  let finishedBytes = 0;

  const counters: StepFunctionsServerStats = {
    stateMachines: 0,
    started: 0,
    executions: { RUNNING: 0, SUCCEEDED: 0, FAILED: 0, TIMED_OUT: 0, ABORTED: 0 },
    totalExecutionTimeMs: 0,
    taskInvocations: 0,
    retainedExecutions: 0,
  };

  // ---------------------------------------------------------------- state machines

  function buildMachine(name: string, type: StateMachineType, roleArn: string, definition: string, creationDate: number): MachineRecord {
    try {
      const parsed = parseDefinition(definition);
      const prepared = prepareDefinition(parsed, {
        retryIntervalScale,
        timeoutScale,
        // An Express execution never outlives 5 minutes; a Standard Task has no default timeout in AWS.
        taskDefaultTimeoutSeconds: type === 'EXPRESS' ? EXPRESS_MAX_DURATION_SECONDS + 1 : MAX_TIMER_SECONDS,
      });
      // Validate the definition as written (asl-validator, ~100 ms), then build the runner from the
      // transformed copy without validating again. Both happen once per CreateStateMachine.
      new StateMachine(parsed as never);
      const runner = new StateMachine(prepared.runtimeDefinition as never, { validationOptions: { noValidate: true } });
      return { arn: `arn:aws:states:${region}:${accountId}:stateMachine:${name}`, name, type, roleArn, definition, creationDate, prepared, runner };
    } catch (err) {
      if (err instanceof DefinitionError) throw new ServiceError('InvalidDefinition', err.message);
      const message = (err as Error).message.replace(/^State machine definition is invalid, see error\(s\) below:\s*/, '');
      throw new ServiceError('InvalidDefinition', `Invalid State Machine Definition: '${message.trim()}'`);
    }
  }

  function getMachine(arn: string | undefined): MachineRecord {
    if (arn === undefined) throw notNull('stateMachineArn');
    if (!STATE_MACHINE_ARN.test(arn)) throw new ServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const machine = machines.get(arn);
    if (!machine) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  function checkRoleArn(roleArn: string): void {
    if (!ROLE_ARN.test(roleArn)) throw new ServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${roleArn}'`);
  }

  function createStateMachine(body: Record<string, unknown>): unknown {
    const name = readString(body, 'name', true);
    const definition = readString(body, 'definition', true);
    const roleArn = readString(body, 'roleArn', true);
    const type = (readString(body, 'type', false) ?? 'STANDARD') as StateMachineType;
    if (type !== 'STANDARD' && type !== 'EXPRESS') {
      throw new ServiceError(
        'ValidationException',
        `1 validation error detected: Value '${String(type)}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`,
      );
    }
    if (!validName(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    checkRoleArn(roleArn);
    const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
    const existing = machines.get(arn);
    if (existing) {
      // Idempotent like AWS: same name and same configuration returns the existing machine.
      if (existing.definition === definition && existing.type === type && existing.roleArn === roleArn) {
        return { stateMachineArn: existing.arn, creationDate: epochSeconds(existing.creationDate) };
      }
      throw new ServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const machine = buildMachine(name, type, roleArn, definition, Date.now());
    machines.set(arn, machine);
    counters.stateMachines = machines.size;
    return { stateMachineArn: machine.arn, creationDate: epochSeconds(machine.creationDate) };
  }

  function describeStateMachine(body: Record<string, unknown>): unknown {
    const machine = getMachine(readString(body, 'stateMachineArn', false));
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: epochSeconds(machine.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  function listStateMachines(body: Record<string, unknown>): unknown {
    const maxResults = typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.min(body.maxResults, 1000) : 100;
    const token = readString(body, 'nextToken', false);
    const start = token === undefined ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(start) || start < 0) throw new ServiceError('InvalidToken', `Invalid Token: '${token}'`);
    const all = [...machines.values()];
    const page = all.slice(start, start + maxResults).map((m) => ({
      stateMachineArn: m.arn,
      name: m.name,
      type: m.type,
      creationDate: epochSeconds(m.creationDate),
    }));
    const next = start + maxResults < all.length ? Buffer.from(String(start + maxResults)).toString('base64url') : undefined;
    return { stateMachines: page, ...(next ? { nextToken: next } : {}) };
  }

  function updateStateMachine(body: Record<string, unknown>): unknown {
    const machine = getMachine(readString(body, 'stateMachineArn', false));
    const definition = readString(body, 'definition', false);
    const roleArn = readString(body, 'roleArn', false);
    if (definition === undefined && roleArn === undefined) {
      throw new ServiceError('MissingRequiredParameter', 'Either the definition or the roleArn must be specified');
    }
    if (roleArn !== undefined) checkRoleArn(roleArn);
    // Running executions keep the runner they started with.
    const updated = buildMachine(machine.name, machine.type, roleArn ?? machine.roleArn, definition ?? machine.definition, machine.creationDate);
    machines.set(machine.arn, updated);
    return { updateDate: epochSeconds(Date.now()) };
  }

  function deleteStateMachine(body: Record<string, unknown>): unknown {
    const arn = readString(body, 'stateMachineArn', true);
    if (!STATE_MACHINE_ARN.test(arn)) throw new ServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    machines.delete(arn);
    counters.stateMachines = machines.size;
    return {};
  }

  // ---------------------------------------------------------------- executions

  function toTaskError(thrown: unknown): Error {
    const obj = typeof thrown === 'object' && thrown !== null ? (thrown as { name?: unknown; message?: unknown; stack?: unknown }) : undefined;
    const name = typeof obj?.name === 'string' && obj.name !== '' ? obj.name : 'Error';
    const message = typeof obj?.message === 'string' ? obj.message : String(thrown);
    const err = new Error(
      lambdaErrorCause === 'lambda-json'
        ? JSON.stringify({
            errorType: name,
            errorMessage: message,
            trace: typeof obj?.stack === 'string' ? obj.stack.split('\n') : [],
          })
        : message,
    );
    // aws-local-stepfunctions matches Retry/Catch ErrorEquals against `error.name`.
    err.name = name;
    return err;
  }

  async function callLambda(functionArn: string, payload: unknown, executionArn: string, stateName: string): Promise<unknown> {
    counters.taskInvocations++;
    try {
      // JSON round trips: the function sees a copy (as over the wire) and returns plain JSON.
      const result = await options.invokeLambda(functionArn, toJson(payload), { executionArn, stateName });
      return toJson(result);
    } catch (err) {
      throw toTaskError(err);
    }
  }

  /**
   * Settles with `promise`, or rejects as soon as the execution ends. Without this, a Lambda that never
   * answers would keep the library's Task timer (and the process) alive after a timeout or a stop.
   */
  function untilEnd<T>(promise: Promise<T>, control: ExecutionControl, stateName: string): Promise<T> {
    const signal = control.end.signal;
    return new Promise<T>((resolve, reject) => {
      const onEnd = (): void => reject(statesRuntimeError(`The execution ended while task '${stateName}' was running`));
      signal.addEventListener('abort', onEnd, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onEnd);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onEnd);
          reject(err);
        },
      );
    });
  }

  async function runTask(task: TaskBinding, input: unknown, executionArn: string, control: ExecutionControl): Promise<unknown> {
    if (control.ended) throw statesRuntimeError(`The execution has already ended; task '${task.stateName}' was not run`);
    switch (task.kind) {
      case 'lambda':
        return untilEnd(callLambda(task.functionArn, input, executionArn, task.stateName), control, task.stateName);
      case 'lambda-invoke': {
        const params = (typeof input === 'object' && input !== null ? input : {}) as { FunctionName?: unknown; Payload?: unknown };
        const functionArn = typeof params.FunctionName === 'string' ? toLambdaFunctionArn(params.FunctionName, region, accountId) : undefined;
        if (!functionArn) {
          throw statesRuntimeError(`Task '${task.stateName}': Parameters.FunctionName must be a Lambda function name or ARN, got ${JSON.stringify(params.FunctionName)}`);
        }
        const payload = await untilEnd(callLambda(functionArn, params.Payload ?? {}, executionArn, task.stateName), control, task.stateName);
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      }
      case 'unsupported':
        throw statesRuntimeError(
          `Task '${task.stateName}': resource '${task.resource}' is not supported by the local Step Functions server (only Lambda functions are)`,
        );
    }
  }

  function classify(err: unknown, control: ExecutionControl, machine: MachineRecord): Outcome {
    if (err instanceof ExecutionAbortedError) {
      if (control.timedOut) return { status: 'TIMED_OUT', error: 'States.Timeout' };
      return { status: 'ABORTED', error: control.abortError, cause: control.abortCause };
    }
    if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
    const inner = (err instanceof ExecutionError ? err.cause : err) as { name?: unknown; message?: unknown; constructor?: { name?: string } } | undefined;
    const error = typeof inner?.name === 'string' && inner.name !== '' ? inner.name : 'Error';
    const cause = typeof inner?.message === 'string' ? inner.message : String(inner);
    if (inner?.constructor?.name === 'FailStateError') {
      // The library fills defaults in when a Fail state has no Error/Cause; AWS leaves them out.
      const { failStateWithoutError, failStateWithoutCause } = machine.prepared;
      return {
        status: 'FAILED',
        error: error === 'FailStateError' && failStateWithoutError ? undefined : error,
        cause: cause === FAIL_STATE_DEFAULT_CAUSE && failStateWithoutCause ? undefined : cause,
      };
    }
    return { status: 'FAILED', error, cause };
  }

  function finish(rec: ExecutionRecord, outcome: Outcome): void {
    rec.stopDate = Date.now();
    rec.status = outcome.status;
    if (outcome.status === 'SUCCEEDED') {
      const output = JSON.stringify(outcome.output ?? null);
      if (Buffer.byteLength(output) > MAX_PAYLOAD_BYTES) {
        rec.status = 'FAILED';
        rec.error = 'States.DataLimitExceeded';
        rec.cause = `The execution output has a size exceeding the maximum number of bytes service limit (${MAX_PAYLOAD_BYTES}).`;
      } else {
        rec.output = output;
      }
    } else {
      rec.error = outcome.error;
      rec.cause = outcome.cause;
    }
    rec.stop = undefined;
    running.delete(rec.executionArn);
    counters.executions.RUNNING--;
    counters.executions[rec.status]++;
    counters.totalExecutionTimeMs += performance.now() - rec.startPerf;
    if (rec.mode === 'async') {
      rec.sizeBytes = rec.input.length + (rec.output?.length ?? 0) + (rec.cause?.length ?? 0) + 512;
      finished.set(rec.executionArn, rec);
      finishedBytes += rec.sizeBytes;
      while (finished.size > maxFinished || (finishedBytes > RETAINED_EXECUTION_BYTES && finished.size > 1)) {
        const oldest = finished.keys().next().value as string;
        finishedBytes -= finished.get(oldest)?.sizeBytes ?? 0;
        finished.delete(oldest);
      }
      counters.retainedExecutions = finished.size;
    }
  }

  function machineTimeoutMs(machine: MachineRecord): number | undefined {
    let seconds = machine.prepared.timeoutSeconds;
    if (machine.type === 'EXPRESS') seconds = Math.min(seconds ?? Infinity, EXPRESS_MAX_DURATION_SECONDS);
    if (seconds === undefined) return undefined;
    return Math.min(Math.max(seconds * 1000, 1), 2_147_483_647);
  }

  /** Starts an execution; the returned promise settles (never rejects) when it has ended. */
  function launch(machine: MachineRecord, rec: ExecutionRecord, input: unknown): Promise<void> {
    const control: ExecutionControl = { ended: false, end: new AbortController(), timedOut: false };
    const handlers: TaskHandlers = {};
    for (const task of machine.prepared.tasks) {
      handlers[task.stateName] = (taskInput) => runTask(task, taskInput, rec.executionArn, control) as ReturnType<TaskHandlers[string]>;
    }
    counters.started++;
    counters.executions.RUNNING++;
    running.set(rec.executionArn, rec);
    rec.startPerf = performance.now();
    const execution = machine.runner.run(input as RunInput, {
      overrides: { taskResourceLocalHandlers: handlers },
      // $$.Execution.StartTime is set by the library itself when the run starts (same instant, to the ms).
      context: {
        Execution: { Id: rec.executionArn, Name: rec.name, RoleArn: machine.roleArn, RedriveCount: 0 },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    const timeoutMs = machineTimeoutMs(machine);
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            control.ended = true;
            control.timedOut = true;
            execution.abort();
            control.end.abort();
          }, timeoutMs);
    timer?.unref();
    rec.stop = (error, cause) => {
      if (control.ended) return;
      control.ended = true;
      control.abortError = error;
      control.abortCause = cause;
      execution.abort();
      control.end.abort();
    };
    return execution.result.then(
      (output) => {
        control.ended = true;
        clearTimeout(timer);
        finish(rec, { status: 'SUCCEEDED', output });
        control.end.abort();
      },
      (err: unknown) => {
        control.ended = true;
        clearTimeout(timer);
        finish(rec, classify(err, control, machine));
        control.end.abort();
      },
    );
  }

  function parseInput(body: Record<string, unknown>): { text: string; value: unknown } {
    const text = readString(body, 'input', false) ?? '{}';
    if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
      throw new ServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'input exceeds the maximum size of ${MAX_PAYLOAD_BYTES} bytes'`);
    }
    try {
      return { text, value: JSON.parse(text) };
    } catch (err) {
      throw new ServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(err as Error).message}'`);
    }
  }

  function executionName(body: Record<string, unknown>): string {
    const name = readString(body, 'name', false);
    if (name === undefined) return randomUUID();
    if (!validName(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    return name;
  }

  function newRecord(machine: MachineRecord, name: string, input: string, mode: 'sync' | 'async'): ExecutionRecord {
    const prefix = `arn:aws:states:${region}:${accountId}`;
    const executionArn =
      machine.type === 'EXPRESS' ? `${prefix}:express:${machine.name}:${name}:${randomUUID()}` : `${prefix}:execution:${machine.name}:${name}`;
    return {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      mode,
      input,
      startDate: Date.now(),
      startPerf: 0,
      status: 'RUNNING',
      sizeBytes: 0,
    };
  }

  async function startSyncExecution(body: Record<string, unknown>): Promise<unknown> {
    const machine = getMachine(readString(body, 'stateMachineArn', false));
    if (machine.type !== 'EXPRESS') {
      throw new ServiceError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
    }
    const name = executionName(body);
    const input = parseInput(body);
    const rec = newRecord(machine, name, input.text, 'sync');
    await launch(machine, rec, input.value);
    return {
      executionArn: rec.executionArn,
      stateMachineArn: rec.stateMachineArn,
      name: rec.name,
      startDate: epochSeconds(rec.startDate),
      stopDate: epochSeconds(rec.stopDate ?? Date.now()),
      status: rec.status,
      ...(rec.error !== undefined ? { error: rec.error } : {}),
      ...(rec.cause !== undefined ? { cause: rec.cause } : {}),
      input: rec.input,
      inputDetails: { included: true },
      ...(rec.output !== undefined ? { output: rec.output, outputDetails: { included: true } } : {}),
      billingDetails: {
        billedMemoryUsedInMB: 64,
        billedDurationInMilliseconds: Math.max(100, Math.ceil(((rec.stopDate ?? rec.startDate) - rec.startDate) / 100) * 100),
      },
    };
  }

  function startExecution(body: Record<string, unknown>): unknown {
    const machine = getMachine(readString(body, 'stateMachineArn', false));
    const name = executionName(body);
    const input = parseInput(body);
    const rec = newRecord(machine, name, input.text, 'async');
    if (machine.type === 'STANDARD') {
      const existing = running.get(rec.executionArn) ?? finished.get(rec.executionArn);
      if (existing) {
        // AWS: idempotent while the same-named execution runs with the same input.
        if (existing.status === 'RUNNING' && existing.input === input.text) {
          return { executionArn: existing.executionArn, startDate: epochSeconds(existing.startDate) };
        }
        throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${rec.executionArn}'`);
      }
    }
    rec.done = launch(machine, rec, input.value);
    return { executionArn: rec.executionArn, startDate: epochSeconds(rec.startDate) };
  }

  function getExecution(arn: string | undefined): ExecutionRecord {
    if (arn === undefined) throw notNull('executionArn');
    if (!EXECUTION_ARN.test(arn)) throw new ServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const rec = running.get(arn) ?? finished.get(arn);
    // StartSyncExecution runs are not kept (AWS does not describe Express executions either).
    if (!rec || rec.mode !== 'async') throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return rec;
  }

  function describeExecution(body: Record<string, unknown>): unknown {
    const rec = getExecution(readString(body, 'executionArn', false));
    return {
      executionArn: rec.executionArn,
      stateMachineArn: rec.stateMachineArn,
      name: rec.name,
      status: rec.status,
      startDate: epochSeconds(rec.startDate),
      ...(rec.stopDate !== undefined ? { stopDate: epochSeconds(rec.stopDate) } : {}),
      input: rec.input,
      inputDetails: { included: true },
      ...(rec.output !== undefined ? { output: rec.output, outputDetails: { included: true } } : {}),
      ...(rec.error !== undefined ? { error: rec.error } : {}),
      ...(rec.cause !== undefined ? { cause: rec.cause } : {}),
    };
  }

  async function stopExecution(body: Record<string, unknown>): Promise<unknown> {
    const rec = getExecution(readString(body, 'executionArn', false));
    const error = readString(body, 'error', false);
    const cause = readString(body, 'cause', false);
    if (rec.status === 'RUNNING' && rec.stop) {
      rec.stop(error, cause);
      await rec.done;
    }
    return { stopDate: epochSeconds(rec.stopDate ?? Date.now()) };
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateStateMachine: createStateMachine,
    DescribeStateMachine: describeStateMachine,
    ListStateMachines: listStateMachines,
    UpdateStateMachine: updateStateMachine,
    DeleteStateMachine: deleteStateMachine,
    StartSyncExecution: startSyncExecution,
    StartExecution: startExecution,
    DescribeExecution: describeExecution,
    StopExecution: stopExecution,
  };

  // ---------------------------------------------------------------- HTTP

  function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxRequestBytes) tooLarge = true; // keep draining, answer at the end
        if (!tooLarge) chunks.push(chunk);
      });
      req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
      req.on('error', reject);
      // A connection dropped mid-body (client gone, server closing): no answer is possible.
      req.on('close', () => {
        if (!req.complete) reject(new Error('request aborted'));
      });
    });
  }

  function send(res: http.ServerResponse, statusCode: number, body: unknown, requestId: string, errorType?: string): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(statusCode, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(text);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const raw = await readBody(req);
      if (req.method !== 'POST') throw new ServiceError('UnknownOperationException', `Unsupported method ${req.method ?? ''}: use POST /`);
      if (raw === undefined) throw new ServiceError('ValidationException', `Request body exceeds ${maxRequestBytes} bytes`, 413);
      const target = req.headers['x-amz-target'];
      const operation = typeof target === 'string' && target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : undefined;
      const handler = operation === undefined ? undefined : operations[operation];
      if (!handler) throw new ServiceError('UnknownOperationException', `Unknown operation: ${String(target)}`);
      let body: unknown;
      try {
        body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ServiceError('SerializationException', 'Request body is not valid JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ServiceError('SerializationException', 'Request body must be a JSON object');
      }
      send(res, 200, await handler(body as Record<string, unknown>), requestId);
    } catch (err) {
      if (err instanceof ServiceError) {
        send(res, err.statusCode, { __type: err.type, message: err.message }, requestId, err.type);
      } else {
        send(res, 500, { __type: 'InternalFailure', message: (err as Error)?.message ?? String(err) }, requestId, 'InternalFailure');
      }
    }
  }

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ ...counters, executions: { ...counters.executions } }),
    close() {
      closing ??= (async () => {
        const pending = [...running.values()];
        for (const rec of pending) rec.stop?.('States.Aborted', 'Local Step Functions server closed');
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
