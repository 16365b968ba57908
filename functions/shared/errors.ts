// Named errors. Their `name` is the errorType Step Functions sees, so Retry and Catch in the
// state machine, and the consumer's retry-or-reject decision, all key on these names.

/**
 * What is wrong with refused input, for callers that answer each kind differently (the intake picks its HTTP
 * status from it): the message is for people and may be reworded freely.
 */
export type RejectionCode = 'invalid' | 'tooLarge' | 'unsupportedMediaType';

/** The feedback itself is unacceptable: retrying can never help. */
export class InvalidFeedbackError extends Error {
  override readonly name = 'InvalidFeedbackError';
  constructor(
    message: string,
    readonly field?: string,
    readonly code: Extract<RejectionCode, 'invalid' | 'tooLarge'> = 'invalid',
  ) {
    super(message);
  }
}

/** A dependency refused or failed in a way that may pass: throttling, 5xx, network. */
export class TransientDependencyError extends Error {
  override readonly name = 'TransientDependencyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Another delivery of the same feedback is publishing its alert right now. */
export class AlertInProgressError extends Error {
  override readonly name = 'AlertInProgressError';
}

/** A dependency rejected the request for good (bad parameters, access denied, unsupported language). */
export class PermanentDependencyError extends Error {
  override readonly name = 'PermanentDependencyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Errors after which a message goes straight to the dead-letter queue instead of being retried. */
export const PERMANENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'InvalidFeedbackError',
  'PermanentDependencyError',
]);

const TRANSIENT_AWS_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottledException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'InternalErrorException',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSThrottlingException',
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface AwsLikeError {
  name?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
  code?: string;
}

/** True when an error from an AWS call may succeed if tried again later. */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AwsLikeError;
  if (e.name && TRANSIENT_AWS_ERROR_NAMES.has(e.name)) return true;
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  // Sockets reset or refused before any HTTP answer.
  return typeof e.code === 'string' && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN)$/.test(e.code);
}

/**
 * True when DynamoDB refused a write because its condition did not hold: an answer for a conditional write,
 * not a failure. The SDK's ConditionalCheckFailedException carries this name, so one test covers it and a plain error.
 */
export function isConditionFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as AwsLikeError).name === 'ConditionalCheckFailedException';
}

/** Wraps an AWS SDK failure into the error class the state machine knows how to handle. */
export function classifyAwsError(error: unknown, operation: string): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError;
  const detail = `${operation} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  return isTransientAwsError(error)
    ? new TransientDependencyError(detail, { cause: error })
    : new PermanentDependencyError(detail, { cause: error });
}

/**
 * The uploaded document cannot be moderated as it is (not a PDF, encrypted, over a limit): retrying can
 * never help, and the workflow records it as REJECTED with this reason, written for a person.
 */
export class DocumentRejectedError extends Error {
  override readonly name = 'DocumentRejectedError';
}
