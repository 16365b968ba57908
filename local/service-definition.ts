// Reads serverless.yml, the single description of the service, and resolves it as the framework does, so the
// local stack builds what AWS would: the same functions, settings, resources and state machines.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

// The framework's own YAML reader and CloudFormation short-form tags (`!Ref`, `!GetAtt`, `!Sub`...), so a file
// parses here exactly as `serverless package` parses it. osls is pinned in package.json.
const requireFromFramework = createRequire(createRequire(import.meta.url).resolve('osls/package.json'));
const yaml = requireFromFramework('js-yaml') as { load(text: string, options: { filename: string; schema: unknown }): unknown };
const cloudFormationSchema = requireFromFramework('./lib/utils/serverless-utils/cloudformation-schema.js') as unknown;

type Json = Record<string, unknown>;

export interface FunctionDefinition {
  name: string;
  /** Module path without extension, relative to the project root. */
  modulePath: string;
  exportName: string;
  timeoutSeconds: number;
  memorySize: number;
  /**
   * The provider's and the function's environment as the framework resolves it: scalars as strings, and a
   * CloudFormation reference (`{ Ref }` or `{ 'Fn::GetAtt' }`) where the value is a resource of the stack.
   */
  environment: Record<string, unknown>;
}

export interface ServiceDefinition {
  service: string;
  stage: string;
  region: string;
  /** custom.triage: the feedback triage settings (serverless/feedback-triage.yml, `settings`). */
  triage: {
    batchSize: number;
    maximumBatchingWindow: number;
    executionConcurrency: number;
    /** perMessage: one Express execution per message; perBatch: one per SQS batch (a Map over its messages). */
    executionMode?: ExecutionMode;
    maxReceiveCount: number;
    consumerTimeout: number;
    stateTimeout: number;
    /** TimeoutSeconds of every Task of the triage machines. */
    taskTimeout: number;
    /** TimeoutSeconds of a triage execution. */
    executionTimeout: number;
    visibilityTimeout: number;
    feedbackIndex: string;
    alertClaimSeconds: number;
  };
  /** custom.documents: the document moderation settings (serverless/document-moderation.yml, `settings`). */
  documents: Json;
  functions: Record<string, FunctionDefinition>;
  resources: Record<string, { Type: string; Properties?: Json; Condition?: string }>;
  /** The S3 buckets the resources declare, by logical id. */
  buckets: Record<string, BucketInfo>;
  /** The first state machine declared (the per-message triage workflow). */
  stateMachine: StateMachineInfo;
  /** Every state machine, by CloudFormation logical id, in the order declared. */
  stateMachines: Record<string, StateMachineInfo>;
  /** The whole configuration, resolved and merged: what `serverless print` shows. */
  raw: Json;
}

export interface BucketInfo {
  logicalId: string;
  /** The bucket's name with CloudFormation's pseudo parameters given their local values. */
  localName: string;
  /** True when the bucket sends its events to EventBridge (NotificationConfiguration.EventBridgeConfiguration). */
  eventBridge: boolean;
  properties: Json;
}

/** A serverless-step-functions `eventBridge` (or `cloudwatchEvent`) event: a rule that starts the machine. */
export interface StateMachineEvent {
  /** The rule's event pattern, as EventBridge matches it. */
  eventPattern: Json;
  enabled: boolean;
  name?: string;
  eventBusName?: unknown;
  input?: unknown;
  inputPath?: string;
  inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
}

export interface StateMachineInfo {
  /** The key under `stepFunctions.stateMachines`. */
  key: string;
  /** CloudFormation logical id (`id`), the name `custom.refs` entries `!Ref`. */
  logicalId: string;
  name: string;
  /** The ASL file, when the definition is `${file(...)}`. */
  definitionFile?: string;
  type: string;
  /** The definition as the framework resolves it: Task resources are CloudFormation references to functions. */
  definition: Json;
  /** The function behind each Task, by state name (states of Parallel branches and Maps included). */
  taskFunctions: Record<string, string>;
  events: StateMachineEvent[];
}

export type ExecutionMode = 'perMessage' | 'perBatch';

export interface LoadOptions {
  /** `--region`; the provider's default when absent. */
  region?: string;
  /** What `${env:...}` reads; process.env when absent. */
  environment?: Record<string, string | undefined>;
}

