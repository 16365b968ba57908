/**
 * Amazon States Language helpers for the local Step Functions server: parse a definition,
 * reject what aws-local-stepfunctions would silently run wrongly, find the Task states that
 * call Lambda, and derive the "runtime" definition actually handed to the library
 * (scaled retry intervals and timeouts, explicit Task timeouts, no machine timeout, and
 * `IsPresent: false` rules rewritten around a library bug).
 *
 * The original definition text is never modified: DescribeStateMachine returns it as given.
 */

/** A definition that AWS (or this local server) refuses: answered as `InvalidDefinition`. */
export class DefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DefinitionError';
  }
}

/** How a Task state is executed locally. Keyed by state name (state names are unique machine-wide in ASL). */
export type TaskBinding =
  /** `Resource` is a Lambda function ARN: the function receives the state's effective input. */
  | { kind: 'lambda'; stateName: string; functionArn: string }
  /** `Resource` is `arn:aws:states:::lambda:invoke`: FunctionName/Payload come from the resolved Parameters. */
  | { kind: 'lambda-invoke'; stateName: string }
  /** Anything else (other service integrations, `.waitForTaskToken`, activities): fails the execution. */
  | { kind: 'unsupported'; stateName: string; resource: string };

export interface PrepareOptions {
  /** Multiplies every retrier's IntervalSeconds (default 1 when absent) and MaxDelaySeconds. */
  retryIntervalScale: number;
  /** Multiplies Task `TimeoutSeconds` and the machine-level `TimeoutSeconds`. */
  timeoutScale: number;
  /** Timeout given to Task states that set neither TimeoutSeconds nor TimeoutSecondsPath (library default would be 60 s). */
  taskDefaultTimeoutSeconds: number;
}

export interface PreparedDefinition {
  /** What aws-local-stepfunctions runs (a transformed deep copy of the parsed definition). */
  runtimeDefinition: Record<string, unknown>;
  /** Every Task state, nested ones (Map/Parallel) included. */
  tasks: TaskBinding[];
  /** Machine-level TimeoutSeconds after scaling; enforced by the server, not the library. */
  timeoutSeconds?: number;
  /** Whether some Fail state has neither Error nor ErrorPath / neither Cause nor CausePath. */
  failStateWithoutError: boolean;
  failStateWithoutCause: boolean;
}

/** Longest delay a Node timer accepts, in seconds (2^31-1 ms); longer ones fire immediately. */
export const MAX_TIMER_SECONDS = Math.floor(2_147_483_647 / 1000);

const LAMBDA_FUNCTION_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,140}(:[A-Za-z0-9_$-]{1,128})?$/;
const LAMBDA_INVOKE_ARN = /^arn:aws[a-zA-Z-]*:states:::lambda:invoke$/;
const PARTIAL_LAMBDA_ARN = /^\d{12}:function:[A-Za-z0-9_-]{1,140}(:[A-Za-z0-9_$-]{1,128})?$/;
const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,140}(:[A-Za-z0-9_$-]{1,128})?$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the `definition` string of CreateStateMachine/UpdateStateMachine. */
export function parseDefinition(text: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DefinitionError(`Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ${(err as Error).message}'`);
  }
  if (!isObject(parsed)) {
    throw new DefinitionError("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the definition must be a JSON object'");
  }
  return parsed;
}

/**
 * Resolves the FunctionName accepted by Lambda Invoke (name, name:qualifier, partial ARN, full ARN)
 * to a full function ARN. Returns undefined when it is none of those.
 */
export function toLambdaFunctionArn(functionName: string, region: string, accountId: string): string | undefined {
  if (LAMBDA_FUNCTION_ARN.test(functionName)) return functionName;
  if (PARTIAL_LAMBDA_ARN.test(functionName)) return `arn:aws:lambda:${region}:${functionName}`;
  if (LAMBDA_NAME.test(functionName)) return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
  return undefined;
}

function classifyTask(stateName: string, resource: unknown): TaskBinding {
  const res = typeof resource === 'string' ? resource : String(resource);
  if (LAMBDA_FUNCTION_ARN.test(res)) return { kind: 'lambda', stateName, functionArn: res };
  if (LAMBDA_INVOKE_ARN.test(res)) return { kind: 'lambda-invoke', stateName };
  return { kind: 'unsupported', stateName, resource: res };
}

function scaleRetriers(state: Json, scale: number): void {
  if (scale === 1 || !Array.isArray(state.Retry)) return;
  for (const retrier of state.Retry) {
    if (!isObject(retrier)) continue;
    const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
    retrier.IntervalSeconds = interval * scale;
    if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds = retrier.MaxDelaySeconds * scale;
  }
}

