// Runs the project's own handlers the way Lambda does: the module serverless.yml names, a Lambda-shaped
// context, the function's timeout, and errors reported by their name (Lambda's errorType).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { projectRoot, type FunctionDefinition, type ServiceDefinition } from './service-definition.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Faults a developer can switch on to see the pipeline cope: each is a probability per invocation. */
export interface InvocationFaults {
  /** The function's process dies before the handler runs (Lambda reports Runtime.ExitError). */
  crashRate?: number;
  /** The handler never answers, so the function's timeout ends it (Sandbox.Timedout). */
  hangRate?: number;
  /** The handler runs and its effects happen, but its answer is lost (the process dies before replying). */
  lostResponseRate?: number;
  /** Which functions the faults apply to; all but the intake and the consumer when absent. */
  functions?: string[];
  random?: () => number;
}

export interface InvocationStats {
  invocations: number;
  errors: number;
  /** Every timeout, an injected hang's included. */
  timeouts: number;
  /** Injected faults, each kind on its own. */
  crashes: number;
  hangs: number;
  lostAnswers: number;
  totalMs: number;
}

export class LambdaError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Many invocations run at once in this one process, as on Lambda Managed Instances. Lambda's runtime announces
 * that with AWS_LAMBDA_MAX_CONCURRENCY and runs each invocation in its own InvokeStore context; Powertools then
 * keeps each invocation's Lambda context and keys apart, so every log line names its own function. On standard
 * Lambda (one invocation per process) neither is set and nothing changes. The value bounds nothing locally.
 */
const LOCAL_MAX_CONCURRENCY = '1000';

/** Lambda's invoke store in its multi-invocation form; fails loudly if something made the single form first. */
async function concurrentInvokeStore(): Promise<InvokeStoreBase> {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= LOCAL_MAX_CONCURRENCY;
  const store = await InvokeStore.getInstanceAsync(true);
  const probe = Symbol('local runtime probe');
  const isolated = await Promise.all(
    [1, 2].map((n) =>
      store.run({ [probe]: n }, async () => {
        await null;
        return store.get(probe) === n;
      }),
    ),
  );
  if (!isolated.every(Boolean)) {
    throw new Error("Lambda's InvokeStore was created for one invocation at a time before the local runtime started: log lines would name the wrong function");
  }
  return store;
}

/** One metric the handlers emitted, summed over the run: its namespace, name and dimension values. */
export interface EmittedMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  value: number;
}

/**
 * The metrics the handlers emit: Powertools Metrics prints each as a CloudWatch embedded metric format (EMF) line on
 * stdout, which CloudWatch Logs turns into metrics on AWS. The handlers run in this process, so its stdout is theirs:
 * EMF lines are summed here instead of scrolling past, and every other line goes through untouched.
 */
class EmittedMetrics {
  private readonly sums = new Map<string, EmittedMetric>();
  private installed = false;

