// One backlog run in a process of its own (one local stack per process: the handlers' SDK clients keep the first
// stack's endpoints). Forked by bench.ts with the options as a message; answers with the result.
import { runBacklog, type BacklogOptions, type BacklogResult } from './backlog.js';

export type BacklogAnswer = { result: BacklogResult } | { error: string };

if (process.send && process.argv.includes('--backlog')) {
  process.once('message', (options: BacklogOptions) => {
    runBacklog(options).then(
      (result) => process.send?.({ result } satisfies BacklogAnswer, () => process.exit(0)),
      (error: Error) => process.send?.({ error: error.stack ?? error.message } satisfies BacklogAnswer, () => process.exit(1)),
    );
  });
}
