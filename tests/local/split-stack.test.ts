// The stack split over both cores runs the same pipeline as the single-threaded one, and the handler workers
// (processes by default, or threads) behave as Lambda sandboxes: errors keep their names, a worker that dies
// fails what it held and is replaced, the stack's environment is theirs, and the least busy one gets the next
// invocation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HandlerInvocation } from '../../local/handler-host.js';
import { HandlerWorkers, type HandlerIsolation } from '../../local/split/handler-workers.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { waitUntilSettled } from '../../local/triage-ledger.js';

// Single-threaded first: its runtime must make Lambda's InvokeStore before any SDK call of this test file does.
describe.each([
  { split: false, workers: 0, isolation: undefined },
  { split: true, workers: 1, isolation: undefined },
  { split: true, workers: 1, isolation: 'thread' as const },
])('startLocalStack({ split: $split, handlerIsolation: $isolation })', ({ split, workers, isolation }) => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ split, logLevel: 'ERROR', handlerIsolation: isolation });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it(`runs the handlers on ${workers} worker(s) of their own and stores a submitted feedback`, async () => {
    expect(stack.handlerWorkers?.count ?? 0).toBe(workers);
    expect(stack.handlerWorkers?.isolation).toBe(split ? (isolation ?? 'process') : undefined);
    const answer = await fetch(`${stack.httpUrl}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bookId: 'split-1', text: 'The binding fell apart on the first day, very disappointing.', rating: 1 }),
    });
    expect(answer.status).toBe(202);
    const { feedbackId } = (await answer.json()) as { feedbackId: string };
    expect((await waitUntilSettled(stack, { timeoutMs: 30_000 })).settled).toBe(true);

    const { Item } = await DynamoDBDocumentClient.from(stack.clients.dynamodb).send(new GetCommand({ TableName: stack.resources.feedbackTable, Key: { feedbackId } }));
    expect(Item).toMatchObject({ feedbackId, bookId: 'split-1', sentiment: 'NEGATIVE', alertStatus: 'SENT' });
    expect(stack.runtime.stats.get('processFeedback')?.errors).toBe(0);
  }, 60_000);
});

describe.each(['process', 'thread'] as HandlerIsolation[])('HandlerWorkers, %s isolation', (isolation) => {
  const folder = mkdtempSync(join(tmpdir(), 'handler-workers-'));
  const handlerModule = (name: string, body: string) => {
    const file = join(folder, `${name}.mjs`);
    writeFileSync(file, `export const handler = async (event, context) => { ${body} };\n`);
    return { name, moduleUrl: pathToFileURL(file).href, exportName: 'handler' };
  };
  const invocation = (module: ReturnType<typeof handlerModule>): HandlerInvocation => ({
    ...module,
    awsRequestId: 'request-1',
    deployedName: `service-local-${module.name}`,
    memorySize: 256,
    deadline: Date.now() + 10_000,
  });
  let workers: HandlerWorkers | undefined;
  afterEach(async () => {
    await workers?.close();
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('answers with the handler result and a Lambda-shaped context, as JSON text', async () => {
    workers = new HandlerWorkers(1, isolation);
    const echo = handlerModule('echo', 'return { event, functionName: context.functionName, remaining: context.getRemainingTimeInMillis() > 0 };');
    expect(JSON.parse(await workers.run(invocation(echo), '{"n":1}'))).toEqual({ event: { n: 1 }, functionName: 'service-local-echo', remaining: true });
  });

  it("keeps a thrown error's name and message", async () => {
    workers = new HandlerWorkers(1, isolation);
    const failing = handlerModule('failing', "const error = new Error('the table is gone'); error.name = 'ResourceNotFoundException'; throw error;");
    await expect(workers.run(invocation(failing), 'null')).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'the table is gone' });
  });

  it('fails the invocations a dying worker held with Runtime.ExitError, then runs the next one on a fresh worker', async () => {
    workers = new HandlerWorkers(1, isolation);
    const dying = handlerModule('dying', 'setTimeout(() => process.exit(3), 10); return new Promise(() => undefined);');
    const echo = handlerModule('echo2', 'return event;');
    await expect(workers.run(invocation(dying), 'null')).rejects.toMatchObject({ name: 'Runtime.ExitError', message: expect.stringContaining('exited with code 3') });
    expect(JSON.parse(await workers.run(invocation(echo), '"again"'))).toBe('again');
  });

  it("starts with the stack's environment and takes the changes sent to it", async () => {
    workers = new HandlerWorkers(1, isolation);
    const reader = handlerModule('reader', 'return process.env.HANDLER_THREADS_PROBE ?? null;');
    process.env.HANDLER_THREADS_PROBE = 'first';
    expect(JSON.parse(await workers.run(invocation(reader), 'null'))).toBe('first');
    await workers.setEnvironment({ HANDLER_THREADS_PROBE: 'second' });
    expect(JSON.parse(await workers.run(invocation(reader), 'null'))).toBe('second');
    delete process.env.HANDLER_THREADS_PROBE;
  });

  it('sends each invocation to the least busy worker', async () => {
    workers = new HandlerWorkers(2, isolation);
    const whoAmI = handlerModule('who', "const { threadId } = await import('node:worker_threads'); await new Promise((r) => setTimeout(r, 200)); return `${process.pid}/${threadId}`;");
    const ids = await Promise.all([1, 2].map(() => (workers as HandlerWorkers).run(invocation(whoAmI), 'null')));
    expect(new Set(ids).size).toBe(2);
  });

  it('refuses a count that is not a whole number of at least one', () => {
    expect(() => new HandlerWorkers(0, isolation)).toThrow('handler workers must be a whole number ≥ 1, not 0');
    expect(() => new HandlerWorkers(1, 'fiber' as HandlerIsolation)).toThrow('handler isolation is thread or process, not fiber');
  });
});
