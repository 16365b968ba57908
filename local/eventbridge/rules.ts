// The EventBridge rules the service definition declares, as the local bus runs them: the `eventBridge` (and older
// `cloudwatchEvent`) events of serverless-step-functions state machines, and AWS::Events::Rule resources.
// CloudFormation references in patterns and targets are resolved to the local stack's resources.
import type { ServiceDefinition } from '../service-definition.js';
import type { RuleDefinition } from './bus.js';

type Json = Record<string, unknown>;

/** Gives the local value of `!Ref X` (attribute absent) or `!GetAtt X.Attr`; undefined when X is unknown. */
export type ResourceLookup = (logicalId: string, attribute?: string) => string | undefined;

export interface LocalAccount {
  region: string;
  accountId: string;
  stackName: string;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Resolves Ref, Fn::GetAtt, Fn::Sub and Fn::Join throughout a value, as CloudFormation would for this stack. */
export function resolveCloudFormation(value: unknown, lookup: ResourceLookup, account: LocalAccount): unknown {
  const pseudo: Record<string, string> = {
    'AWS::Region': account.region,
    'AWS::AccountId': account.accountId,
    'AWS::Partition': 'aws',
    'AWS::StackName': account.stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const reference = (logicalId: string, attribute?: string): string => {
    const found = attribute === undefined ? (pseudo[logicalId] ?? lookup(logicalId)) : lookup(logicalId, attribute);
    if (found === undefined) throw new Error(`The service refers to ${attribute ? `${logicalId}.${attribute}` : logicalId}, which the local stack has not created`);
    return found;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isObject(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const argument = node[key];
      if (key === 'Ref') return reference(String(argument));
      if (key === 'Fn::GetAtt') {
        const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
        return reference(logicalId as string, attribute);
      }
      if (key === 'Fn::Sub') {
        const [template, variables] = Array.isArray(argument) ? (argument as [string, Json]) : [String(argument), {}];
        const resolvedVariables = walk(variables) as Json;
        return template.replace(/\$\{([^}!]+)\}/g, (_match, name: string) => {
          if (name in resolvedVariables) return String(resolvedVariables[name]);
          const dot = name.indexOf('.');
          return dot > 0 && !name.startsWith('AWS::') ? reference(name.slice(0, dot), name.slice(dot + 1)) : reference(name);
        });
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = argument as [string, unknown[]];
        return (walk(parts) as unknown[]).map(String).join(separator);
      }
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
  };
  return walk(value);
}

function assertResolved(value: unknown, where: string): void {
  const text = JSON.stringify(value) ?? '';
  const variable = /\$\{[^}]*\}/.exec(text);
  if (variable) throw new Error(`${where} holds the unresolved variable ${variable[0]}: the local stack cannot know its value`);
}

const upperFirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** `deadLetterConfig` of each rule a state machine declares, in order (the loader keeps the rules, not this). */
function deadLetterArns(service: ServiceDefinition, key: string): unknown[] {
  const machine = ((service.raw.stepFunctions as Json | undefined)?.stateMachines as Record<string, Json> | undefined)?.[key];
  return ((machine?.events ?? []) as Json[])
    .map((event) => (event.eventBridge ?? event.cloudwatchEvent) as Json | undefined)
    .filter((rule): rule is Json => isObject(rule))
    .map((rule) => rule.deadLetterConfig);
}

function inputOf(input: unknown): string | undefined {
  if (input === undefined || input === null) return undefined;
  return typeof input === 'string' ? input : JSON.stringify(input);
}

/**
 * Every EventBridge rule of the service, with patterns and targets resolved to local resources. Throws at once
 * on what the local stack cannot run (a value it cannot resolve, a target it has not created), naming the rule.
 */
export function eventBridgeRules(service: ServiceDefinition, lookup: ResourceLookup, account: LocalAccount): RuleDefinition[] {
  const rules: RuleDefinition[] = [];
  for (const [logicalId, machine] of Object.entries(service.stateMachines)) {
    const deadLetters = deadLetterArns(service, machine.key);
    for (const [index, event] of machine.events.entries()) {
      // serverless-step-functions' logical id for the rule; its physical name is `name` when given.
      const name = event.name ?? `${upperFirst(machine.key)}EventsRuleCloudWatchEvent${index + 1}`;
      const resolved = resolveCloudFormation({ ...event, deadLetterArn: deadLetters[index] }, lookup, account) as typeof event & { deadLetterArn?: unknown };
      assertResolved(resolved, `EventBridge rule ${name}`);
      const arn = lookup(logicalId);
      if (!arn) throw new Error(`EventBridge rule ${name} targets state machine ${logicalId}, which the local stack has not created`);
      const input = inputOf(resolved.input);
      rules.push({
        name,
        eventBusName: typeof resolved.eventBusName === 'string' ? resolved.eventBusName.split('/').pop() : undefined,
        eventPattern: resolved.eventPattern,
        enabled: resolved.enabled,
        targets: [
          {
            id: `${upperFirst(machine.key)}StepFunctionsStateMachineTarget`,
            arn,
            ...(input !== undefined ? { input } : {}),
            ...(resolved.inputPath !== undefined ? { inputPath: resolved.inputPath } : {}),
            ...(resolved.inputTransformer ? { inputTransformer: resolved.inputTransformer } : {}),
            ...(typeof resolved.deadLetterArn === 'string' ? { deadLetterArn: resolved.deadLetterArn } : {}),
          },
        ],
      });
    }
  }
  for (const [logicalId, resource] of Object.entries(service.resources ?? {})) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    // Only what the bus runs is resolved: a rule's own role, for one, has no local counterpart.
    const given = resource.Properties ?? {};
    const props = resolveCloudFormation(
      {
        Name: given.Name,
        State: given.State,
        EventBusName: given.EventBusName,
        EventPattern: given.EventPattern,
        Targets: ((given.Targets as Json[] | undefined) ?? []).map(({ Id, Arn, Input, InputPath, InputTransformer, DeadLetterConfig }) => ({
          Id,
          Arn,
          Input,
          InputPath,
          InputTransformer,
          DeadLetterConfig,
        })),
      },
      lookup,
      account,
    ) as Json;
    const name = typeof props.Name === 'string' ? props.Name : logicalId;
    assertResolved(props, `EventBridge rule ${name}`);
    if (props.EventPattern === undefined) continue; // a scheduled rule: nothing to match
    const targets = ((props.Targets as Json[] | undefined) ?? []).map((target) => {
      const transformer = isObject(target.InputTransformer) ? target.InputTransformer : undefined;
      const deadLetter = isObject(target.DeadLetterConfig) ? target.DeadLetterConfig.Arn : undefined;
      return {
        id: String(target.Id),
        arn: String(target.Arn),
        ...(typeof target.Input === 'string' ? { input: target.Input } : {}),
        ...(typeof target.InputPath === 'string' ? { inputPath: target.InputPath } : {}),
        ...(transformer
          ? { inputTransformer: { inputPathsMap: transformer.InputPathsMap as Record<string, string> | undefined, inputTemplate: String(transformer.InputTemplate ?? '') } }
          : {}),
        ...(typeof deadLetter === 'string' ? { deadLetterArn: deadLetter } : {}),
      };
    });
    rules.push({
      name,
      eventBusName: typeof props.EventBusName === 'string' ? props.EventBusName.split('/').pop() : undefined,
      eventPattern: props.EventPattern,
      enabled: props.State === undefined || props.State === 'ENABLED',
      targets,
    });
  }
  return rules;
}