/** A configuration that does not resolve: says which variable, where, and why. */
export class ServiceConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceConfigurationError';
  }
}

// ---- Variables: the framework's syntax (osls lib/configuration/variables/parse.js) -------------------------

/** A piece of text that may embed variables: an address, a parameter. */
type Template = Array<string | Variable>;
type Source =
  | { kind: 'literal'; value: unknown }
  | { kind: 'variable'; variable: Variable }
  | { kind: 'typed'; type: string; params: Template[]; address?: Template };
interface Variable {
  text: string;
  sources: Source[];
}
type Segment = { start: number; end: number; variable: Variable };

const TYPE_PATTERN = /^[a-z][a-zA-Z0-9]*$/;
const SOURCE_CHAR = /[a-zA-Z0-9.-]/;

class Parser {
  private index = 0;
  constructor(private readonly text: string) {}

  /** Every variable of the text, with its span; CloudFormation `${Name}` placeholders are left out. */
  segments(): Segment[] {
    const found: Segment[] = [];
    for (let at = this.text.indexOf('${'); at !== -1; at = this.text.indexOf('${', at)) {
      if (at > 0 && this.text[at - 1] === '\\') {
        at += 2;
        continue;
      }
      if (!/^\$\{[a-z][a-zA-Z0-9.-]*[:(]/.test(this.text.slice(at, at + 200))) {
        at += 2;
        continue;
      }
      this.index = at;
      const variable = this.variable();
      found.push({ start: at, end: this.index, variable });
      at = this.index;
    }
    return found;
  }

  private fail(reason: string): never {
    throw new ServiceConfigurationError(`${reason} at index ${this.index} in "${this.text}"`);
  }

  private skipSpaces(): void {
    while (this.text[this.index] === ' ') this.index++;
  }

  private variable(): Variable {
    const start = this.index;
    this.index += 2;
    const sources: Source[] = [];
    for (;;) {
      this.skipSpaces();
      sources.push(this.source());
      this.skipSpaces();
      const char = this.text[this.index];
      this.index++;
      if (char === '}') break;
      if (char !== ',') this.fail('Invalid variable: expected "," or "}"');
    }
    return { text: this.text.slice(start, this.index), sources };
  }

  private source(): Source {
    const char = this.text[this.index];
    if (char === '$' && this.text[this.index + 1] === '{') return { kind: 'variable', variable: this.variable() };
    if (char === '"' || char === "'") return { kind: 'literal', value: this.quoted() };
    const start = this.index;
    while (this.index < this.text.length && SOURCE_CHAR.test(this.text[this.index] as string)) this.index++;
    const word = this.text.slice(start, this.index);
    const next = this.text[this.index];
    if (next === ':' || next === '(') {
      if (!TYPE_PATTERN.test(word)) this.fail('Invalid variable source');
      const params: Template[] = [];
      if (next === '(') {
        this.index++;
        for (;;) {
          this.skipSpaces();
          params.push(this.template(')', ','));
          const close = this.text[this.index];
          this.index++;
          if (close === ')') break;
          if (close !== ',') this.fail('Invalid variable param');
        }
      }
      let address: Template | undefined;
      if (this.text[this.index] === ':') {
        this.index++;
        address = this.template('}', ',');
      }
      return { kind: 'typed', type: word, params, address };
    }
    if (word === '') this.fail('Invalid variable source');
    this.skipSpaces();
    return { kind: 'literal', value: literal(word) };
  }

  private quoted(): string {
    const quote = this.text[this.index];
    const start = this.index;
    this.index++;
    while (this.index < this.text.length && this.text[this.index] !== quote) {
      if (this.text[this.index] === '\\') this.index++;
      this.index++;
    }
    if (this.index >= this.text.length) this.fail('Unterminated string');
    this.index++;
    const raw = this.text.slice(start, this.index);
    return quote === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  /** Text up to one of the stop characters, with nested variables; a quoted whole is a plain string. */
  private template(...stops: string[]): Template {
    const parts: Template = [];
    let chunk = '';
    const quote = this.text[this.index];
    if (quote === '"' || quote === "'") {
      const value = this.quoted();
      this.skipSpaces();
      return [value];
    }
    while (this.index < this.text.length) {
      const char = this.text[this.index] as string;
      if (stops.includes(char)) break;
      if (char === '$' && this.text[this.index + 1] === '{') {
        if (chunk) parts.push(chunk);
        chunk = '';
        parts.push(this.variable());
        continue;
      }
      chunk += char;
      this.index++;
    }
    if (this.index >= this.text.length) this.fail('Unterminated variable');
    if (chunk.trimEnd()) parts.push(chunk.trimEnd());
    return parts;
  }
}

/** `\${` writes a literal `${`. */
const unescape = (text: string) => text.replace(/\\(\$\{)/g, '$1');

function literal(word: string): unknown {
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  const number = Number(word);
  return word !== '' && !Number.isNaN(number) ? number : word;
}

// ---- Resolution ---------------------------------------------------------------------------------------------

/** A map, whichever realm made it (jest runs modules in their own context). */
function isPlainObject(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

const describePath = (path: readonly (string | number)[]) => path.map(String).join('.') || '(root)';

/** The framework's merge of `functions` and `resources` lists (osls lib/utils/merge-plain-objects.js). */
function mergeInto(target: Json, source: Json): Json {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const current = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
    if (isPlainObject(current) && isPlainObject(value)) mergeInto(current, value);
    else if (Array.isArray(current) && Array.isArray(value)) target[key] = mergeArrays(current, value);
    else target[key] = structuredClone(value);
  }
  return target;
}

function mergeArrays(target: unknown[], source: unknown[]): unknown[] {
  const merged = structuredClone(target);
  source.forEach((value, index) => {
    if (value === undefined) return;
    const current = merged[index];
    if (isPlainObject(current) && isPlainObject(value)) mergeInto(current, value);
    else if (Array.isArray(current) && Array.isArray(value)) merged[index] = mergeArrays(current, value);
    else merged[index] = structuredClone(value);
  });
  return merged;
}

const MAX_EXPANSION_DEPTH = 64;

class Resolver {
  private readonly resolving: string[] = [];
  /** Why the last source gave no value, for the error when no fallback gives one either. */
  private missing = '';
  private depth = 0;
  /** Each variable's value, by its text. */
  private readonly values = new Map<string, unknown>();

  constructor(
    /** Parsed files by absolute path, shared with whoever reads the same files after. */
    private readonly files: Map<string, unknown>,
    private readonly root: Json,
    private readonly serviceDir: string,
    private readonly stage: string,
    private readonly options: LoadOptions,
  ) {}

  /** The node with every variable resolved, at `path` (for messages and cycle detection). */
  resolve(node: unknown, path: readonly (string | number)[]): unknown {
    if (typeof node === 'string') return this.resolveString(node, path);
    if (Array.isArray(node)) return node.map((item, index) => this.resolve(item, [...path, index]));
    if (isPlainObject(node)) {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, this.resolve(value, [...path, key])]));
    }
    return node;
  }

  private resolveString(text: string, path: readonly (string | number)[]): unknown {
    const segments = new Parser(text).segments();
    if (segments.length === 0) return unescape(text);
    // A file that includes itself, or values that expand into each other, would never end.
    if (++this.depth > MAX_EXPANSION_DEPTH) {
      throw new ServiceConfigurationError(`Cannot resolve ${text} at ${describePath(path)}: variables expand more than ${MAX_EXPANSION_DEPTH} levels deep (a file that includes itself?)`);
    }
    try {
      const [first] = segments;
      if (segments.length === 1 && first && first.start === 0 && first.end === text.length) {
        // A string that is one variable takes the variable's value as it is: a number, a map, a reference.
        return this.variable(first.variable, path);
      }
      let result = '';
      let last = 0;
      for (const { start, end, variable } of segments) {
        result += unescape(text.slice(last, start)) + this.asText(this.variable(variable, path), variable, path);
        last = end;
      }
      return result + unescape(text.slice(last));
    } finally {
      this.depth--;
    }
  }

  private asText(value: unknown, variable: Variable, path: readonly (string | number)[]): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new ServiceConfigurationError(
      `Cannot resolve ${variable.text} at ${describePath(path)}: it gives ${Array.isArray(value) ? 'a list' : value === null || value === undefined ? 'nothing' : isPlainObject(value) ? 'a map' : `a ${typeof value}`} inside a string`,
    );
  }

