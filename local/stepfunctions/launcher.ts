/**
 * An execution's lifecycle: starts the library run with the Task handlers and the context object,
 * enforces the machine timeout, stops on request, classifies how the run ended, stores the outcome,
 * writes the history's terminal event and reports the end.
 */
import './polyfills.js';

import { performance } from 'node:perf_hooks';

import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, type StateMachine } from 'aws-local-stepfunctions';

import type { ExecutionControl, ExecutionRecord, ExecutionStore } from './executions.js';
import { HISTORY_SINK, installEventCapture } from './history-capture.js';
import { ExecutionHistory, MAX_HISTORY_EVENTS } from './history.js';
import { EXPRESS_MAX_DURATION_SECONDS, type MachineRecord } from './machines.js';
import type { RunTask } from './tasks.js';
import type { ExecutionStatus, ExecutionSummary } from './types.js';

/** AWS: execution input and output are limited to 256 KiB. */
export const MAX_PAYLOAD_BYTES = 262_144;
const FAIL_STATE_DEFAULT_CAUSE = 'Execution failed because of a Fail state';
const LONGEST_TIMER_MS = 2_147_483_647;

type RunInput = Parameters<StateMachine['run']>[0];
type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

interface Outcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface LauncherSettings {
  store: ExecutionStore;
  runTask: RunTask;
  onExecutionFinished?: (summary: ExecutionSummary) => void;
}

/** Starts an execution; the returned promise settles (never rejects) when it has ended. */
export type Launch = (machine: MachineRecord, rec: ExecutionRecord, input: unknown) => Promise<void>;

function classify(err: unknown, control: ExecutionControl, machine: MachineRecord): Outcome {
  if (err instanceof ExecutionAbortedError) {
    if (control.timedOut) return { status: 'TIMED_OUT', error: 'States.Timeout' };
    if (control.failed) return { status: 'FAILED', error: control.abortError, cause: control.abortCause };
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

function machineTimeoutMs(machine: MachineRecord): number | undefined {
  let seconds = machine.prepared.timeoutSeconds;
  if (machine.type === 'EXPRESS') seconds = Math.min(seconds ?? Infinity, EXPRESS_MAX_DURATION_SECONDS);
  if (seconds === undefined) return undefined;
  return Math.min(Math.max(seconds * 1000, 1), LONGEST_TIMER_MS);
}

const TERMINAL_EVENT: Record<Outcome['status'], string> = {
  SUCCEEDED: 'ExecutionSucceeded',
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'ExecutionTimedOut',
  ABORTED: 'ExecutionAborted',
};

export function createLauncher(settings: LauncherSettings): Launch {
  installEventCapture();
  const { store } = settings;

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
    const history = rec.history;
    let settled: Promise<number> | undefined;
    if (history) {
      const type = TERMINAL_EVENT[rec.status as Outcome['status']];
      const details =
        rec.status === 'SUCCEEDED'
          ? { output: rec.output, outputDetails: { truncated: false } }
          : { ...(rec.error !== undefined ? { error: rec.error } : {}), ...(rec.cause !== undefined ? { cause: rec.cause } : {}) };
      settled = history.finish({ type, detailsKey: `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`, details });
    }
    store.markFinished(rec, performance.now() - rec.startPerf, history?.sizeBytes() ?? 0);
    // A Standard history is translated once its nested runs are linked; a deferred one keeps its estimate until read.
    if (settled && rec.machineType === 'STANDARD') void settled.then((bytes) => store.historyResized(rec, bytes));
    if (settings.onExecutionFinished) {
      try {
        settings.onExecutionFinished({
          executionArn: rec.executionArn,
          stateMachineArn: rec.stateMachineArn,
          name: rec.name,
          status: rec.status as Outcome['status'],
          ...(rec.error !== undefined ? { error: rec.error } : {}),
        });
      } catch {
        // A reporting hook must not change the execution's outcome.
      }
    }
  }

  return function launch(machine, rec, input) {
    const control: ExecutionControl = { ended: false, end: new AbortController(), timedOut: false, failed: false };
    if (machine.type === 'STANDARD') {
      rec.history = new ExecutionHistory({
        roleArn: machine.roleArn,
        onLimit: () =>
          end(() => {
            control.failed = true;
            control.abortError = 'States.Runtime';
            control.abortCause = `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`;
          }),
      });
    } else if (store.keepsExpress) {
      // AWS logs Express executions to CloudWatch Logs; this store keeps them, translated only when read.
      rec.history = new ExecutionHistory({ roleArn: machine.roleArn, deferred: true, payloadHint: 2 * rec.input.length });
    }
    const history = rec.history;
    const handlers: TaskHandlers = {};
    for (const task of machine.prepared.tasks) {
      handlers[task.stateName] = (taskInput) =>
        settings.runTask(task, taskInput, { executionArn: rec.executionArn, control, history }) as ReturnType<TaskHandlers[string]>;
    }
    store.markRunning(rec);
    rec.startPerf = performance.now();
    const runOptions: RunOptions & { [HISTORY_SINK]?: ExecutionHistory } = {
      overrides: { taskResourceLocalHandlers: handlers },
      // $$.Execution.StartTime is set by the library itself when the run starts (same instant, to the ms).
      context: {
        Execution: { Id: rec.executionArn, Name: rec.name, RoleArn: machine.roleArn, RedriveCount: 0 },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
      ...(history ? { [HISTORY_SINK]: history } : {}),
    };
    const execution = machine.runner.run(input as RunInput, runOptions);

    /** Marks the execution ended before aborting the library, so no Task is invoked after the end. */
    function end(mark: () => void): void {
      if (control.ended) return;
      control.ended = true;
      mark();
      execution.abort();
      control.end.abort();
    }

    const timeoutMs = machineTimeoutMs(machine);
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => end(() => (control.timedOut = true)), timeoutMs);
    timer?.unref();
    rec.stop = (error, cause) =>
      end(() => {
        control.abortError = error;
        control.abortCause = cause;
      });
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
  };
}
