// Inside a handler worker (a thread or a child process): runs what handler-workers.ts sends, with the same
// in-process host the single-threaded stack uses, and answers each request with its result or its error's name
// and message, plus the metrics the handlers emitted meanwhile.
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { emittedMetrics, InProcessHandlers } from '../handler-host.js';
import { loadKeepingNativeBuiltins } from '../native-builtins.js';
import type { HandlerRequest, HandlerReply } from './handler-workers.js';

const port = parentPort
  ? { send: (reply: HandlerReply) => parentPort?.postMessage(reply), onRequest: (listener: (request: HandlerRequest) => void) => parentPort?.on('message', listener) }
  : process.send
    ? { send: (reply: HandlerReply) => process.send?.(reply), onRequest: (listener: (request: HandlerRequest) => void) => process.on('message', listener) }
    : undefined;
if (!port) throw new Error('handler-worker-host.ts runs only as a worker thread or a forked process');
// A process outlives nothing: when the stack goes (even killed), its channel closes and the handlers go with it.
// Ctrl-C reaches the whole process group: the stack stops its handlers itself, after what they hold is answered.
if (!parentPort) {
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => undefined);
}
const host = new InProcessHandlers();
let profiler: Session | undefined;

async function answer(request: HandlerRequest): Promise<Omit<HandlerReply, 'id' | 'metrics'>> {
  try {
    if (request.kind === 'warm') {
      await loadKeepingNativeBuiltins(() => host.warm(request.modules));
      return { result: 'null' };
    }
    if (request.kind === 'eventLoop') {
      const { idle, active } = performance.eventLoopUtilization();
      return { result: JSON.stringify({ idle, active }) };
    }
    if (request.kind === 'setEnvironment') {
      Object.assign(process.env, request.values);
      return { result: 'null' };
    }
    if (request.kind === 'startProfile') {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return { result: 'null' };
    }
    if (request.kind === 'stopProfile') {
      if (!profiler) throw new Error('no profile was started in the handlers\' thread');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      return { result: JSON.stringify(profile) };
    }
    return { result: await host.run(request.invocation, request.event) };
  } catch (error) {
    const e = error as Error;
    return { error: { name: e?.name ?? 'Error', message: e?.message ?? String(error) } };
  }
}

port.onRequest((request: HandlerRequest) => {
  void answer(request).then((reply) => port.send({ id: request.id, ...reply, metrics: emittedMetrics.takeRecent() } satisfies HandlerReply));
});