  private template(parts: Template, path: readonly (string | number)[]): string {
    return parts.map((part) => (typeof part === 'string' ? part : String(this.variable(part, path)))).join('');
  }

  /** The value of the first source of the variable that gives one (the others are fallbacks). */
  private variable(variable: Variable, path: readonly (string | number)[]): unknown {
    // Every source reads the configuration, the options or files, never the place it is written in: a variable
    // has one value wherever it appears, so each is resolved once.
    if (this.values.has(variable.text)) return this.values.get(variable.text);
    for (const source of variable.sources) {
      let value: unknown;
      if (source.kind === 'literal') value = source.value;
      else if (source.kind === 'variable') value = this.variable(source.variable, path);
      else value = this.typed(source, variable, path);
      if (value !== null && value !== undefined) {
        const resolved = this.resolve(value, path);
        this.values.set(variable.text, resolved);
        return resolved;
      }
    }
    const why = this.missing || 'no value found';
    this.missing = '';
    throw new ServiceConfigurationError(`Cannot resolve ${variable.text} at ${describePath(path)}: ${why}, and no fallback`);
  }

  private typed(source: Extract<Source, { kind: 'typed' }>, variable: Variable, path: readonly (string | number)[]): unknown {
    const address = source.address ? this.template(source.address, path).trim() : undefined;
    const params = source.params.map((param) => this.template(param, path).trim());
    const fail = (reason: string): never => {
      throw new ServiceConfigurationError(`Cannot resolve ${variable.text} at ${describePath(path)}: ${reason}`);
    };
    switch (source.type) {
      case 'self':
        return this.found(this.lookup(address ? address.split('.') : [], variable, path), `${address} is not in the configuration`);
      case 'sls':
        if (address === 'stage') return this.stage;
        return fail(`the local loader knows sls:stage only, not sls:${address}`);
      case 'opt':
        if (address === 'stage') return this.stage;
        if (address === 'region') return this.found(this.options.region, 'no --region given');
        return this.found(null, `no --${address} given`);
      case 'env': {
        if (!address) return fail('env needs a variable name');
        const environment = this.options.environment ?? process.env;
        return this.found(environment[address], `the environment has no ${address}`);
      }
      case 'param':
        if (!address) return fail('param needs a name');
        return this.found(this.param(address, variable, path), `params has no ${address} for stage ${this.stage} nor by default`);
      case 'file': {
        const [file] = params;
        if (!file) return fail('file needs a path');
        let value = this.file(file, fail);
        // A missing file has said so already.
        if (value === null) return null;
        for (const key of address ? address.split('.') : []) {
          if (typeof value === 'string') value = this.resolveString(value, path);
          if (value === null || value === undefined || typeof value !== 'object') break;
          value = (value as Json)[key];
        }
        return this.found(value, address ? `${file} has no ${address}` : `${file} is empty`);
      }
      case 'strToBool': {
        const [text] = params;
        if (text === 'true' || text === '1') return true;
        if (text === 'false' || text === '0') return false;
        return fail(`strToBool takes true, false, 1 or 0, not "${text}"`);
      }
      default:
        // aws:, cf:, s3:, ssm: and the like need an AWS account: nothing the local stack can use.
        return fail(`the "${source.type}" source needs AWS and the local loader does not resolve it`);
    }
  }

