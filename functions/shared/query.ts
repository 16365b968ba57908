// Reading the team APIs' query strings and paging cursors, with a 400 that names the wrong input. Both pipelines'
// list functions use it, so a refused query and a forged cursor answer the same way everywhere.

/**
 * A refused query. Answered as `{ message, field }`, the key every API of the product names the wrong input by
 * (the intake's body fields, the triage and upload bodies, and these query parameters alike).
 */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export type QueryParameters = Readonly<Record<string, string | undefined>> | null | undefined;

/** A parameter's value. An empty value (`?cursor=`) counts as absent, so clients may always send every parameter. */
export function parameter(query: QueryParameters, name: string): string | undefined {
  const value = query && Object.prototype.hasOwnProperty.call(query, name) ? query[name] : undefined;
  return value === undefined || value === '' ? undefined : value;
}

/** A whole number from min to max; a value over max is refused rather than clamped, so callers learn the cap. */
export function wholeNumberParameter(query: QueryParameters, name: string, bounds: { min: number; max: number; fallback: number }): number {
  const value = parameter(query, name);
  if (value === undefined) return bounds.fallback;
  const number = /^[0-9]{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < bounds.min || number > bounds.max) {
    throw new BadRequestError(`${name} must be a whole number from ${bounds.min} to ${bounds.max}`, name);
  }
  return number;
}

export function choiceParameter<T extends string>(query: QueryParameters, name: string, choices: readonly T[], fallback: T): T {
  const value = parameter(query, name);
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new BadRequestError(`${name} must be one of ${choices.join(', ')}`, name);
  return value as T;
}

/** Timestamps as the product writes them: Date.toISOString(). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isIsoTimestamp(value: string): boolean {
  if (!ISO_TIMESTAMP.test(value)) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

/** Longer than any cursor the lists make (about 150 characters). */
export const MAX_CURSOR_CHARS = 256;

/** The 400 for a cursor the API did not make: the caller starts again from the first page. */
export function invalidCursor(why: string): BadRequestError {
  return new BadRequestError(`cursor is invalid (${why}): start again from the first page`, 'cursor');
}

/**
 * A paging position made opaque: base64url of a JSON object holding exactly `keys`, in that order. It is not
 * signed: it names a position in a list the caller may already read from the start, so a forged cursor reveals
 * nothing new; the strict decoding buys a clean 400 instead of a DynamoDB ValidationException, and no way to
 * smuggle other attributes into ExclusiveStartKey.
 */
export function encodeCursor(keys: readonly string[], position: Readonly<Record<string, string>>): string {
  return Buffer.from(JSON.stringify(Object.fromEntries(keys.map((key) => [key, position[key]]))), 'utf8').toString('base64url');
}

/** The fields of a cursor encodeCursor(keys, …) made; BadRequestError (field `cursor`) for anything else. */
export function decodeCursorFields(cursor: string, keys: readonly string[]): Record<string, unknown> {
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor('not a cursor this API made');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('not a cursor this API made');
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalidCursor('not a cursor this API made');
  const record = decoded as Record<string, unknown>;
  const found = Object.keys(record).sort();
  const expected = [...keys].sort();
  if (found.length !== expected.length || found.some((key, index) => key !== expected[index])) throw invalidCursor('unexpected fields');
  for (const key of keys) if (typeof record[key] !== 'string') throw invalidCursor(`bad ${key}`);
  // Base64 forgives stray bits and other key orders parse the same: accept only the one encoding we make.
  if (encodeCursor(keys, record as Record<string, string>) !== cursor) throw invalidCursor('not a cursor this API made');
  return record;
}
