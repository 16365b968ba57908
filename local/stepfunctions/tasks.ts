/**
 * Lambda invocation and the Task runner: calls `invokeLambda` for the Task states bound to Lambda,
 * turns what it throws into the named error Retry/Catch match on, and lets pending calls go when the
 * execution ends. Calls are reported to the execution's history when it keeps one.
 */
import { toLambdaFunctionArn, type TaskBinding } from './asl.js';
import type { ExecutionControl } from './executions.js';
import type { ExecutionHistory, TaskCall } from './history.js';
import type { InvokeLambda } from './types.js';

/** Library errors expose `isRetryable`/`isCatchable`; a plain Error counts as both. */
export function statesRuntimeError(message: string): Error {
  const err = new Error(message);
  err.name = 'States.Runtime';
  Object.defineProperties(err, { isRetryable: { value: false }, isCatchable: { value: false } });
  return err;
}

function toJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

export interface TaskRunnerSettings {
  invokeLambda: InvokeLambda;
  lambdaErrorCause: 'message' | 'lambda-json';
  region: string;
  accountId: string;
  /** Counts every call to invokeLambda (retries included). */
  onInvoke: () => void;
}

/** What a Task call needs to know about its execution. */
export interface TaskContext {
  executionArn: string;
  control: ExecutionControl;
  history?: ExecutionHistory;
}

export type RunTask = (task: TaskBinding, input: unknown, execution: TaskContext) => Promise<unknown>;

export function createTaskRunner(settings: TaskRunnerSettings): RunTask {
  function toTaskError(thrown: unknown): Error {
    const obj = typeof thrown === 'object' && thrown !== null ? (thrown as { name?: unknown; message?: unknown; stack?: unknown }) : undefined;
    const name = typeof obj?.name === 'string' && obj.name !== '' ? obj.name : 'Error';
    const message = typeof obj?.message === 'string' ? obj.message : String(thrown);
    const err = new Error(
      settings.lambdaErrorCause === 'lambda-json'
        ? JSON.stringify({ errorType: name, errorMessage: message, trace: typeof obj?.stack === 'string' ? obj.stack.split('\n') : [] })
        : message,
    );
    // aws-local-stepfunctions matches Retry/Catch ErrorEquals against `error.name`.
    err.name = name;
    return err;
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

  async function callLambda(functionArn: string, payload: unknown, stateName: string, execution: TaskContext, call?: TaskCall): Promise<unknown> {
    settings.onInvoke();
    try {
      // JSON round trips: the function sees a copy (as over the wire) and returns plain JSON.
      const result = toJson(await settings.invokeLambda(functionArn, toJson(payload), { executionArn: execution.executionArn, stateName }));
      call?.succeeded(result);
      return result;
    } catch (err) {
      const taskError = toTaskError(err);
      call?.failed(taskError.name, taskError.message);
      throw taskError;
    }
  }

  return async function runTask(task, input, execution) {
    const { control, history } = execution;
    if (control.ended) throw statesRuntimeError(`The execution has already ended; task '${task.stateName}' was not run`);
    switch (task.kind) {
      case 'lambda': {
        const call = history?.lambdaCall(task.stateName, task.functionArn, input);
        return untilEnd(callLambda(task.functionArn, input, task.stateName, execution, call), control, task.stateName);
      }
      case 'lambda-invoke': {
        const params = (typeof input === 'object' && input !== null ? input : {}) as { FunctionName?: unknown; Payload?: unknown };
        const functionArn = typeof params.FunctionName === 'string' ? toLambdaFunctionArn(params.FunctionName, settings.region, settings.accountId) : undefined;
        if (!functionArn) {
          throw statesRuntimeError(`Task '${task.stateName}': Parameters.FunctionName must be a Lambda function name or ARN, got ${JSON.stringify(params.FunctionName)}`);
        }
        const call = history?.serviceCall(task.stateName, 'lambda', 'invoke', settings.region, input);
        const payload = await untilEnd(callLambda(functionArn, params.Payload ?? {}, task.stateName, execution), control, task.stateName).catch((err: unknown) => {
          call?.failed((err as Error).name, (err as Error).message);
          throw err;
        });
        const result = { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
        call?.succeeded(result);
        return result;
      }
      case 'unsupported':
        throw statesRuntimeError(
          `Task '${task.stateName}': resource '${task.resource}' is not supported by the local Step Functions server (only Lambda functions are)`,
        );
    }
  };
}