  install(): void {
    if (this.installed) return;
    this.installed = true;
    const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
      if (text?.startsWith('{"_aws":') && this.record(text)) {
        const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
  }

  /** Adds one EMF line's metrics; false when the line is not EMF after all (it is then printed as it was). */
  private record(line: string): boolean {
    let document: Record<string, unknown> & { _aws?: { CloudWatchMetrics?: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };
    try {
      document = JSON.parse(line);
    } catch {
      return false;
    }
    const directives = document._aws?.CloudWatchMetrics;
    if (!Array.isArray(directives)) return false;
    for (const directive of directives) {
      const dimensions = Object.fromEntries((directive.Dimensions[0] ?? []).map((name) => [name, String(document[name])]));
      for (const { Name } of directive.Metrics) {
        const values = [document[Name]].flat().map(Number).filter(Number.isFinite);
        const key = JSON.stringify([directive.Namespace, Name, dimensions]);
        const sum = this.sums.get(key) ?? { namespace: directive.Namespace, name: Name, dimensions, value: 0 };
        sum.value += values.reduce((total, value) => total + value, 0);
        this.sums.set(key, sum);
      }
    }
    return true;
  }

  /** The sums so far, by metric name then dimensions. */
  snapshot(): EmittedMetric[] {
    return [...this.sums.values()].sort((a, b) => a.name.localeCompare(b.name) || JSON.stringify(a.dimensions).localeCompare(JSON.stringify(b.dimensions)));
  }
}

/** One per process, as stdout is. */
export const emittedMetrics = new EmittedMetrics();

const STATE_FUNCTIONS_BY_DEFAULT = (name: string) => name !== 'submitFeedback' && name !== 'processFeedback';

export class LocalLambdaRuntime {
  private readonly handlers = new Map<string, Promise<Handler>>();
  private faults: InvocationFaults = {};
  readonly stats = new Map<string, InvocationStats>();
  /** Made at construction, before any SDK call in this process asks for the store in its single form. */
  private readonly invokeStore = concurrentInvokeStore();

  constructor(
    private readonly service: ServiceDefinition,
    /** Multiplies each function's timeout: the local stack may run time faster to keep fault runs short. */
    private readonly timeScale = 1,
  ) {
    // Rejections surface where the store is awaited; this keeps an early one from being unhandled meanwhile.
    this.invokeStore.catch(() => undefined);
    emittedMetrics.install();
  }

  setFaults(faults: InvocationFaults = {}): void {
    this.faults = faults;
  }

  functionNameFromArn(functionArn: string): string {
    const deployedName = functionArn.split(':function:')[1]?.split(':')[0] ?? functionArn;
    const match = Object.keys(this.service.functions).find((name) => deployedName.endsWith(`-${name}`) || deployedName === name);
    if (!match) throw new LambdaError('ResourceNotFoundException', `Function not found: ${functionArn}`);
    return match;
  }

  private definition(name: string): FunctionDefinition {
    const fn = this.service.functions[name];
    if (!fn) throw new LambdaError('ResourceNotFoundException', `Function not found: ${name}`);
    return fn;
  }

  private load(fn: FunctionDefinition): Promise<Handler> {
    let loading = this.handlers.get(fn.name);
    if (!loading) {
      const url = pathToFileURL(join(projectRoot, `${fn.modulePath}.ts`)).href;
      // Module initialisation runs in a context of its own, as Lambda's init phase does, so its log lines have somewhere to go.
      loading = this.invokeStore.then((store) => store.run({}, () => import(url))).then((module: Record<string, unknown>) => {
        const handler = module[fn.exportName];
        if (typeof handler !== 'function') throw new Error(`${fn.modulePath}.${fn.exportName} is not a function`);
        return handler as Handler;
      });
      this.handlers.set(fn.name, loading);
    }
    return loading;
  }

  /** Loads every handler now, so the first message does not pay for module loading. */
  async warm(): Promise<void> {
    // One at a time: jest's ESM loader fails concurrent imports that share dependencies.
    for (const fn of Object.values(this.service.functions)) await this.load(fn);
  }

  private statsFor(name: string): InvocationStats {
    let stats = this.stats.get(name);
    if (!stats) {
      stats = { invocations: 0, errors: 0, timeouts: 0, crashes: 0, hangs: 0, lostAnswers: 0, totalMs: 0 };
      this.stats.set(name, stats);
    }
    return stats;
  }

  private faultFor(name: string): 'crash' | 'hang' | 'lost' | undefined {
    const { crashRate = 0, hangRate = 0, lostResponseRate = 0, functions, random = Math.random } = this.faults;
    if (!crashRate && !hangRate && !lostResponseRate) return undefined;
    const applies = functions ? functions.includes(name) : STATE_FUNCTIONS_BY_DEFAULT(name);
    if (!applies) return undefined;
    const draw = random();
    if (draw < crashRate) return 'crash';
    if (draw < crashRate + hangRate) return 'hang';
    if (draw < crashRate + hangRate + lostResponseRate) return 'lost';
    return undefined;
  }

  async invoke(name: string, event: unknown): Promise<unknown> {
    const fn = this.definition(name);
    const handler = await this.load(fn);
    const stats = this.statsFor(name);
    stats.invocations++;
    const timeoutMs = fn.timeoutSeconds * 1000 * this.timeScale;
    const started = performance.now();
    const deadline = Date.now() + timeoutMs;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: `${this.service.service}-local-${name}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${this.service.service}-local-${name}`,
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${this.service.service}-local-${name}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const fault = this.faultFor(name);
    // Events cross a process boundary on AWS: the handler gets its own copy.
    const ownEvent = JSON.parse(JSON.stringify(event ?? null));
    let timer: NodeJS.Timeout | undefined;
    try {
      if (fault === 'crash') {
        stats.crashes++;
        throw new LambdaError('Runtime.ExitError', `RequestId: ${context.awsRequestId} Error: Runtime exited with error: signal: killed (injected fault)`);
      }
      if (fault === 'hang') stats.hangs++;
      const store = await this.invokeStore;
      const invocation = { [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId };
      const running = fault === 'hang' ? new Promise<never>(() => undefined) : store.run(invocation, () => handler(ownEvent, context));
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          stats.timeouts++;
          reject(new LambdaError('Sandbox.Timedout', `RequestId: ${context.awsRequestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`));
        }, timeoutMs);
      });
      const result = await Promise.race([running, timedOut]);
      if (fault === 'lost') {
        stats.lostAnswers++;
        throw new LambdaError('Runtime.ExitError', `RequestId: ${context.awsRequestId} Error: Runtime exited after the handler returned (injected fault)`);
      }
      return JSON.parse(JSON.stringify(result ?? null));
    } catch (error) {
      stats.errors++;
      const e = error as Error;
      throw new LambdaError(e?.name ?? 'Error', e?.message ?? String(error));
    } finally {
      clearTimeout(timer);
      stats.totalMs += performance.now() - started;
    }
  }
}
