// The handlers on threads of their own: the split stack's other core. The local Lambda runtime keeps its
// timeouts, faults and counts in the stack's thread and sends each invocation to the least busy handler thread
// as JSON text. A thread starts with the stack thread's process.env and then gets each change the runtime
// makes (setEnvironment): not SHARE_ENV, which shares the real environment, where a test runner may give the
// stack a process.env of its own. A thread that dies (a handler's stray exception) fails the invocations it held with
// Runtime.ExitError, as a crashed Lambda sandbox does, and the next invocation there starts a fresh one.
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { emittedMetrics, type EmittedMetric, type HandlerHost, type HandlerInvocation, type HandlerModule } from '../handler-host.js';

export type HandlerRequest = { id: number } & (
  | { kind: 'warm'; modules: HandlerModule[] }
  | { kind: 'run'; invocation: HandlerInvocation; event: string }
  | { kind: 'setEnvironment'; values: Record<string, string> }
  | { kind: 'startProfile' }
  | { kind: 'stopProfile' }
);

export interface HandlerReply {
  id: number;
  result?: string;
  error?: { name: string; message: string };
  metrics: EmittedMetric[];
}

class ThreadError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type Waiting = { resolve(result: string): void; reject(error: Error): void };

/** One handler thread, started on first use and again after it dies. */
class HandlerWorker {
  private worker?: Worker;
  readonly pending = new Map<number, Waiting>();
  /** Busy time of the threads that died, so the utilization stays a sum over the run. */
  private retired = { idle: 0, active: 0 };

  constructor(private readonly isClosed: () => boolean) {}

  private thread(): Worker {
    if (this.isClosed()) throw new ThreadError('Runtime.ExitError', 'the local Lambda runtime has stopped');
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./handler-worker.mjs', import.meta.url), { env: { ...process.env } });
    worker.on('message', (reply: HandlerReply) => {
      if (reply.metrics.length > 0) emittedMetrics.add(reply.metrics);
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error) waiting?.reject(new ThreadError(reply.error.name, reply.error.message));
      else waiting?.resolve(reply.result ?? 'null');
    });
    const died = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const { reject } of this.pending.values()) reject(new ThreadError('Runtime.ExitError', `Runtime exited: ${reason}`));
      this.pending.clear();
    };
    worker.on('error', (error) => died(`${error.name}: ${error.message}`));
    worker.on('exit', (code) => died(`the handlers' thread exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  send(request: HandlerRequest): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const thread = this.thread();
      this.pending.set(request.id, { resolve, reject });
      thread.postMessage(request);
    });
  }

  /** Sends to the thread only when it runs: a thread started later takes process.env as it is then. */
  sendIfRunning(request: HandlerRequest): Promise<string> | undefined {
    return this.worker ? this.send(request) : undefined;
  }

  eventLoopUtilization(): { idle: number; active: number } {
    const elu = this.thread().performance.eventLoopUtilization();
    return { idle: elu.idle + this.retired.idle, active: elu.active + this.retired.active };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}

export class HandlerThreads implements HandlerHost {
  private readonly workers: HandlerWorker[];
  private nextId = 0;
  private closed = false;

  constructor(count = 1) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`handler threads must be a whole number ≥ 1, not ${count}`);
    this.workers = Array.from({ length: count }, () => new HandlerWorker(() => this.closed));
  }

  get count(): number {
    return this.workers.length;
  }

  private leastBusy(): HandlerWorker {
    return this.workers.reduce((best, worker) => (worker.pending.size < best.pending.size ? worker : best));
  }

  async setEnvironment(values: Record<string, string>): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.sendIfRunning({ id: this.nextId++, kind: 'setEnvironment', values })));
  }

  private toAll(kind: 'warm' | 'startProfile' | 'stopProfile', extra: object = {}): Promise<string[]> {
    return Promise.all(this.workers.map((worker) => worker.send({ id: this.nextId++, kind, ...extra } as HandlerRequest)));
  }

  async warm(modules: HandlerModule[]): Promise<void> {
    await this.toAll('warm', { modules });
  }

  run(invocation: HandlerInvocation, event: string): Promise<string> {
    return this.leastBusy().send({ id: this.nextId++, kind: 'run', invocation, event });
  }

  /** The handler threads' event loops together: how busy they have been (since `previous`, when given). */
  eventLoopUtilization(previous?: EventLoopUtilization): EventLoopUtilization {
    const now = this.workers.map((worker) => worker.eventLoopUtilization());
    const idle = now.reduce((sum, elu) => sum + elu.idle, 0) - (previous?.idle ?? 0);
    const active = now.reduce((sum, elu) => sum + elu.active, 0) - (previous?.active ?? 0);
    return { idle, active, utilization: active / Math.max(1e-9, idle + active) };
  }

  /** Starts V8's CPU profiler in every handler thread (the inspector profiles one thread at a time). */
  async startProfile(): Promise<void> {
    await this.toAll('startProfile');
  }

  /** Stops the profilers started by startProfile: each thread's profile, as a .cpuprofile's JSON. */
  stopProfile(): Promise<string[]> {
    return this.toAll('stopProfile');
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
