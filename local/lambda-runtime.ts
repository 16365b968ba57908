// Runs the project's own handlers the way Lambda does: the module serverless.yml names, a Lambda-shaped
// context, the function's timeout, and errors reported by their name (Lambda's errorType).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InProcessHandlers, type HandlerHost, type HandlerModule } from './handler-host.js';
import { projectRoot, type FunctionDefinition, type ServiceDefinition } from './service-definition.js';

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

const STATE_FUNCTIONS_BY_DEFAULT = (name: string) => name !== 'submitFeedback' && name !== 'processFeedback';

export class LocalLambdaRuntime {
  private faults: InvocationFaults = {};
  readonly stats = new Map<string, InvocationStats>();

  constructor(
    private readonly service: ServiceDefinition,
    /** Multiplies each function's timeout: the local stack may run time faster to keep fault runs short. */
    private readonly timeScale = 1,
    /** Where the handlers' code runs: this thread by default. */
    private readonly host: HandlerHost = new InProcessHandlers(),
  ) {}

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

  /** Each function's module, worked out once: every invocation names it. */
  private readonly modules = new Map<string, HandlerModule>();

  private module(fn: FunctionDefinition): HandlerModule {
    let module = this.modules.get(fn.name);
    if (!module) {
      module = { name: fn.name, moduleUrl: pathToFileURL(join(projectRoot, `${fn.modulePath}.ts`)).href, exportName: fn.exportName };
      this.modules.set(fn.name, module);
    }
    return module;
  }

  /** Loads every handler now, so the first message does not pay for module loading. */
  async warm(): Promise<void> {
    await this.host.warm(Object.values(this.service.functions).map((fn) => this.module(fn)));
  }

  /**
   * Changes the handlers' environment from the next invocation on (Lambda's UpdateFunctionConfiguration): the
   * handlers read their settings from it, and may run in workers that do not share this one's process.env.
   */
  async setEnvironment(values: Record<string, string>): Promise<void> {
    Object.assign(process.env, values);
    await this.host.setEnvironment?.(values);
  }

  /** Stops the handlers' workers, when they have them. */
  close(): Promise<void> {
    return this.host.close();
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
    const stats = this.statsFor(name);
    stats.invocations++;
    const timeoutMs = fn.timeoutSeconds * 1000 * this.timeScale;
    const started = performance.now();
    const deployedName = `${this.service.service}-local-${name}`;
    const awsRequestId = randomUUID();
    const fault = this.faultFor(name);
    let timer: NodeJS.Timeout | undefined;
    try {
      if (fault === 'crash') {
        stats.crashes++;
        throw new LambdaError('Runtime.ExitError', `RequestId: ${awsRequestId} Error: Runtime exited with error: signal: killed (injected fault)`);
      }
      if (fault === 'hang') stats.hangs++;
      const invocation = { ...this.module(fn), awsRequestId, deployedName, memorySize: fn.memorySize, deadline: Date.now() + timeoutMs };
      const running = fault === 'hang' ? new Promise<never>(() => undefined) : this.host.run(invocation, JSON.stringify(event ?? null));
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          stats.timeouts++;
          reject(new LambdaError('Sandbox.Timedout', `RequestId: ${awsRequestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`));
        }, timeoutMs);
      });
      const answer = await Promise.race([running, timedOut]);
      if (fault === 'lost') {
        stats.lostAnswers++;
        throw new LambdaError('Runtime.ExitError', `RequestId: ${awsRequestId} Error: Runtime exited after the handler returned (injected fault)`);
      }
      return JSON.parse(answer);
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
