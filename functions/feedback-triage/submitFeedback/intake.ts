// Reading a reader's HTTP request into a feedback submission, with the status code for each way it can be wrong.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { FEEDBACK_LIMITS } from '../../shared/config.js';
import { InvalidFeedbackError, type RejectionCode } from '../../shared/errors.js';
import { parseJson, parseSubmission, type FeedbackSubmission } from '../../shared/feedback.js';

const STATUS_BY_CODE: Readonly<Record<RejectionCode, 400 | 413 | 415>> = {
  invalid: 400,
  tooLarge: 413,
  unsupportedMediaType: 415,
};

export class RequestRejectedError extends Error {
  override readonly name = 'RequestRejectedError';
  constructor(
    readonly code: RejectionCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  get statusCode(): 400 | 413 | 415 {
    return STATUS_BY_CODE[this.code];
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bodyText(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): string {
  const { body } = event;
  if (body === undefined || body === null || body === '') throw new RequestRejectedError('invalid', 'request body is required');
  if (!event.isBase64Encoded) {
    if (Buffer.byteLength(body, 'utf8') > FEEDBACK_LIMITS.maxBodyBytes) {
      throw new RequestRejectedError('tooLarge', `request body must be at most ${FEEDBACK_LIMITS.maxBodyBytes} bytes`);
    }
    return body;
  }
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length > FEEDBACK_LIMITS.maxBodyBytes) {
    throw new RequestRejectedError('tooLarge', `request body must be at most ${FEEDBACK_LIMITS.maxBodyBytes} bytes`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new RequestRejectedError('invalid', 'request body is not valid UTF-8');
  }
}

function header(headers: APIGatewayProxyEventV2['headers'] | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Turns an intake request into a clean submission, or throws RequestRejectedError with the answer to give. */
export function readSubmission(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>,
): FeedbackSubmission {
  const contentType = header(event.headers, 'content-type');
  if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType.trim())) {
    throw new RequestRejectedError('unsupportedMediaType', 'content-type must be application/json');
  }
  const text = bodyText(event);
  try {
    return parseSubmission(parseJson(text));
  } catch (error) {
    if (error instanceof InvalidFeedbackError) throw new RequestRejectedError(error.code, error.message, error.field);
    throw error;
  }
}
