// The DynamoDB emulator (dynalite) on a thread of its own, so its CPU is the second core's: started by
// local/split/dynamodb-thread.ts with dynalite's options, it answers with the URL it listens on (127.0.0.1).
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite(workerData);
server.once('error', (error) => parentPort?.postMessage({ error: error.message }));
server.listen(0, '127.0.0.1', () => parentPort?.postMessage({ url: `http://127.0.0.1:${server.address().port}` }));