  private found(value: unknown, why: string): unknown {
    if (value !== null && value !== undefined) return value;
    this.missing = why;
    return null;
  }

  private param(name: string, variable: Variable, path: readonly (string | number)[]): unknown {
    const params = this.lookup(['params'], variable, path) as Record<string, Json | undefined> | null;
    const value = params?.[this.stage]?.[name] ?? params?.default?.[name];
    return value ?? null;
  }

  private file(file: string, fail: (reason: string) => never): unknown {
    const absolute = resolvePath(this.serviceDir, file);
    if (this.files.has(absolute)) return this.files.get(absolute);
    let text: string;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.missing = `${relative(this.serviceDir, absolute)} does not exist`;
      return null;
    }
    let content: unknown;
    try {
      switch (extname(absolute)) {
        case '.yml':
        case '.yaml':
          content = yaml.load(text, { filename: absolute, schema: cloudFormationSchema });
          break;
        case '.json':
          content = JSON.parse(text);
          break;
        case '.js':
        case '.cjs':
        case '.mjs':
        case '.ts':
          return fail('a code file is not read by the local loader');
        default:
          content = text;
      }
    } catch (error) {
      return fail(`cannot parse ${relative(this.serviceDir, absolute)}: ${(error as Error).message}`);
    }
    this.files.set(absolute, content);
    return content;
  }

  /** `${self:a.b.c}`: walks the configuration, resolving each node on the way, as the framework does. */
  private lookup(keys: string[], variable: Variable, path: readonly (string | number)[]): unknown {
    const key = keys.join('.');
    if (this.resolving.includes(key)) {
      throw new ServiceConfigurationError(`Cannot resolve ${variable.text} at ${describePath(path)}: it refers to itself (${[...this.resolving, key].join(' -> ')})`);
    }
    this.resolving.push(key);
    try {
      let node: unknown = this.root;
      const walked: string[] = [];
      for (const step of keys) {
        node = this.shallow(node, walked);
        if (node === null || node === undefined || typeof node !== 'object') return null;
        node = (node as Json)[step];
        walked.push(step);
      }
      return node === undefined ? null : this.resolve(node, walked);
    } finally {
      this.resolving.pop();
    }
  }

  /** A node that is one variable, replaced by its value until it is not. */
  private shallow(node: unknown, path: readonly (string | number)[]): unknown {
    let current = node;
    for (let depth = 0; typeof current === 'string' && current.includes('${'); depth++) {
      if (depth > 20) throw new ServiceConfigurationError(`Cannot resolve ${describePath(path)}: variables nest too deep`);
      const next = this.resolveString(current, path);
      if (next === current) break;
      current = next;
    }
    return current;
  }
}

