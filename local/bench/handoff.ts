// What it costs the stack's thread to hand an invocation to the handlers and take the answer back, the two ways the
// split stack could have been built: a thread (MessagePort, the way local/split/ does it) or a child process
// (IPC over a pipe, JSON serialisation). The message is a typical state event as JSON text.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface HandoffCost {
  way: string;
  /** Wall time per round trip, all in flight at once, µs. */
  wallMicros: number;
  /** CPU of the stack's side per round trip, µs. */
  cpuMicros: number;
}

interface Endpoint {
  send(message: unknown): void;
  onMessage(listener: () => void): void;
  close(): Promise<unknown>;
}

const ECHO = new URL('./handoff-echo.mjs', import.meta.url);

async function roundTrips(way: string, endpoint: Endpoint, count: number): Promise<HandoffCost> {
  const event = JSON.stringify({
    feedback: { feedbackId: '3f1c2a9e-7b4d-4e0a-9c51-2d8e6f0a1b3c', bookId: 'the-road', text: 'A bleak and beautiful book. '.repeat(20), rating: 3 },
    executionArn: 'arn:aws:states:us-east-1:000000000000:express:feedback-triage-local-triage:5f0c:7a1e',
  });
  let answered = 0;
  const done = new Promise<void>((resolve) => endpoint.onMessage(() => ++answered === count && resolve()));
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let id = 0; id < count; id++) endpoint.send({ id, kind: 'run', event });
  await done;
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await endpoint.close();
  return { way, wallMicros: (wallMs * 1000) / count, cpuMicros: (used.user + used.system) / count };
}

export async function measureHandoff(count = 20_000): Promise<HandoffCost[]> {
  const worker = new Worker(ECHO);
  const thread = await roundTrips('a thread, MessagePort', {
    send: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    close: () => worker.terminate(),
  }, count);
  const child = fork(fileURLToPath(ECHO), [], { serialization: 'json', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const childProcess = await roundTrips('a child process, IPC (JSON)', {
    send: (message) => child.send(message as object),
    onMessage: (listener) => child.on('message', listener),
    close: async () => child.kill(),
  }, count);
  return [thread, childProcess];
}
