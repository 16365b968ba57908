// The handlers on workers of their own: the split stack's other core. The local Lambda runtime keeps its timeouts,
// faults and counts in the stack's thread and sends each invocation to the least busy worker as JSON text. A worker
// is a thread (MessagePort) or a child process (IPC), `npm run bench` measures both (docs/BENCHMARKS.md). It
// starts with the stack thread's process.env and then gets each change the runtime makes (setEnvironment): a test
// runner may give the stack a process.env of its own, which SHARE_ENV would miss. A worker that dies (a handler's
// stray exception) fails the invocations it held with Runtime.ExitError, as a crashed Lambda sandbox does, and the
// next invocation there starts a fresh one.
import { fork, type ChildProcess } from 'node:child_process';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { emittedMetrics, type EmittedMetric, type HandlerHost, type HandlerInvocation, type HandlerModule } from '../handler-host.js';

export type HandlerRequest = { id: number } & (
  | { kind: 'warm'; modules: HandlerModule[] }
  | { kind: 'run'; invocation: HandlerInvocation; event: string }
  | { kind: 'setEnvironment'; values: Record<string, string> }
  | { kind: 'eventLoop' }
  | { kind: 'startProfile' }
  | { kind: 'stopProfile' }
);

export interface HandlerReply {
  id: number;
  result?: string;
  error?: { name: string; message: string };
  metrics: EmittedMetric[];
}

/** Where the handlers run: threads of the stack's process, or processes of their own. */
export type HandlerIsolation = 'thread' | 'process';

class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type Waiting = { resolve(result: string): void; reject(error: Error): void };

/** What a thread and a child process have in common here. */
interface Channel {
  send(request: HandlerRequest): void;
  stop(): Promise<void>;
}

const ENTRY = new URL('./handler-worker.mjs', import.meta.url);

/** One handler worker, started on first use and again after it dies. */
class HandlerWorker {
  private channel?: Channel;
  /** The child process's id, for process isolation. */
  pid?: number;
  readonly pending = new Map<number, Waiting>();

  constructor(
    private readonly isolation: HandlerIsolation,
    private readonly isClosed: () => boolean,
  ) {}

  private start(): Channel {
    if (this.isClosed()) throw new WorkerError('Runtime.ExitError', 'the local Lambda runtime has stopped');
    if (this.channel) return this.channel;
    const onReply = (reply: HandlerReply) => {
      if (reply.metrics.length > 0) emittedMetrics.add(reply.metrics);
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error) waiting?.reject(new WorkerError(reply.error.name, reply.error.message));
      else waiting?.resolve(reply.result ?? 'null');
    };
    let channel: Channel;
    const died = (reason: string) => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      for (const { reject } of this.pending.values()) reject(new WorkerError('Runtime.ExitError', `Runtime exited: ${reason}`));
      this.pending.clear();
    };
    const environment = { ...process.env };
    if (this.isolation === 'thread') {
      const worker = new Worker(ENTRY, { env: environment });
      channel = { send: (request) => worker.postMessage(request), stop: async () => void (await worker.terminate()) };
      worker.on('message', onReply);
      worker.on('error', (error) => died(`${error.name}: ${error.message}`));
      worker.on('exit', (code) => died(`the handlers' thread exited with code ${code}`));
    } else {
      // No execArgv: the entry registers the project's module hooks itself, and a test runner's flags stay out.
      const child: ChildProcess = fork(fileURLToPath(ENTRY), [], { env: environment, execArgv: [], serialization: 'json', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      // The handlers' output goes out through the stack's own streams, a whole line at a time: lines from both
      // processes never interleave mid-line, and whoever reads the stack's stdout reads the handlers' logs too.
      if (child.stdout) createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => process.stdout.write(`${line}\n`));
      if (child.stderr) createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => process.stderr.write(`${line}\n`));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      this.pid = child.pid;
      channel = {
        send: (request) => child.send(request),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill();
          await exited;
        },
      };
      child.on('message', (reply) => onReply(reply as HandlerReply));
      child.on('error', (error) => died(`${error.name}: ${error.message}`));
      child.on('exit', (code, signal) => died(`the handlers' process exited with ${signal ?? `code ${code}`}`));
    }
    this.channel = channel;
    return channel;
  }

  send(request: HandlerRequest): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const channel = this.start();
      this.pending.set(request.id, { resolve, reject });
      channel.send(request);
    });
  }

  /** Sends only to a running worker: one started later takes process.env as it is then. */
  sendIfRunning(request: HandlerRequest): Promise<string> | undefined {
    return this.channel ? this.send(request) : undefined;
  }

  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.stop();
  }
}

export class HandlerWorkers implements HandlerHost {
  private readonly workers: HandlerWorker[];
  private nextId = 0;
  private closed = false;

  constructor(
    count = 1,
    readonly isolation: HandlerIsolation = 'process',
  ) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`handler workers must be a whole number ≥ 1, not ${count}`);
    if (isolation !== 'thread' && isolation !== 'process') throw new Error(`handler isolation is thread or process, not ${String(isolation)}`);
    this.workers = Array.from({ length: count }, () => new HandlerWorker(isolation, () => this.closed));
  }

  get count(): number {
    return this.workers.length;
  }

  /** The handler processes' ids (process isolation; empty for threads, which are this process). */
  processIds(): number[] {
    return this.isolation === 'process' ? this.workers.flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid])) : [];
  }

  private leastBusy(): HandlerWorker {
    return this.workers.reduce((best, worker) => (worker.pending.size < best.pending.size ? worker : best));
  }

  private toAll(kind: 'warm' | 'eventLoop' | 'startProfile' | 'stopProfile', extra: object = {}): Promise<string[]> {
    return Promise.all(this.workers.map((worker) => worker.send({ id: this.nextId++, kind, ...extra } as HandlerRequest)));
  }

  async warm(modules: HandlerModule[]): Promise<void> {
    await this.toAll('warm', { modules });
  }

  run(invocation: HandlerInvocation, event: string): Promise<string> {
    return this.leastBusy().send({ id: this.nextId++, kind: 'run', invocation, event });
  }

  async setEnvironment(values: Record<string, string>): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.sendIfRunning({ id: this.nextId++, kind: 'setEnvironment', values })));
  }

  /** The workers' event loops together: how busy they have been (since `previous`, when given). */
  async eventLoopUtilization(previous?: EventLoopUtilization): Promise<EventLoopUtilization> {
    const now = (await this.toAll('eventLoop')).map((answer) => JSON.parse(answer) as { idle: number; active: number });
    const idle = now.reduce((sum, elu) => sum + elu.idle, 0) - (previous?.idle ?? 0);
    const active = now.reduce((sum, elu) => sum + elu.active, 0) - (previous?.active ?? 0);
    return { idle, active, utilization: active / Math.max(1e-9, idle + active) };
  }

  /** Starts V8's CPU profiler in every worker (the inspector profiles one thread at a time). */
  async startProfile(): Promise<void> {
    await this.toAll('startProfile');
  }

  /** Stops the profilers started by startProfile: each worker's profile, as a .cpuprofile's JSON. */
  stopProfile(): Promise<string[]> {
    return this.toAll('stopProfile');
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
