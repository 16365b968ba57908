// Inside the handlers' thread: runs what handler-thread.ts sends, with the same in-process host the
// single-threaded stack uses, and answers each request with its result or its error's name and message, plus
// the metrics the handlers emitted meanwhile.
import { Session } from 'node:inspector/promises';
import { parentPort } from 'node:worker_threads';
import { emittedMetrics, InProcessHandlers } from '../handler-host.js';
import { loadKeepingNativeBuiltins } from '../native-builtins.js';
import type { HandlerRequest, HandlerReply } from './handler-thread.js';

if (!parentPort) throw new Error('handler-worker-host.ts runs only as a worker thread');
const port = parentPort;
const host = new InProcessHandlers();
let profiler: Session | undefined;

async function answer(request: HandlerRequest): Promise<Omit<HandlerReply, 'id' | 'metrics'>> {
  try {
    if (request.kind === 'warm') {
      await loadKeepingNativeBuiltins(() => host.warm(request.modules));
      return { result: 'null' };
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

port.on('message', (request: HandlerRequest) => {
  void answer(request).then((reply) => port.postMessage({ id: request.id, ...reply, metrics: emittedMetrics.takeRecent() } satisfies HandlerReply));
});
