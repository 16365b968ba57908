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
    maxReceiveCount: number;
    consumerTimeout: number;
    stateTimeout: number;
    visibilityTimeout: number;
  };
  functions: Record<string, FunctionDefinition>;
  resources: Record<string, { Type: string; Properties?: Json }>;
  /** The state machine definition file and the function behind each of its `${self:custom.sfnArns.X}` variables. */
  stateMachine: { name: string; definitionFile: string; type: string; taskFunctions: Record<string, string> };
  raw: Json;
}

function get(source: Json, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], source);
}

/** Resolves the `${self:...}` and `${sls:stage}` variables that hold plain values; leaves the rest as written. */
function resolveVariables(node: unknown, root: Json, stage: string): unknown {
  if (typeof node === 'string') {
    const whole = /^\$\{self:([\w.]+)\}$/.exec(node);
    if (whole) return resolveVariables(get(root, whole[1] as string), root, stage);
    return node
      .replace(/\$\{sls:stage\}/g, stage)
      .replace(/\$\{self:([\w.]+)\}/g, (_m, path: string) => String(get(root, path)));
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
  const [machine] = Object.values(get(raw, 'stepFunctions.stateMachines') as Record<string, Json>);
  if (!machine) throw new Error('serverless.yml declares no state machine');
  const definitionFile = /^\$\{file\((.+)\)\}$/.exec(String(machine.definition))?.[1];
  if (!definitionFile) throw new Error('the state machine definition must be ${file(...)}');
  return {
    service: String(resolved.service),
    triage: get(resolved, 'custom.triage') as ServiceDefinition['triage'],
    functions,
    resources: get(resolved, 'resources.Resources') as ServiceDefinition['resources'],
    stateMachine: {
      name: String(resolveVariables(machine.name, raw, stage)),
      definitionFile: join(projectRoot, definitionFile),
      type: String(machine.type),
      taskFunctions,
    },
    raw,
  };
}

/**
 * The state machine definition with each `${self:custom.sfnArns.X}` replaced by the ARN the caller gives
 * for that function: what serverless-step-functions does with CloudFormation references on AWS.
 */
export function loadStateMachineDefinition(definition: ServiceDefinition, functionArn: (functionName: string) => string): string {
  const text = readFileSync(definition.stateMachine.definitionFile, 'utf8');
  return text.replace(/\$\{self:custom\.sfnArns\.(\w+)\}/g, (_match, key: string) => {
    const fn = definition.stateMachine.taskFunctions[key];
    if (!fn) throw new Error(`No function for custom.sfnArns.${key}`);
    return functionArn(fn);
  });
}

export function localFunctionArn(functionName: string, service = 'feedback-triage', region = 'us-east-1'): string {
  return `arn:aws:lambda:${region}:000000000000:function:${service}-local-${functionName}`;
}
