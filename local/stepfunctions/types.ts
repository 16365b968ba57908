/** Public types of the local Step Functions server: its options, its statistics and its handle. */
import type { ExecutionsInspector } from './inspector.js';

export type { ExecutionsInspector } from './inspector.js';

export type InvokeLambda = (
  functionArn: string,
  payload: unknown,
  meta: { executionArn: string; stateName: string },
) => Promise<unknown>;

export type StateMachineType = 'STANDARD' | 'EXPRESS';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What `onExecutionFinished` receives: enough to report an execution without polling DescribeExecution. */
export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  error?: string;
}

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
  /** Finished Standard executions kept for Describe/List/GetExecutionHistory (oldest dropped first). Default 10,000. */
  maxFinishedExecutions?: number;
  /**
   * Finished Express executions (StartSyncExecution and StartExecution) kept with their history, apart from the
   * Standard ones: the stand-in for AWS's CloudWatch logging of Express executions. Default 2,000; 0 keeps none
   * (ListExecutions and GetExecutionHistory then refuse Express, as AWS's API does).
   */
  maxExpressExecutions?: number;
  /** Memory budget of the kept Express executions, in bytes (oldest dropped first). Default 32 MiB. */
  expressExecutionBytes?: number;
  /** Request body cap in bytes. Default 4 MiB (a definition may be 1 MiB before JSON escaping). */
  maxRequestBytes?: number;
  /**
   * Called once when any execution ends (sync or async, every status). Runs synchronously on the
   * execution's completion path: keep it cheap; an exception it throws is ignored.
   */
  onExecutionFinished?: (summary: ExecutionSummary) => void;
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
  /** Finished Standard executions retained for Describe/List/GetExecutionHistory. */
  retainedExecutions: number;
  /** Finished Express executions retained with their history. */
  retainedExpressExecutions: number;
  /** Bytes the kept finished executions hold, by design and within their bounds (an estimate until a history is read). */
  retainedBytes: number;
}

export interface StepFunctionsServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Aborts running executions, closes connections and the listener. */
  close(): Promise<void>;
  stats(): StepFunctionsServerStats;
  /** Read-only, in-process access to the machines and the executions kept (the local Executions view reads it). */
  inspector: ExecutionsInspector;
}
