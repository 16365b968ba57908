// EventBridge event patterns: validates a pattern as PutRule would and matches events against it with the
// semantics of AWS's rule engine (aws/event-ruler, documented in "Content filtering in Amazon EventBridge event
// patterns"): AND across fields, OR within a field's list, array-consistent matching of arrays in events.

/** The error PutRule and TestEventPattern answer for a malformed pattern (InvalidEventPatternException). */
export class InvalidEventPatternError extends Error {
  constructor(
    readonly reason: string,
    readonly path: string,
  ) {
    super(`Event pattern is not valid. Reason: ${reason}${path ? ` (at ${path})` : ''}`);
    this.name = 'InvalidEventPatternException';
  }
}

type Leaf = string | number | boolean | null;

type Matcher =
  | { kind: 'exact'; value: Leaf }
  | { kind: 'ip'; address: IpAddress }
  | { kind: 'prefix'; value: string; ignoreCase: boolean }
  | { kind: 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; glob: Glob }
  | { kind: 'numeric'; range: NumericRange }
  | { kind: 'cidr'; block: CidrBlock }
  | { kind: 'exists'; exists: boolean }
  | { kind: 'anything-but'; values: Leaf[] }
  | { kind: 'anything-but-string'; op: 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard'; values: string[]; globs: Glob[] };

type FieldCondition = { key: string; node: PatternNode } | { key: string; matchers: Matcher[] };

interface PatternNode {
  fields: FieldCondition[];
  /** Each group is a `$or`: at least one of its alternatives must match the same object. */
  anyOf: PatternNode[][];
}

/** A validated pattern, ready to match events. */
export interface EventPattern {
  readonly source: unknown;
  readonly root: PatternNode;
}

const OR = '$or';
// Operator names that may not be used as field names inside `$or` (event-ruler's reserved names).
const RESERVED_IN_OR = new Set(['exact', 'prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'cidr', 'exists']);
/** Numeric matching is limited to this range (EventBridge's documented limit). */
const NUMERIC_LIMIT = 5e9;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const fail = (reason: string, path: string): never => {
  throw new InvalidEventPatternError(reason, path);
};

/** Validates a pattern (a JSON string or its parsed form) and compiles it; throws InvalidEventPatternError. */
export function compileEventPattern(pattern: unknown): EventPattern {
  let source = pattern;
  if (typeof pattern === 'string') {
    try {
      source = JSON.parse(pattern) as unknown;
    } catch (error) {
      fail(`the pattern is not valid JSON: ${(error as Error).message}`, '');
    }
  }
  if (!isObject(source)) fail('Filter is not an object', '');
  return { source, root: compileObject(source as Record<string, unknown>, '', false) };
}

function compileObject(object: Record<string, unknown>, path: string, insideOr: boolean): PatternNode {
  const entries = Object.entries(object);
  if (entries.length === 0) fail('Empty objects are not allowed', path || '(root)');
  const node: PatternNode = { fields: [], anyOf: [] };
  for (const [key, value] of entries) {
    const here = path ? `${path}.${key}` : key;
    if (key === OR) {
      if (!Array.isArray(value)) fail(`It must be an Array followed with ${OR}.`, here);
      const alternatives = value as unknown[];
      if (alternatives.length < 2) fail(`There must have at least 2 Objects in ${OR} relationship.`, here);
      node.anyOf.push(
        alternatives.map((alternative, index) => {
          if (!isObject(alternative)) fail(`Only JSON object is allowed in array of ${OR} relationship.`, `${here}[${index}]`);
          return compileObject(alternative as Record<string, unknown>, path, true);
        }),
      );
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) fail(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`, here);
    if (isObject(value)) node.fields.push({ key, node: compileObject(value, here, insideOr) });
    else if (Array.isArray(value)) node.fields.push({ key, matchers: compileValues(value, here) });
    else fail(`"${key}" must be an object or an array`, here);
  }
  return node;
}

function compileValues(values: unknown[], path: string): Matcher[] {
  if (values.length === 0) fail('Empty arrays are not allowed', path);
  return values.map((value, index) => {
    const here = `${path}[${index}]`;
    if (isObject(value)) return compileExpression(value, here);
    if (typeof value === 'string') {
      // event-ruler matches a string that is an IP address by address, so "::1" matches "0:0:0:0:0:0:0:1".
      const address = parseIp(value);
      return address ? { kind: 'ip', address } : { kind: 'exact', value };
    }
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) return { kind: 'exact', value };
    return fail('Match value must be String, number, true, false, or null', here);
  });
}

function onlyKey(expression: Record<string, unknown>, path: string): [string, unknown] {
  const entries = Object.entries(expression);
  if (entries.length === 0) fail('Match expression name not found', path);
  if (entries.length > 1) fail('Only one key allowed in match expression', path);
  return entries[0] as [string, unknown];
}

function compileExpression(expression: Record<string, unknown>, path: string): Matcher {
  const [operator, operand] = onlyKey(expression, path);
  switch (operator) {
    case 'exact':
      if (typeof operand !== 'string') fail('exact match pattern must be a string', path);
      return { kind: 'exact', value: operand as string };
    case 'prefix':
    case 'suffix': {
      if (isObject(operand)) {
        const [inner, value] = onlyKey(operand, path);
        if (inner !== 'equals-ignore-case') fail(`Unsupported ${operator} pattern: ${inner}`, path);
        if (typeof value !== 'string') fail('equals-ignore-case match pattern must be a string', path);
        return { kind: operator, value: value as string, ignoreCase: true };
      }
      if (typeof operand !== 'string') fail(`${operator} match pattern must be a string`, path);
      return { kind: operator, value: operand as string, ignoreCase: false };
    }
    case 'equals-ignore-case':
      if (typeof operand !== 'string') fail('equals-ignore-case match pattern must be a string', path);
      return { kind: 'equals-ignore-case', value: operand as string };
    case 'wildcard':
      if (typeof operand !== 'string') fail('wildcard match pattern must be a string', path);
      return { kind: 'wildcard', glob: parseGlob(operand as string, path) };
    case 'numeric':
      if (!Array.isArray(operand)) fail('Value of numeric must be an array.', path);
      return { kind: 'numeric', range: parseNumericRange(operand as unknown[], path) };
    case 'cidr':
      if (typeof operand !== 'string') fail('cidr match pattern must be a string', path);
      return { kind: 'cidr', block: parseCidr(operand as string, path) };
    case 'exists':
      if (typeof operand !== 'boolean') fail('exists match pattern must be either true or false.', path);
      return { kind: 'exists', exists: operand as boolean };
    case 'anything-but':
      return compileAnythingBut(operand, path);
    default:
      return fail(`Unrecognized match type ${operator}`, path);
  }
}

function compileAnythingBut(operand: unknown, path: string): Matcher {
  if (isObject(operand)) {
    const [op, value] = onlyKey(operand, path);
    if (op !== 'prefix' && op !== 'suffix' && op !== 'equals-ignore-case' && op !== 'wildcard') {
      fail(`Unsupported anything-but pattern: ${op}`, path);
    }
    const list = Array.isArray(value) ? (value as unknown[]) : [value];
    if (!Array.isArray(value) && typeof value !== 'string' && typeof value !== 'number') {
      fail('Value of anything-but must be an array or single string/number value.', path);
    }
    const strings = list.map((item) => {
      if (typeof item === 'string') {
        if ((op === 'prefix' || op === 'suffix') && item === '') fail('Null prefix/suffix not allowed', path);
        return item;
      }
      if (op === 'equals-ignore-case') fail('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.', path);
      if (op === 'wildcard') fail('wildcard match pattern must be a string', path);
      return fail('prefix/suffix match pattern must be a string', path);
    });
    if (strings.length === 0) fail('Empty arrays are not allowed', path);
    const kind = op as 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard';
    return { kind: 'anything-but-string', op: kind, values: strings, globs: kind === 'wildcard' ? strings.map((s) => parseGlob(s, path)) : [] };
  }
  if (typeof operand === 'string') return { kind: 'anything-but', values: [operand] };
  if (typeof operand === 'number') return { kind: 'anything-but', values: [checkNumber(operand, path)] };
  if (!Array.isArray(operand)) return fail('Value of anything-but must be an array or single string/number value.', path);
  for (const item of operand) {
    if (typeof item !== 'string' && typeof item !== 'number') fail('Inside anything but list, start|null|boolean is not supported.', path);
  }
  const numbers = operand.filter((item) => typeof item === 'number').length;
  if (operand.length === 0 || (numbers > 0 && numbers < operand.length)) {
    fail('Inside anything but list, either all values are number or string, mixed type is not supported', path);
  }
  for (const item of operand) if (typeof item === 'number') checkNumber(item, path);
  return { kind: 'anything-but', values: operand as Leaf[] };
}

// ------------------------------------------------------------------ numeric ranges

interface NumericRange {
  lower?: { value: number; inclusive: boolean };
  upper?: { value: number; inclusive: boolean };
}

function checkNumber(value: unknown, path: string, operator?: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`Value of ${operator ?? 'numeric match'} must be numeric`, path);
  if (Math.abs(value as number) > NUMERIC_LIMIT) fail(`Value must be between -${NUMERIC_LIMIT.toExponential()} and ${NUMERIC_LIMIT.toExponential()}, inclusive`, path);
  return value as number;
}

function parseNumericRange(terms: unknown[], path: string): NumericRange {
  const [operator, value, secondOperator, secondValue, ...rest] = terms;
  if (typeof operator !== 'string') return fail(`Invalid member in numeric match: ${JSON.stringify(operator)}`, path);
  if (terms.length < 2) fail(`Value of ${operator} must be numeric`, path);
  const bound = checkNumber(value, path, operator === '=' ? 'equals' : operator);
  switch (operator) {
    case '=':
      if (terms.length > 2) fail('Too many elements in numeric expression', path);
      return { lower: { value: bound, inclusive: true }, upper: { value: bound, inclusive: true } };
    case '<':
    case '<=':
      if (terms.length > 2) fail('Too many elements in numeric expression', path);
      return { upper: { value: bound, inclusive: operator === '<=' } };
    case '>':
    case '>=': {
      const lower = { value: bound, inclusive: operator === '>=' };
      if (terms.length === 2) return { lower };
      if (typeof secondOperator !== 'string') fail(`Bad value in numeric range: ${JSON.stringify(secondOperator)}`, path);
      if (secondOperator !== '<' && secondOperator !== '<=') fail(`Bad numeric range operator: ${String(secondOperator)}`, path);
      if (terms.length < 4) fail(`Value of ${String(secondOperator)} must be numeric`, path);
      if (rest.length > 0) fail('Too many terms in numeric range expression', path);
      const top = checkNumber(secondValue, path, secondOperator as string);
      if (!(bound < top)) fail('Bottom must be less than top', path);
      return { lower, upper: { value: top, inclusive: secondOperator === '<=' } };
    }
    default:
      return fail(`Unrecognized numeric range operator: ${operator}`, path);
  }
}

function inRange(range: NumericRange, value: number): boolean {
  const { lower, upper } = range;
  if (lower && (lower.inclusive ? value < lower.value : value <= lower.value)) return false;
  if (upper && (upper.inclusive ? value > upper.value : value >= upper.value)) return false;
  return true;
}

// ------------------------------------------------------------------ wildcards

/** The literal pieces between unescaped `*`: the value must start with the first, end with the last. */
type Glob = string[];

function parseGlob(text: string, path: string): Glob {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') fail(`Invalid escape character at pos ${i}`, path);
      current += next;
      i++;
    } else if (char === '*') {
      if (text[i + 1] === '*') fail(`Consecutive wildcard characters at pos ${i + 1}`, path);
      pieces.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  pieces.push(current);
  return pieces;
}

function globMatches(glob: Glob, value: string): boolean {
  if (glob.length === 1) return value === glob[0];
  const first = glob[0] as string;
  const last = glob[glob.length - 1] as string;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  // Greedy leftmost placement of the middle pieces is optimal for `*`-only globs.
  let position = first.length;
  const end = value.length - last.length;
  for (const piece of glob.slice(1, -1)) {
    const found = value.indexOf(piece, position);
    if (found < 0 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}

// ------------------------------------------------------------------ IP addresses

interface IpAddress {
  version: 4 | 6;
  value: bigint;
}
interface CidrBlock {
  version: 4 | 6;
  first: bigint;
  last: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || (text.match(/::/g) ?? []).length > 1) return undefined;
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const words: number[] = [];
  const toWords = (list: string[]): boolean => {
    for (const [index, group] of list.entries()) {
      if (index === list.length - 1 && group.includes('.')) {
        const v4 = parseIpv4(group);
        if (v4 === undefined) return false;
        words.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false;
        words.push(Number.parseInt(group, 16));
      }
    }
    return true;
  };
  if (tail === undefined) {
    if (!toWords(headGroups) || words.length !== 8) return undefined;
  } else {
    if (!toWords(headGroups)) return undefined;
    const headCount = words.length;
    if (!toWords(tailGroups)) return undefined;
    const missing = 8 - words.length;
    if (missing < 1) return undefined;
    words.splice(headCount, 0, ...new Array<number>(missing).fill(0));
  }
  return words.reduce((value, word) => (value << 16n) | BigInt(word), 0n);
}

function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

function parseCidr(text: string, path: string): CidrBlock {
  const slash = text.indexOf('/');
  if (slash < 0 || slash !== text.lastIndexOf('/')) fail(`Malformed CIDR, one '/' required: ${text}`, path);
  const address = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!address) return fail(`Malformed CIDR, invalid IP address: ${text}`, path);
  const width = address.version === 4 ? 32 : 128;
  const bits = Number(bitsText);
  if (!/^\d{1,3}$/.test(bitsText) || bits > width) fail(`Malformed CIDR, mask bits must be between 0 and ${width}: ${text}`, path);
  const hostBits = BigInt(width - bits);
  const first = (address.value >> hostBits) << hostBits;
  return { version: address.version, first, last: first + (1n << hostBits) - 1n };
}

// ------------------------------------------------------------------ matching

const lower = (text: string) => text.toLowerCase();

function matchesValue(matcher: Matcher, value: Leaf): boolean {
  switch (matcher.kind) {
    case 'exact':
      // Numbers match by value (3.0e2 and 300 are the same number); everything else by identity.
      return value === matcher.value;
    case 'ip': {
      const address = typeof value === 'string' ? parseIp(value) : undefined;
      return address !== undefined && address.version === matcher.address.version && address.value === matcher.address.value;
    }
    case 'prefix':
      return typeof value === 'string' && (matcher.ignoreCase ? lower(value).startsWith(lower(matcher.value)) : value.startsWith(matcher.value));
    case 'suffix':
      return typeof value === 'string' && (matcher.ignoreCase ? lower(value).endsWith(lower(matcher.value)) : value.endsWith(matcher.value));
    case 'equals-ignore-case':
      return typeof value === 'string' && lower(value) === lower(matcher.value);
    case 'wildcard':
      return typeof value === 'string' && globMatches(matcher.glob, value);
    case 'numeric':
      return typeof value === 'number' && inRange(matcher.range, value);
    case 'cidr': {
      const address = typeof value === 'string' ? parseIp(value) : undefined;
      return address !== undefined && address.version === matcher.block.version && address.value >= matcher.block.first && address.value <= matcher.block.last;
    }
    case 'anything-but':
      return !matcher.values.includes(value);
    case 'anything-but-string': {
      // Only a string can satisfy the excluded prefix/suffix/case/wildcard, so any other value matches.
      if (typeof value !== 'string') return true;
      switch (matcher.op) {
        case 'prefix':
          return !matcher.values.some((excluded) => value.startsWith(excluded));
        case 'suffix':
          return !matcher.values.some((excluded) => value.endsWith(excluded));
        case 'equals-ignore-case':
          return !matcher.values.some((excluded) => lower(excluded) === lower(value));
        case 'wildcard':
          return !matcher.globs.some((glob) => globMatches(glob, value));
      }
      return false;
    }
    case 'exists':
      return matcher.exists;
  }
}

/** The leaf values at a field: arrays (nested too) contribute their elements; objects are not leaves. */
function leavesOf(value: unknown, into: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) for (const item of value) leavesOf(item, into);
  else if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') into.push(value);
  return into;
}

/** The objects at a field, arrays flattened: a nested pattern must hold within one of them. */
function objectsOf(value: unknown, into: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(value)) for (const item of value) objectsOf(item, into);
  else if (isObject(value)) into.push(value);
  return into;
}

function fieldMatches(field: FieldCondition, object: Record<string, unknown>): boolean {
  const value = Object.prototype.hasOwnProperty.call(object, field.key) ? object[field.key] : undefined;
  if ('node' in field) {
    const candidates = objectsOf(value);
    // With nothing below this field, only absence conditions (exists: false) can hold.
    if (candidates.length === 0) return nodeMatches(field.node, {});
    return candidates.some((candidate) => nodeMatches(field.node, candidate));
  }
  const leaves = leavesOf(value);
  return field.matchers.some((matcher) =>
    matcher.kind === 'exists' ? (leaves.length > 0) === matcher.exists : leaves.some((leaf) => matchesValue(matcher, leaf)),
  );
}

function nodeMatches(node: PatternNode, object: Record<string, unknown>): boolean {
  return node.fields.every((field) => fieldMatches(field, object)) && node.anyOf.every((alternatives) => alternatives.some((alt) => nodeMatches(alt, object)));
}

/** Whether the event matches the pattern (TestEventPattern). An event that is not a JSON object matches nothing. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return isObject(event) && nodeMatches(pattern.root, event);
}