/** Fails on any `${` left, except CloudFormation's `${Name}` placeholders inside Fn::Sub. */
function assertResolved(node: unknown, path: (string | number)[], insideSub = false): void {
  if (typeof node === 'string') {
    const leftover = insideSub ? /\$\{[a-z][a-zA-Z0-9.-]*[:(][^}]*\}?/.exec(node) : /\$\{[^}]*\}?/.exec(node);
    if (leftover) throw new ServiceConfigurationError(`Unresolved variable ${leftover[0]} at ${describePath(path)}`);
    return;
  }
  if (Array.isArray(node)) node.forEach((item, index) => assertResolved(item, [...path, index], insideSub));
  else if (isPlainObject(node)) {
    for (const [key, value] of Object.entries(node)) assertResolved(value, [...path, key], insideSub || key === 'Fn::Sub');
  }
}

// ---- The service --------------------------------------------------------------------------------------------

const upperFirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Serverless names a function's CloudFormation resource <Name>LambdaFunction, with '-' and '_' spelled out. */
export function functionLogicalId(functionName: string): string {
  return `${upperFirst(functionName.replace(/-/g, 'Dash').replace(/_/g, 'Underscore'))}LambdaFunction`;
}

/** The configuration resolved and merged as `serverless print --stage <stage>` shows it. */
export function resolveConfiguration(stage = 'local', file = join(projectRoot, 'serverless.yml'), options: LoadOptions = {}): Json {
  return resolveParsed(stage, file, options, new Map());
}

function parseYaml(path: string, files: Map<string, unknown>): unknown {
  if (!files.has(path)) files.set(path, yaml.load(readFileSync(path, 'utf8'), { filename: path, schema: cloudFormationSchema }));
  return files.get(path);
}

function resolveParsed(stage: string, file: string, options: LoadOptions, files: Map<string, unknown>): Json {
  const serviceDir = dirname(file);
  const root = parseYaml(file, files) as Json;
  if (!isPlainObject(root)) throw new ServiceConfigurationError(`${relative(serviceDir, file)} is not a map`);
  const resolver = new Resolver(files, root, serviceDir, stage, options);
  // Resolved values are shared where one variable appears twice: the copy below is the caller's own.
  const resolved = structuredClone(resolver.resolve(root, [])) as Json;
  for (const key of ['functions', 'resources']) {
    const value = resolved[key];
    if (!Array.isArray(value)) continue;
    resolved[key] = value.reduce<Json>((merged, item, index) => {
      if (item === null || item === undefined) return merged;
      if (!isPlainObject(item)) throw new ServiceConfigurationError(`${key}[${index}] is not a map`);
      return mergeInto(merged, item);
    }, {});
  }
  // The framework's schema gives environment values as strings.
  const provider = (resolved.provider ?? {}) as Json;
  provider.stage = stage;
  if (options.region) provider.region = options.region;
  const stringify = (environment: unknown) =>
    isPlainObject(environment)
      ? Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, typeof value === 'number' || typeof value === 'boolean' ? String(value) : value]))
      : environment;
  if (provider.environment) provider.environment = stringify(provider.environment);
  for (const [name, fn] of Object.entries((resolved.functions ?? {}) as Record<string, Json>)) {
    if (!isPlainObject(fn)) throw new ServiceConfigurationError(`functions.${name} is not a map`);
    if (fn.environment) fn.environment = stringify(fn.environment);
    fn.events ??= [];
    fn.name ??= `${String(resolved.service)}-${stage}-${name}`;
  }
  assertResolved(resolved, []);
  return resolved;
}

