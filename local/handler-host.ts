// Where the handlers' code runs: loads each function's module once and runs one invocation of it with a
// Lambda-shaped context. The local Lambda runtime (lambda-runtime.ts) decides timeouts and faults and counts;
// a host only runs code, in this thread (InProcessHandlers) or in workers of their own (split/handler-workers.ts).
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** A function's code: the module serverless.yml names and the handler it exports. */
export interface HandlerModule {
  name: string;
  moduleUrl: string;
  exportName: string;
}

/** What a handler's context says about its invocation. */
export interface HandlerInvocation extends HandlerModule {
  awsRequestId: string;
  deployedName: string;
  memorySize: number;
  /** Epoch ms when the function's timeout ends it. */
  deadline: number;
}

/**
 * Runs the handlers. Events and answers cross as JSON text, as they cross a process boundary on AWS: each
 * handler gets its own copy, and an answer that JSON cannot carry fails the way Lambda's would.
 */
export interface HandlerHost {
  warm(modules: HandlerModule[]): Promise<void>;
  run(invocation: HandlerInvocation, eventJson: string): Promise<string>;
  /** Passes a change of the handlers' environment to code that does not share this thread's process.env. */
  setEnvironment?(values: Record<string, string>): Promise<void>;
  close(): Promise<void>;
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

type EmfDocument = Record<string, unknown> & { _aws?: { CloudWatchMetrics?: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };

/**
 * The metrics the handlers emit: Powertools Metrics prints each as a CloudWatch embedded metric format (EMF) line on
 * stdout, which CloudWatch Logs turns into metrics on AWS. The handlers' stdout is this thread's: EMF lines are
 * summed here instead of scrolling past, and every other line goes through untouched.
 */
export class EmittedMetrics {
  private readonly sums = new Map<string, EmittedMetric>();
  /** Sums added since the last takeRecent(): what a handler thread reports with each answer. */
  private recent = new Map<string, EmittedMetric>();
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
    let document: EmfDocument;
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
        this.add([{ namespace: directive.Namespace, name: Name, dimensions, value: values.reduce((total, value) => total + value, 0) }]);
      }
    }
    return true;
  }

  /** Adds metrics summed elsewhere (a handler thread's). */
  add(metrics: EmittedMetric[]): void {
    for (const metric of metrics) {
      const key = JSON.stringify([metric.namespace, metric.name, metric.dimensions]);
      for (const sums of [this.sums, this.recent]) {
        const sum = sums.get(key) ?? { ...metric, value: 0 };
        sum.value += metric.value;
        sums.set(key, sum);
      }
    }
  }

  /** The sums added since the last call. */
  takeRecent(): EmittedMetric[] {
    if (this.recent.size === 0) return [];
    const recent = [...this.recent.values()];
    this.recent = new Map();
    return recent;
  }

  /** The sums so far, by metric name then dimensions. */
  snapshot(): EmittedMetric[] {
    return [...this.sums.values()].sort((a, b) => a.name.localeCompare(b.name) || JSON.stringify(a.dimensions).localeCompare(JSON.stringify(b.dimensions)));
  }
}

/** One per thread, as stdout is. */
export const emittedMetrics = new EmittedMetrics();

/** Runs the handlers in this thread: each module imported once, each invocation in its own InvokeStore context. */
export class InProcessHandlers implements HandlerHost {
  private readonly handlers = new Map<string, Promise<Handler>>();
  /** Made at construction, before any SDK call in this thread asks for the store in its single form. */
  private readonly invokeStore = concurrentInvokeStore();

  constructor() {
    // Rejections surface where the store is awaited; this keeps an early one from being unhandled meanwhile.
    this.invokeStore.catch(() => undefined);
    emittedMetrics.install();
  }

  private load(module: HandlerModule): Promise<Handler> {
    let loading = this.handlers.get(module.name);
    if (!loading) {
      // Module initialisation runs in a context of its own, as Lambda's init phase does, so its log lines have somewhere to go.
      loading = this.invokeStore
        .then((store) => store.run({}, () => import(module.moduleUrl)))
        .then((exports: Record<string, unknown>) => {
          const handler = exports[module.exportName];
          if (typeof handler !== 'function') throw new Error(`${module.moduleUrl} exports no function ${module.exportName}`);
          return handler as Handler;
        });
      this.handlers.set(module.name, loading);
    }
    return loading;
  }

  async warm(modules: HandlerModule[]): Promise<void> {
    // One at a time: jest's ESM loader fails concurrent imports that share dependencies.
    for (const module of modules) await this.load(module);
  }

  async run(invocation: HandlerInvocation, eventJson: string): Promise<string> {
    const handler = await this.load(invocation);
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: invocation.deployedName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${invocation.deployedName}`,
      memoryLimitInMB: String(invocation.memorySize),
      awsRequestId: invocation.awsRequestId,
      logGroupName: `/aws/lambda/${invocation.deployedName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, invocation.deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const store = await this.invokeStore;
    const result = await store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: invocation.awsRequestId }, () => handler(JSON.parse(eventJson), context));
    return JSON.stringify(result ?? null);
  }

  async close(): Promise<void> {}
}
