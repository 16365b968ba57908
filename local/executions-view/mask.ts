/**
 * Hides reader text in execution data before it leaves the server: the feedback's `text` and the document
 * workflow's text `excerpts`, found by field name at any depth (feedback.text, items[].feedback.text,
 * toxicity.excerpts[]), whatever shape a hostile message gives them.
 */

/** Field names whose values are a reader's words, compared without regard to case. */
export const READER_TEXT_FIELDS: ReadonlySet<string> = new Set(['text', 'excerpt', 'excerpts']);

const isReaderTextField = (name: string): boolean => READER_TEXT_FIELDS.has(name.toLowerCase());

/** What a hidden string becomes: its length stays visible, which helps tell an empty text from a long one. */
export const hiddenText = (text: string): string => `‹reader text hidden: ${[...text].length} characters›`;
/** What a hidden number or boolean becomes. */
export const HIDDEN_VALUE = '‹reader text hidden›';

/** Bounds the walk: JSON from the execution store is never this deep, and a cycle cannot hang the server. */
const MAX_DEPTH = 200;

/**
 * A copy of `value` with reader text hidden. The value of a reader-text field is hidden whole when it is a
 * string, number or boolean, element by element when it is an array; when it is an object (the document
 * workflow's `text` holds counts, scores and labels) its strings are hidden and its numbers and booleans kept.
 */
export function maskReaderText(value: unknown): unknown {
  return walk(value, 'outside', 0);
}

/**
 * `outside`: not under a reader-text field. `field`: the value of one (or an array element of it): every scalar
 * is hidden. `inside`: a member of an object under one: strings are hidden, numbers and booleans kept.
 */
type Mode = 'outside' | 'field' | 'inside';

function walk(value: unknown, mode: Mode, depth: number): unknown {
  if (depth > MAX_DEPTH) return HIDDEN_VALUE;
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return mode === 'outside' ? value : hiddenText(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return mode === 'field' ? HIDDEN_VALUE : value;
  if (Array.isArray(value)) return value.map((item) => walk(item, mode, depth + 1));
  if (typeof value === 'object') {
    // No prototype: a member named "__proto__" (JSON.parse makes it an own property) stays a plain member.
    const copy = Object.create(null) as Record<string, unknown>;
    for (const [key, member] of Object.entries(value)) {
      copy[key] = walk(member, isReaderTextField(key) ? 'field' : mode === 'outside' ? 'outside' : 'inside', depth + 1);
    }
    return copy;
  }
  // Functions and symbols never come out of JSON.
  return HIDDEN_VALUE;
}

/**
 * Execution data as the store keeps it (JSON text), parsed and masked. Text that is not JSON cannot be
 * searched by field name, so it is hidden whole unless reader text was asked for.
 */
export function readExecutionData(json: string | undefined, showReaderText: boolean): unknown {
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return showReaderText ? json : hiddenText(json);
  }
  return showReaderText ? value : maskReaderText(value);
}