/** The function named by a Task's resource, `{ 'Fn::GetAtt': [<Name>LambdaFunction, 'Arn'] }`, or undefined. */
function taskFunctionOf(resource: unknown, byLogicalId: Map<string, string>): string | undefined {
  if (!isPlainObject(resource)) return undefined;
  const getAtt = resource['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') return byLogicalId.get(String(getAtt[0]));
  const ref = resource.Ref;
  return typeof ref === 'string' ? byLogicalId.get(ref) : undefined;
}

/** Every state of a definition, nested ones (Parallel branches, Map processors) included. */
function* allStates(definition: Json): Generator<[string, Json]> {
  for (const [name, state] of Object.entries((definition.States ?? {}) as Record<string, Json>)) {
    yield [name, state];
    for (const branch of (state.Branches ?? []) as Json[]) yield* allStates(branch);
    const processor = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
    if (processor) yield* allStates(processor);
  }
}

const PSEUDO_PARAMETERS: Record<string, (service: ServiceDefinition) => string> = {
  'AWS::AccountId': () => '000000000000',
  'AWS::Region': (service) => service.region,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (service) => `${service.service}-${service.stage}`,
};

/** A name given as a string or as `!Sub` over pseudo parameters, with their local values. */
function localName(value: unknown, service: ServiceDefinition, where: string): string {
  if (typeof value === 'string') return value;
  const sub = isPlainObject(value) ? value['Fn::Sub'] : undefined;
  if (typeof sub === 'string') {
    return sub.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
      const pseudo = PSEUDO_PARAMETERS[name];
      if (!pseudo) throw new ServiceConfigurationError(`${where}: the local stack can name only pseudo parameters in !Sub, not \${${name}}`);
      return pseudo(service);
    });
  }
  throw new ServiceConfigurationError(`${where}: give a string or a !Sub over pseudo parameters`);
}