/**
 * aws-local-stepfunctions 3.0.0 evaluates `IsPresent: false` as never true. `Not` of `IsPresent: true`
 * means the same in ASL and the library evaluates it correctly, so rules are rewritten that way.
 */
function rewriteIsPresentFalse(rule: Json): void {
  if (rule.IsPresent === false && typeof rule.Variable === 'string') {
    rule.Not = { Variable: rule.Variable, IsPresent: true };
    delete rule.Variable;
    delete rule.IsPresent;
    return;
  }
  for (const key of ['And', 'Or']) {
    const list = rule[key];
    if (Array.isArray(list)) for (const inner of list) if (isObject(inner)) rewriteIsPresentFalse(inner);
  }
  if (isObject(rule.Not)) rewriteIsPresentFalse(rule.Not);
}

function rejectUnsupported(where: string, node: Json): void {
  if (node.QueryLanguage === 'JSONata') {
    throw new DefinitionError(
      `Invalid State Machine Definition: ${where} uses QueryLanguage JSONata, which the local Step Functions engine (aws-local-stepfunctions) does not evaluate; use JSONPath`,
    );
  }
  if ('Assign' in node) {
    throw new DefinitionError(
      `Invalid State Machine Definition: ${where} uses Assign (workflow variables), which the local Step Functions engine does not support`,
    );
  }
}

/**
 * Builds the runtime definition and the Task bindings. Throws DefinitionError for constructs the
 * library would silently ignore (JSONata, variables). Structural validation is the library's job.
 */
export function prepareDefinition(definition: Json, options: PrepareOptions): PreparedDefinition {
  const runtimeDefinition = structuredClone(definition);
  const tasks: TaskBinding[] = [];
  let failStateWithoutError = false;
  let failStateWithoutCause = false;

  rejectUnsupported('the state machine', runtimeDefinition);

  const visitMachine = (machine: Json): void => {
    if (!isObject(machine.States)) return;
    rejectUnsupported('a nested state machine', machine);
    for (const [stateName, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      rejectUnsupported(`state '${stateName}'`, state);
      for (const list of [state.Choices, state.Catch]) {
        if (!Array.isArray(list)) continue;
        for (const item of list) if (isObject(item)) rejectUnsupported(`a rule of state '${stateName}'`, item);
      }
      switch (state.Type) {
        case 'Task': {
          tasks.push(classifyTask(stateName, state.Resource));
          if (typeof state.TimeoutSeconds === 'number') {
            // The library treats 0 as "unset" (falls back to 60 s): keep at least 1 ms.
            state.TimeoutSeconds = Math.min(Math.max(state.TimeoutSeconds * options.timeoutScale, 0.001), MAX_TIMER_SECONDS);
          } else if (state.TimeoutSecondsPath === undefined) {
            state.TimeoutSeconds = Math.min(options.taskDefaultTimeoutSeconds, MAX_TIMER_SECONDS);
          }
          scaleRetriers(state, options.retryIntervalScale);
          break;
        }
        case 'Map': {
          scaleRetriers(state, options.retryIntervalScale);
          const processor = isObject(state.ItemProcessor) ? state.ItemProcessor : state.Iterator;
          if (isObject(processor)) visitMachine(processor);
          break;
        }
        case 'Parallel': {
          scaleRetriers(state, options.retryIntervalScale);
          if (Array.isArray(state.Branches)) for (const branch of state.Branches) if (isObject(branch)) visitMachine(branch);
          break;
        }
        case 'Choice': {
          if (Array.isArray(state.Choices)) for (const rule of state.Choices) if (isObject(rule)) rewriteIsPresentFalse(rule);
          break;
        }
        case 'Fail': {
          if (state.Error === undefined && state.ErrorPath === undefined) failStateWithoutError = true;
          if (state.Cause === undefined && state.CausePath === undefined) failStateWithoutCause = true;
          break;
        }
        default:
          break;
      }
    }
  };
  visitMachine(runtimeDefinition);

  let timeoutSeconds: number | undefined;
  if (typeof runtimeDefinition.TimeoutSeconds === 'number') {
    timeoutSeconds = runtimeDefinition.TimeoutSeconds * options.timeoutScale;
    // Enforced by the server (timer + abort) so that no Task can be retried after the timeout.
    delete runtimeDefinition.TimeoutSeconds;
  }

  return { runtimeDefinition, tasks, timeoutSeconds, failStateWithoutError, failStateWithoutCause };
}
