// Starts the DynamoDB emulator (dynalite) in a worker thread: the split stack's second core (issue 13). The
// handlers and clients reach it over HTTP as before; the edge's in-process dispatch becomes one local hop.
import { createServer, type Server } from 'node:http';
import { Worker } from 'node:worker_threads';
import { forwardTo } from '../edge/server.js';

export interface DynamoDbThread {
  url: string;
  /** A server the edge can dispatch to in-process: it forwards each request to the thread. */
  edgeServer: Server;
  close(): Promise<void>;
}

export async function startDynamoDbThread(dynaliteOptions: Record<string, unknown>): Promise<DynamoDbThread> {
  const worker = new Worker(new URL('./dynamodb-worker.mjs', import.meta.url), { workerData: dynaliteOptions });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (answer: { url?: string; error?: string }) =>
      answer.url ? resolve(answer.url) : reject(new Error(`the DynamoDB emulator's thread did not start: ${answer.error}`)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the DynamoDB emulator's thread exited with ${code} before it listened`)));
  });
  const forward = forwardTo(url);
  return {
    url,
    edgeServer: createServer(forward),
    close: async () => {
      forward.agent.destroy();
      await worker.terminate();
    },
  };
}