export function loadServiceDefinition(stage = 'local', file = join(projectRoot, 'serverless.yml'), options: LoadOptions = {}): ServiceDefinition {
  const files = new Map<string, unknown>();
  const raw = resolveParsed(stage, file, options, files);
  const provider = (raw.provider ?? {}) as Json;
  const functions: Record<string, FunctionDefinition> = {};
  for (const [name, fn] of Object.entries((raw.functions ?? {}) as Record<string, Json>)) {
    const handler = String(fn.handler);
    const dot = handler.lastIndexOf('.');
    if (dot <= 0) throw new ServiceConfigurationError(`functions.${name}.handler must be <module>.<export>, got "${handler}"`);
    functions[name] = {
      name,
      modulePath: handler.slice(0, dot),
      exportName: handler.slice(dot + 1),
      timeoutSeconds: Number(fn.timeout ?? provider.timeout ?? 6),
      memorySize: Number(fn.memorySize ?? provider.memorySize ?? 1024),
      environment: { ...(provider.environment as Json), ...(fn.environment as Json) },
    };
  }
  const byLogicalId = new Map(Object.keys(functions).map((name) => [functionLogicalId(name), name]));
  const stateMachines: Record<string, StateMachineInfo> = {};
  const rawMachines = ((raw.stepFunctions as Json | undefined)?.stateMachines ?? {}) as Record<string, Json>;
  const sourceMachines = sourceStateMachines(file, files);
  for (const [key, machine] of Object.entries(rawMachines)) {
    const where = `stepFunctions.stateMachines.${key}`;
    if (!isPlainObject(machine.definition)) throw new ServiceConfigurationError(`${where}.definition is not a map`);
    const definition = machine.definition;
    const taskFunctions: Record<string, string> = {};
    for (const [stateName, state] of allStates(definition)) {
      if (state.Type !== 'Task' || typeof state.Resource === 'string') continue;
      const fn = taskFunctionOf(state.Resource, byLogicalId);
      if (!fn) throw new ServiceConfigurationError(`${where}: the Task ${stateName} names ${JSON.stringify(state.Resource)}, which is no function of the service`);
      taskFunctions[stateName] = fn;
    }
    const events: StateMachineEvent[] = [];
    for (const [index, event] of ((machine.events ?? []) as Json[]).entries()) {
      const rule = (event.eventBridge ?? event.cloudwatchEvent) as Json | undefined;
      if (!rule) continue;
      if (!isPlainObject(rule.event)) throw new ServiceConfigurationError(`${where}.events[${index}]: the rule has no event pattern`);
      events.push({
        eventPattern: rule.event,
        enabled: rule.enabled !== false,
        name: rule.name as string | undefined,
        eventBusName: rule.eventBusName,
        input: rule.input,
        inputPath: rule.inputPath as string | undefined,
        inputTransformer: rule.inputTransformer as StateMachineEvent['inputTransformer'],
      });
    }
    // serverless-step-functions names the resource by `id`, else <Key>StepFunctionsStateMachine.
    const logicalId = machine.id ? String(machine.id) : `${upperFirst(key)}StepFunctionsStateMachine`;
    const definitionFile = sourceMachines[key];
    stateMachines[logicalId] = {
      key,
      logicalId,
      name: String(machine.name ?? `${upperFirst(key)}StepFunctionsStateMachine`),
      ...(definitionFile ? { definitionFile } : {}),
      type: String(machine.type ?? 'STANDARD'),
      definition,
      taskFunctions,
      events,
    };
  }
  const [stateMachine] = Object.values(stateMachines);
  if (!stateMachine) throw new ServiceConfigurationError('serverless.yml declares no state machine');
  const resources = (((raw.resources as Json | undefined)?.Resources ?? {}) as ServiceDefinition['resources']);
  const custom = (raw.custom ?? {}) as Json;
  const service: ServiceDefinition = {
    service: String(raw.service),
    stage,
    region: String(provider.region ?? 'us-east-1'),
    triage: custom.triage as ServiceDefinition['triage'],
    documents: (custom.documents ?? {}) as Json,
    functions,
    resources,
    buckets: {},
    stateMachine,
    stateMachines,
    raw,
  };
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::S3::Bucket') continue;
    const properties = resource.Properties ?? {};
    const notifications = properties.NotificationConfiguration as { EventBridgeConfiguration?: { EventBridgeEnabled?: boolean } } | undefined;
    service.buckets[logicalId] = {
      logicalId,
      localName: localName(properties.BucketName ?? `${service.service}-${stage}-${logicalId.toLowerCase()}`, service, `resources.Resources.${logicalId}.Properties.BucketName`),
      eventBridge: Boolean(notifications?.EventBridgeConfiguration && notifications.EventBridgeConfiguration.EventBridgeEnabled !== false),
      properties,
    };
  }
  return service;
}

/**
 * The ASL file behind each state machine whose definition is `${file(...)}`, from the raw YAML of serverless.yml
 * and the files it includes, so tests and tools can name the file a machine runs.
 */
function sourceStateMachines(file: string, files: Map<string, unknown>): Record<string, string> {
  const serviceDir = dirname(file);
  const parse = (path: string) => parseYaml(path, files) as Json;
  const fileOf = (value: unknown) => (typeof value === 'string' ? /^\$\{file\(([^)]+)\)(?::([\w.]+))?\}$/.exec(value.trim()) : null);
  const machines = ((parse(file).stepFunctions as Json | undefined)?.stateMachines ?? {}) as Record<string, unknown>;
  const found: Record<string, string> = {};
  for (const [key, machine] of Object.entries(machines)) {
    let node: unknown = machine;
    const include = fileOf(machine);
    if (include) {
      node = parse(resolvePath(serviceDir, include[1] as string));
      for (const step of (include[2] ?? '').split('.').filter(Boolean)) node = (node as Json | undefined)?.[step];
    }
    const definition = fileOf((node as Json | undefined)?.definition);
    if (definition && !definition[2]) found[key] = resolvePath(serviceDir, definition[1] as string);
  }
  return found;
}

