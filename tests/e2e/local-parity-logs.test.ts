// Every log line of the local runtime names the function that wrote it, while many invocations of different
// functions run at once in the one process that shares the handlers' Powertools logger.
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { waitUntilSettled } from '../../local/triage-ledger.js';

/** Lines only one function writes, and that function. */
const WRITER_OF: Record<string, string> = {
  'Sentiment detected': 'detectSentiment',
  'Feedback stored': 'storeFeedback',
  'Feedback triaged': 'processFeedback',
  'Alert published': 'notifyNegative',
};

interface LogLine {
  message?: string;
  function_name?: string;
  function_request_id?: string;
  timestamp?: string;
}

let stack: LocalStack;
const lines: LogLine[] = [];
const realWrite = process.stdout.write.bind(process.stdout);

beforeAll(async () => {
  // Before the handlers load: their logger writes to this stream.
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    }
    return true;
  }) as typeof process.stdout.write;
  stack = await startLocalStack({ logLevel: 'INFO', pollerConcurrency: 4 });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  process.stdout.write = realWrite;
});

it('names its own function on every line, with many invocations in flight at once', async () => {
  const texts = ['Loved every page, a wonderful read.', 'Awful, dull and far too long. I hated it.'];
  const submitted = await Promise.all(
    Array.from({ length: 24 }, (_, i) =>
      fetch(`${stack.httpUrl}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ bookId: `book-${i}`, rating: 1 + (i % 5), text: texts[i % 2] }),
      }).then((response) => response.status),
    ),
  );
  expect(submitted.every((status) => status === 202)).toBe(true);
  expect((await waitUntilSettled(stack, { timeoutMs: 30_000 })).settled).toBe(true);

  const written = lines.filter((line) => line.message !== undefined && WRITER_OF[line.message]);
  for (const message of Object.keys(WRITER_OF)) expect(written.filter((line) => line.message === message).length).toBeGreaterThan(0);
  const misnamed = written.filter((line) => !line.function_name?.endsWith(`-${WRITER_OF[line.message as string]}`));
  expect(misnamed.map((line) => `${line.message} <- ${line.function_name}`)).toEqual([]);
  // Each line carries its own invocation: as many request ids as lines for the per-message steps.
  const sentimentLines = written.filter((line) => line.message === 'Sentiment detected');
  expect(new Set(sentimentLines.map((line) => line.function_request_id)).size).toBe(sentimentLines.length);
});
