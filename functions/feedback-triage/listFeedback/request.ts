// Reading a dashboard request's query string, with a 400 that names the parameter for each way it can be wrong.
import { SENTIMENTS, type Sentiment } from '../../shared/feedback.js';

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

export function sentimentParameter(query: QueryParameters, name = 'sentiment'): Sentiment {
  const value = parameter(query, name);
  if (value === undefined) throw new BadRequestError(`${name} is required: one of ${SENTIMENTS.join(', ')}`, name);
  if (!(SENTIMENTS as readonly string[]).includes(value)) {
    throw new BadRequestError(`${name} must be one of ${SENTIMENTS.join(', ')}`, name);
  }
  return value as Sentiment;
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
