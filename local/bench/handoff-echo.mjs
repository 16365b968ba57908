// The far side of local/bench/handoff.ts: answers every message with itself, as a worker thread or a child process.
import process from 'node:process';
import { parentPort } from 'node:worker_threads';

if (parentPort) parentPort.on('message', (message) => parentPort.postMessage(message));
else process.on('message', (message) => process.send(message));
