// Comprehend's refusals named for the state machine: throttling apart from other transient failures, so that its
// own Retry (longer, more attempts) can outlast a quota window instead of failing the message.
import { classifyAwsError } from '../../shared/errors.js';

/** The error names AWS answers a call over its request-rate quota with. */
const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling']);

/** Comprehend refused the call for its request-rate quota: transient, and retried longer than other failures. */
export class DependencyThrottledError extends Error {
  override readonly name = 'DependencyThrottledError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * What the function logs when Comprehend throttled a call past the SDK's own retries: serverless/feedback-triage.yml
 * counts these lines (a metric filter) and alarms when they keep coming.
 */
export const THROTTLED_LOG_MESSAGE = 'Comprehend throttled';

export function isThrottling(errorName: unknown): boolean {
  return typeof errorName === 'string' && THROTTLING_ERROR_NAMES.has(errorName);
}

/** Wraps a Comprehend failure (a whole call, or one document of a batch) into the error the workflow handles. */
export function classifyComprehendError(error: unknown, operation: string): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  if (isThrottling(e.name)) {
    return new DependencyThrottledError(`${operation} failed: ${String(e.name)}: ${String(e.message ?? '')}`, { cause: error });
  }
  return classifyAwsError(error, operation);
}
