// Deciding what happens to each queued message after its triage workflow ran.
import { PERMANENT_ERROR_NAMES } from '../shared/errors.js';

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'RUNNING' | 'PENDING_REDRIVE' | string;

export interface ExecutionSummary {
  status?: ExecutionStatus;
  error?: string;
  cause?: string;
}

/**
 * triaged: done, delete the message.
 * dead-letter: move it to the DLQ now with its reason (permanent error, or the last allowed receive).
 * retry: report it as a batch item failure so SQS redelivers it after the visibility timeout.
 */
export type MessageOutcome =
  | { action: 'triaged' }
  | { action: 'dead-letter'; errorName: string; reason: string }
  | { action: 'retry'; errorName: string; reason: string };

const MAX_REASON_CHARS = 1_000;

export function describeFailure(errorName: string, cause: string | undefined): string {
  const reason = cause ? `${errorName}: ${cause}` : errorName;
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 1)}…` : reason;
}

/** A failure: permanent ones and those on their last allowed receive are dead-lettered, the rest retried. */
export function failureOutcome(
  errorName: string,
  cause: string | undefined,
  receiveCount: number,
  maxReceiveCount: number,
): MessageOutcome {
  const reason = describeFailure(errorName, cause);
  if (PERMANENT_ERROR_NAMES.has(errorName)) return { action: 'dead-letter', errorName, reason };
  if (receiveCount >= maxReceiveCount) {
    return {
      action: 'dead-letter',
      errorName,
      reason: describeFailure(errorName, `gave up after ${receiveCount} receives; last failure: ${cause ?? 'none given'}`),
    };
  }
  return { action: 'retry', errorName, reason };
}

/** StartSyncExecution answers 200 whatever the execution did: the status says whether it triaged the message. */
export function executionOutcome(
  execution: ExecutionSummary,
  receiveCount: number,
  maxReceiveCount: number,
): MessageOutcome {
  if (execution.status === 'SUCCEEDED') return { action: 'triaged' };
  const errorName = execution.error ?? (execution.status === 'TIMED_OUT' ? 'States.Timeout' : `Execution${execution.status ?? 'Unknown'}`);
  return failureOutcome(errorName, execution.cause, receiveCount, maxReceiveCount);
}

/**
 * The cause of a task failure arrives as the Lambda error JSON ({"errorType","errorMessage",...});
 * the message alone is what people need to read.
 */
export function readableCause(cause: string | undefined): string | undefined {
  if (!cause) return cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: already readable.
  }
  return cause;
}