/**
 * The state machine definition as JSON text, with each Task's function reference replaced by the ARN the caller
 * gives for that function: what serverless-step-functions does with CloudFormation references on AWS.
 */
export function loadStateMachineDefinition(
  definition: ServiceDefinition,
  functionArn: (functionName: string) => string,
  /** Which machine: its logical id; the first machine declared when absent. */
  logicalId: string = definition.stateMachine.logicalId,
): string {
  const machine = definition.stateMachines[logicalId];
  if (!machine) throw new ServiceConfigurationError(`serverless.yml declares no state machine with id ${logicalId}`);
  const byLogicalId = new Map(Object.keys(definition.functions).map((name) => [functionLogicalId(name), name]));
  const withArns = (node: unknown, path: string[]): unknown => {
    if (Array.isArray(node)) return node.map((item, index) => withArns(item, [...path, String(index)]));
    if (!isPlainObject(node)) return node;
    if ('Fn::GetAtt' in node || 'Ref' in node) {
      const fn = taskFunctionOf(node, byLogicalId);
      if (!fn) throw new ServiceConfigurationError(`${machine.key}: ${path.join('.')} refers to ${JSON.stringify(node)}, which is no function of the service`);
      return functionArn(fn);
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withArns(value, [...path, key])]));
  };
  return JSON.stringify(withArns(machine.definition, []), null, 2);
}

/**
 * What the local stack needs to create every state machine: one CreateStateMachine input per machine, with
 * its logical id (register each under it, so `self:custom.refs.X` entries that `!Ref` it resolve to its ARN).
 */
export function localStateMachines(
  definition: ServiceDefinition,
  functionArn: (functionName: string) => string,
): Array<{ logicalId: string; name: string; type: string; definition: string }> {
  return Object.values(definition.stateMachines).map((machine) => ({
    logicalId: machine.logicalId,
    name: machine.name,
    type: machine.type,
    definition: loadStateMachineDefinition(definition, functionArn, machine.logicalId),
  }));
}

/**
 * The consumer's environment for an execution mode: TRIAGE_MODE, and STATE_MACHINE_ARN naming the machine
 * that `custom.refs.<mode>StateMachineArn` refers to. `arnOf` gives the local ARN of a logical id.
 */
export function executionModeEnvironment(
  definition: ServiceDefinition,
  mode: ExecutionMode,
  arnOf: (logicalId: string) => string | undefined,
): { TRIAGE_MODE: ExecutionMode; STATE_MACHINE_ARN: string } {
  const refs = (definition.raw.custom as { refs?: Record<string, { Ref?: string }> } | undefined)?.refs ?? {};
  const logicalId = refs[`${mode}StateMachineArn`]?.Ref;
  if (!logicalId) throw new ServiceConfigurationError(`serverless.yml has no custom.refs.${mode}StateMachineArn`);
  const arn = arnOf(logicalId);
  if (!arn) throw new Error(`the state machine ${logicalId} for ${mode} mode has not been created`);
  return { TRIAGE_MODE: mode, STATE_MACHINE_ARN: arn };
}

/**
 * An environment value as a local process gets it: a scalar as written, a CloudFormation reference to a
 * resource of the stack as the local resource's name (`Ref`) or ARN (`Fn::GetAtt ... Arn`).
 */
export function localEnvironmentValue(
  name: string,
  value: unknown,
  resource: (logicalId: string) => { ref: string; arn?: string } | undefined,
): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isPlainObject(value)) {
    const getAtt = value['Fn::GetAtt'];
    const logicalId = typeof value.Ref === 'string' ? value.Ref : Array.isArray(getAtt) ? String(getAtt[0]) : undefined;
    const created = logicalId ? resource(logicalId) : undefined;
    if (logicalId && !created) throw new Error(`${name} refers to ${logicalId}, which the local stack has not created`);
    if (created && typeof value.Ref === 'string') return created.ref;
    if (created && Array.isArray(getAtt) && getAtt[1] === 'Arn' && created.arn) return created.arn;
  }
  throw new Error(`${name}: the local stack cannot give a value for ${JSON.stringify(value)}`);
}

export function localFunctionArn(functionName: string, service = 'feedback-triage', region = 'us-east-1'): string {
  return `arn:aws:lambda:${region}:000000000000:function:${service}-local-${functionName}`;
}
