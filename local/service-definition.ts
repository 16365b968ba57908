// Reads serverless.yml, the single description of the service, so the local stack builds what AWS would:
// the same functions, queues, table, topics, settings and the same state machine file.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type Tags } from 'yaml';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

// CloudFormation's short-form tags, kept as the long form so the structure can be inspected.
const cloudFormationTags: Tags = ['Ref', 'GetAtt', 'Sub', 'Not', 'Equals', 'If', 'Join', 'Select', 'Split'].flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  const toLong = (value: unknown) => ({ [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value });
  return [
    { tag: `!${name}`, resolve: (value: string) => toLong(value) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (value: { toJSON(): unknown }) => toLong(value.toJSON()) },
  ];
}) as Tags;

type Json = Record<string, unknown>;

export interface FunctionDefinition {
  name: string;
  /** Module path without extension, relative to the project root. */
  modulePath: string;
  exportName: string;
  timeoutSeconds: number;
  memorySize: number;
  environment: Record<string, unknown>;
}

export interface ServiceDefinition {
  service: string;
  triage: {
    batchSize: number;
    maximumBatchingWindow: number;
    executionConcurrency: number;
    /** perMessage: one Express execution per message; perBatch: one per SQS batch (a Map over its messages). */
    executionMode?: ExecutionMode;
    maxReceiveCount: number;
    consumerTimeout: number;
    stateTimeout: number;
    visibilityTimeout: number;
  };
  functions: Record<string, FunctionDefinition>;
  resources: Record<string, { Type: string; Properties?: Json }>;
  /** The first state machine of serverless.yml (the per-message triage workflow). */
  stateMachine: StateMachineInfo;
  /** Every state machine of serverless.yml, by CloudFormation logical id, in the order declared. */
  stateMachines: Record<string, StateMachineInfo>;
  raw: Json;
}

export interface StateMachineInfo {
  /** The key under `stepFunctions.stateMachines`. */
  key: string;
  /** CloudFormation logical id (`id`), the name `custom.refs` entries `!Ref`. */
  logicalId: string;
  name: string;
  definitionFile: string;
  type: string;
  /** The function behind each `${self:custom.sfnArns.X}` variable of the definition. */
  taskFunctions: Record<string, string>;
}

function get(source: Json, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], source);
}

/** Resolves the `${self:...}` and `${sls:stage}` variables that hold plain values; leaves the rest as written. */
function resolveVariables(node: unknown, root: Json, stage: string): unknown {
  if (typeof node === 'string') {
    const whole = /^\$\{self:([\w.]+)\}$/.exec(node);
    if (whole) return resolveVariables(get(root, whole[1] as string), root, stage);
    const replaced = node
      .replace(/\$\{sls:stage\}/g, stage)
      .replace(/\$\{self:([\w.]+)\}/g, (_m, path: string) => String(get(root, path)));
    // A nested variable (`${self:custom.refs.${self:custom.triage.executionMode}StateMachineArn}`) resolves inside out.
    return replaced !== node && /^\$\{self:[\w.]+\}$/.test(replaced) ? resolveVariables(replaced, root, stage) : replaced;
  }
  if (Array.isArray(node)) return node.map((item) => resolveVariables(item, root, stage));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolveVariables(value, root, stage)]));
  }
  return node;
}

const upperFirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function loadServiceDefinition(stage = 'local', file = join(projectRoot, 'serverless.yml')): ServiceDefinition {
  const raw = parse(readFileSync(file, 'utf8'), { customTags: cloudFormationTags }) as Json;
  const resolved = resolveVariables(raw, raw, stage) as Json;
  const provider = resolved.provider as Json;
  const functions: Record<string, FunctionDefinition> = {};
  for (const [name, fn] of Object.entries(resolved.functions as Record<string, Json>)) {
    const handler = String(fn.handler);
    const dot = handler.lastIndexOf('.');
    functions[name] = {
      name,
      modulePath: handler.slice(0, dot),
      exportName: handler.slice(dot + 1),
      timeoutSeconds: Number(fn.timeout ?? provider.timeout ?? 6),
      memorySize: Number(fn.memorySize ?? provider.memorySize ?? 1024),
      environment: { ...(provider.environment as Json), ...(fn.environment as Json) },
    };
  }
  // Serverless names a function's CloudFormation resource <Name>LambdaFunction.
  const byLogicalId = new Map(Object.keys(functions).map((name) => [`${upperFirst(name)}LambdaFunction`, name]));
  const sfnArns = get(raw, 'custom.sfnArns') as Record<string, { 'Fn::GetAtt': [string, string] }>;
  const taskFunctions = Object.fromEntries(
    Object.entries(sfnArns).map(([key, ref]) => {
      const fn = byLogicalId.get(ref['Fn::GetAtt'][0]);
      if (!fn) throw new Error(`custom.sfnArns.${key} does not name a function of serverless.yml`);
      return [key, fn];
    }),
  );
  const stateMachines: Record<string, StateMachineInfo> = {};
  for (const [key, machine] of Object.entries((get(raw, 'stepFunctions.stateMachines') ?? {}) as Record<string, Json>)) {
    const definitionFile = /^\$\{file\((.+)\)\}$/.exec(String(machine.definition))?.[1];
    if (!definitionFile) throw new Error(`the definition of state machine ${key} must be \${file(...)}`);
    // serverless-step-functions names the resource by `id`, else <Key>StepFunctionsStateMachine.
    const logicalId = machine.id ? String(machine.id) : `${upperFirst(key)}StepFunctionsStateMachine`;
    stateMachines[logicalId] = {
      key,
      logicalId,
      name: String(resolveVariables(machine.name, raw, stage)),
      definitionFile: join(projectRoot, definitionFile),
      type: String(machine.type),
      taskFunctions,
    };
  }
  const [stateMachine] = Object.values(stateMachines);
  if (!stateMachine) throw new Error('serverless.yml declares no state machine');
  return {
    service: String(resolved.service),
    triage: get(resolved, 'custom.triage') as ServiceDefinition['triage'],
    functions,
    resources: get(resolved, 'resources.Resources') as ServiceDefinition['resources'],
    stateMachine,
    stateMachines,
    raw,
  };
}

/**
 * The state machine definition with each `${self:custom.sfnArns.X}` replaced by the ARN the caller gives
 * for that function: what serverless-step-functions does with CloudFormation references on AWS.
 */
export function loadStateMachineDefinition(
  definition: ServiceDefinition,
  functionArn: (functionName: string) => string,
  /** Which machine: its logical id; the first machine of serverless.yml when absent. */
  logicalId: string = definition.stateMachine.logicalId,
): string {
  const machine = definition.stateMachines[logicalId];
  if (!machine) throw new Error(`serverless.yml declares no state machine with id ${logicalId}`);
  const text = readFileSync(machine.definitionFile, 'utf8');
  return text.replace(/\$\{self:custom\.sfnArns\.(\w+)\}/g, (_match, key: string) => {
    const fn = machine.taskFunctions[key];
    if (!fn) throw new Error(`No function for custom.sfnArns.${key}`);
    return functionArn(fn);
  });
}

export type ExecutionMode = 'perMessage' | 'perBatch';

/**
 * What the local stack needs to create every state machine of serverless.yml: one CreateStateMachine
 * input per machine, with its logical id (register each under it, so `self:custom.refs.X` entries that
 * `!Ref` it resolve to its ARN).
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
  if (!logicalId) throw new Error(`serverless.yml has no custom.refs.${mode}StateMachineArn`);
  const arn = arnOf(logicalId);
  if (!arn) throw new Error(`the state machine ${logicalId} for ${mode} mode has not been created`);
  return { TRIAGE_MODE: mode, STATE_MACHINE_ARN: arn };
}

export function localFunctionArn(functionName: string, service = 'feedback-triage', region = 'us-east-1'): string {
  return `arn:aws:lambda:${region}:000000000000:function:${service}-local-${functionName}`;
}
