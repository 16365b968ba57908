// End to end in both execution modes on the embedded local stack: feedback submitted through the intake is
// triaged the same way whether the consumer starts one execution per message or one per batch, and in
// per-batch mode one bad message is dead-lettered (or retried) on its own while its neighbours are triaged.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { useExecutionMode } from '../../local/execution-mode.js';
import type { ExecutionMode } from '../../local/service-definition.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { accountFor, isClean, type Submission } from '../../local/triage-ledger.js';
import { deadLetters, storedFeedback, takeAlerts, waitUntilSettled } from '../../local/triage-ledger.js';

let stack: LocalStack;
const savedEnvironment = { TRIAGE_MODE: process.env.TRIAGE_MODE, STATE_MACHINE_ARN: process.env.STATE_MACHINE_ARN };

const texts = {
  positive: 'Absolutely loved it. Gorgeous prose and a heroine I will remember for years.',
  negative: 'Awful. Unreadable, pretentious and boring. The worst book we have read as a club.',
  neutral: 'The meeting is on Thursday at 7pm.',
};

async function post(bookId: string, text: string) {
  const response = await fetch(`${stack.httpUrl}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bookId, text, rating: 3 }),
  });
  return { status: response.status, feedbackId: ((await response.json()) as { feedbackId?: string }).feedbackId };
}

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
});
afterAll(async () => {
  await stack?.stop();
  for (const [name, value] of Object.entries(savedEnvironment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe.each<ExecutionMode>(['perMessage', 'perBatch'])('the pipeline in %s mode', (mode) => {
  it('stores every feedback once, alerts each negative one once and dead-letters the malformed message', async () => {
    const environment = await useExecutionMode(stack, mode);
    expect(environment.STATE_MACHINE_ARN).toMatch(mode === 'perBatch' ? /:stateMachine:feedback-triage-local-triage-batch$/ : /:stateMachine:feedback-triage-local-triage$/);
    const before = stack.stepFunctions.stats().started;
    const submissions: Submission[] = [];
    const ids: Record<string, string> = {};
    for (const [label, text] of Object.entries(texts)) {
      for (let copy = 0; copy < 3; copy++) {
        const { status, feedbackId } = await post(`${mode}-${label}-${copy}`, text);
        expect(status).toBe(202);
        ids[`${label}-${copy}`] = feedbackId as string;
        submissions.push({ source: `${label} ${copy}`, status, feedbackId });
      }
    }
    // A redelivery of an accepted message and a broken one, straight onto the queue.
    const duplicate = JSON.stringify({ feedbackId: ids['negative-0'], submittedAt: new Date().toISOString(), bookId: `${mode}-negative-0`, text: texts.negative });
    for (const [source, body] of [['duplicate', duplicate], ['broken JSON', '{"bookId": "dune", "text": ']] as const) {
      const { MessageId } = await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.feedbackQueueUrl, MessageBody: body }));
      submissions.push({ source, status: 0, messageId: MessageId, feedbackId: source === 'duplicate' ? ids['negative-0'] : undefined });
    }
    expect((await waitUntilSettled(stack, { timeoutMs: 20_000 })).settled).toBe(true);

    const mine = (bookId: string | undefined) => Boolean(bookId?.startsWith(`${mode}-`));
    const stored = (await storedFeedback(stack)).filter((item) => mine(item.bookId));
    const alerts = await takeAlerts(stack);
    const dead = (await deadLetters(stack)).filter((letter) => submissions.some((s) => s.messageId === letter.messageId));
    expect(stored).toHaveLength(9);
    expect(stored.filter((item) => item.sentiment === 'NEGATIVE').map((item) => item.alertStatus)).toEqual(['SENT', 'SENT', 'SENT']);
    expect(alerts.map((alert) => alert.feedbackId).sort()).toEqual([ids['negative-0'], ids['negative-1'], ids['negative-2']].sort());
    expect(dead.map((letter) => letter.errorName)).toEqual(['InvalidFeedbackError']);
    const accounting = accountFor(submissions, stored, dead, alerts);
    expect(accounting.unaccounted).toEqual([]);
    expect(isClean(accounting)).toBe(true);

    const executions = stack.stepFunctions.stats().started - before;
    if (mode === 'perMessage') expect(executions).toBe(10);
    else expect(executions).toBeLessThan(10);
  }, 30_000);
});

describe('one bad message in a batch (perBatch mode)', () => {
  const record = (messageId: string, bookId: string, text: string, receiveCount = 1): SQSRecord => ({
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: JSON.stringify({ feedbackId: crypto.randomUUID(), submittedAt: new Date().toISOString(), bookId, text }),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(Date.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: stack.resources.feedbackQueueArn,
    awsRegion: 'us-east-1',
  });

  it('is dead-lettered or retried on its own while its neighbours are triaged', async () => {
    await useExecutionMode(stack, 'perBatch');
    const invoke = stack.runtime.invoke.bind(stack.runtime);
    // Comprehend refusing one text for good, and failing another every time (as the workflow's retries see it).
    stack.runtime.invoke = async (name: string, event: unknown) => {
      const items = (event as { items?: Array<{ feedback?: { bookId?: string } }> })?.items;
      if (name !== 'detectSentiment' || !items) return invoke(name, event);
      // Comprehend answers the batch but refuses one document for good and fails another every time (its ErrorList).
      const detections = (await invoke(name, event)) as unknown[];
      return detections.map((detection, index) => {
        const bookId = items[index]?.feedback?.bookId;
        if (bookId === 'poison') {
          return { failure: { Error: 'PermanentDependencyError', Cause: 'Comprehend BatchDetectSentiment failed: UnsupportedLanguageException: unsupported language' } };
        }
        if (bookId?.startsWith('flaky')) return { failure: { Error: 'TransientDependencyError', Cause: 'Comprehend BatchDetectSentiment failed: InternalServerException' } };
        return detection;
      });
    };
    try {
      const records = [
        record('m-good-1', 'good-1', texts.positive),
        record('m-poison', 'poison', texts.negative),
        record('m-flaky', 'flaky-1', texts.neutral),
        record('m-flaky-last', 'flaky-2', texts.neutral, 5),
        record('m-good-2', 'good-2', texts.negative),
      ];
      const response = (await stack.runtime.invoke('processFeedback', { Records: records } satisfies SQSEvent)) as SQSBatchResponse;
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-flaky' }] });
      const stored = await storedFeedback(stack);
      expect(stored.filter((item) => ['good-1', 'good-2', 'poison', 'flaky-1', 'flaky-2'].includes(item.bookId)).map((item) => item.bookId).sort()).toEqual(['good-1', 'good-2']);
      const dead = (await deadLetters(stack)).filter((letter) => ['m-poison', 'm-flaky-last'].includes(letter.messageId));
      expect(dead.map((letter) => [letter.messageId, letter.errorName, letter.reason]).sort()).toEqual([
        ['m-flaky-last', 'TransientDependencyError', expect.stringContaining('gave up after 5 receives')],
        ['m-poison', 'PermanentDependencyError', 'PermanentDependencyError: Comprehend BatchDetectSentiment failed: UnsupportedLanguageException: unsupported language'],
      ]);
      expect((await takeAlerts(stack)).some((alert) => stored.some((item) => item.bookId === 'good-2' && item.feedbackId === alert.feedbackId))).toBe(true);
    } finally {
      stack.runtime.invoke = invoke;
    }
  }, 30_000);
});
