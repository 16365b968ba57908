/**
 * The Step Functions API's request vocabulary: the AWS error shape, readers that validate request
 * fields the way the service does, ARN and name rules, and signed paging tokens.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** An error answered to the client as `{"__type": type, "message": message}`. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export type RequestBody = Record<string, unknown>;

/** The JSON 1.0 protocol carries timestamps as epoch seconds (with milliseconds). */
export const epochSeconds = (ms: number): number => ms / 1000;

export function notNull(field: string): ServiceError {
  return new ServiceError(
    'ValidationException',
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

export function readString(body: RequestBody, field: string, required: true): string;
export function readString(body: RequestBody, field: string, required: false): string | undefined;
export function readString(body: RequestBody, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw notNull(field);
    return undefined;
  }
  if (typeof value !== 'string') throw new ServiceError('SerializationException', `'${field}' must be a string`);
  return value;
}

export function readBoolean(body: RequestBody, field: string, fallback: boolean): boolean {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new ServiceError('SerializationException', `'${field}' must be a boolean`);
  return value;
}

/** `maxResults` of the List/Get operations: 0..1000, where 0 (or absent) means the default page of 100. */
export function readMaxResults(body: RequestBody): number {
  const value = body.maxResults;
  if (value === undefined || value === null || value === 0) return 100;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new ServiceError(
      'ValidationException',
      `1 validation error detected: Value '${String(value)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
    );
  }
  return value;
}

/** Requires one of `allowed`; the message lists the enum like AWS's validation errors. */
export function readEnum<T extends string>(body: RequestBody, field: string, allowed: readonly T[]): T | undefined {
  const value = readString(body, field, false);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ServiceError(
      'ValidationException',
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value as T;
}

const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

/** State machine and execution names: 1-80 characters, none of AWS's forbidden ones, no control characters. */
export function validName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
}

export const STATE_MACHINE_ARN = /^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:\s]+(:[^:\s]+)?$/;
export const EXECUTION_ARN = /^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):[^:\s]+:[^:\s]+(:[^:\s]+)?$/;
export const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/.+$/;

export function invalidArn(arn: string): ServiceError {
  return new ServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
}

/**
 * Paging tokens: opaque to clients, signed with a per-server key and bound to the request they continue
 * (operation and filters), so a forged, altered or foreign token is refused with InvalidToken.
 */
export class PageTokens {
  private readonly key = randomBytes(32);

  issue(binding: string, cursor: number): string {
    const payload = Buffer.from(JSON.stringify({ b: binding, c: cursor })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The cursor carried by `token`, or undefined when there is no token. */
  read(token: string | undefined, binding: string): number | undefined {
    if (token === undefined) return undefined;
    const [payload, signature, extra] = token.split('.');
    const expected = payload === undefined ? undefined : Buffer.from(this.sign(payload));
    const given = Buffer.from(signature ?? '');
    if (extra !== undefined || !expected || expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new ServiceError('InvalidToken', 'Invalid Token: the token was not issued by this endpoint or was altered');
    }
    const parsed = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { b: unknown; c: unknown };
    if (parsed.b !== binding || typeof parsed.c !== 'number') {
      throw new ServiceError('InvalidToken', 'Invalid Token: the token belongs to a different request');
    }
    return parsed.c;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
