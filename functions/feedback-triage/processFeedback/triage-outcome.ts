// Deciding what happens to each queued message after its triage workflow ran.
import { PERMANENT_ERROR_NAMES } from '../../shared/errors.js';

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

/** One message's result in the output of a per-batch execution (statemachines/feedback-triage-batch.asl.json). */
export interface BatchItemResult {
  messageId?: string;
  status?: ExecutionStatus;
  /** The Catch output of the failed item: what a per-message execution reports as error and cause. */
  failure?: { Error?: string; Cause?: string };
}

export interface BatchExecutionSummary extends ExecutionSummary {
  /** The execution's output: a JSON array of BatchItemResult, one per item, in the order of the items. */
  output?: string;
}

/** Name given to a message the batch execution said nothing about: treated as transient (retried). */
export const MISSING_BATCH_RESULT = 'BatchResultMissing';

function parseItemResults(output: string | undefined): BatchItemResult[] | undefined {
  try {
    const parsed = JSON.parse(output ?? '') as unknown;
    return Array.isArray(parsed) ? (parsed as BatchItemResult[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The outcome of each message of one per-batch execution, in the order of `items`. When the execution
 * itself did not succeed (timed out, or failed outside any item), every message gets that outcome, as
 * each would from a failed per-message execution. Otherwise each message gets the outcome of its own
 * result, decided exactly as for a per-message execution: permanent errors are dead-lettered, transient
 * ones retried, and dead-lettered on their last allowed receive.
 */
export function batchOutcomes(
  execution: BatchExecutionSummary,
  items: ReadonlyArray<{ messageId: string; receiveCount: number }>,
  maxReceiveCount: number,
): MessageOutcome[] {
  if (execution.status !== 'SUCCEEDED') {
    return items.map((item) => executionOutcome(execution, item.receiveCount, maxReceiveCount));
  }
  const results = parseItemResults(execution.output);
  return items.map((item, index) => {
    const byPosition = results?.[index];
    const result = byPosition?.messageId === item.messageId ? byPosition : results?.find((candidate) => candidate?.messageId === item.messageId);
    if (!result) {
      return failureOutcome(MISSING_BATCH_RESULT, 'the batch execution succeeded but gave no result for this message', item.receiveCount, maxReceiveCount);
    }
    if (result.status === 'SUCCEEDED') return { action: 'triaged' };
    return executionOutcome(
      { status: result.status ?? 'FAILED', error: result.failure?.Error, cause: readableCause(result.failure?.Cause) },
      item.receiveCount,
      maxReceiveCount,
    );
  });
}

/** Step Functions' limit on an execution's input, in bytes of UTF-8. */
export const MAX_EXECUTION_INPUT_BYTES = 262_144;

/**
 * Room each item keeps free in the per-batch execution's state: DetectSentiments adds one detection per item (a
 * sentiment result, about 150 bytes, or an error whose cause is cut to 500 characters) beside the input.
 */
export const DETECTION_RESERVE_BYTES = 1_024;

/**
 * Splits a batch's items into as few execution inputs as fit Step Functions' input limit (ten long
 * feedback texts may not fit one), keeping their order. An item too large alone gets an input of its own.
 */
export function batchInputs<T>(
  items: readonly T[],
  maxBytes: number = MAX_EXECUTION_INPUT_BYTES,
  /** The JSON an item becomes in the input's `items` array. */
  asJson: (item: T) => string = (item) => JSON.stringify(item),
  /** Bytes each item must leave free in the execution's state data besides its own JSON. */
  reservePerItem = 0,
): T[][] {
  const envelope = Buffer.byteLength(JSON.stringify({ items: [] }));
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = envelope;
  for (const item of items) {
    const itemBytes = Buffer.byteLength(asJson(item)) + reservePerItem;
    // Items after the first are preceded by a comma.
    if (current.length > 0 && size + 1 + itemBytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = envelope;
    }
    size += (current.length > 0 ? 1 : 0) + itemBytes;
    current.push(item);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
