// End to end on the embedded local stack, inside the test process: the real handlers, the real ASL file
// and the real SDK clients against local servers on 127.0.0.1.
import { createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { accountFor, isClean, type Submission } from '../../local/triage-ledger.js';
import { deadLetters, storedFeedback, takeAlerts, waitUntilSettled, type Alert, type DeadLetter, type StoredFeedback } from '../../local/triage-ledger.js';

let stack: LocalStack;

const texts = {
  positive: 'Absolutely loved it. Gorgeous prose and a heroine I will remember for years.',
  negative: 'Awful. Unreadable, pretentious and boring. The worst book we have read as a club.',
  mixed: 'Powerful and haunting, though some scenes were hard to get through and left me upset.',
  neutral: 'The meeting is on Thursday at 7pm.',
};

async function post(body: string, contentType = 'application/json') {
  const response = await fetch(`${stack.httpUrl}/feedback`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as { feedbackId?: string; message?: string; field?: string } };
}

async function enqueue(body: string) {
  const { MessageId } = await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.feedbackQueueUrl, MessageBody: body }));
  return MessageId as string;
}

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the local pipeline', () => {
  const submissions: Submission[] = [];
  let stored: StoredFeedback[];
  let dead: DeadLetter[];
  let alerts: Alert[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    for (const [label, text] of Object.entries(texts)) {
      const { status, body } = await post(JSON.stringify({ bookId: `book-${label}`, text, rating: 3 }));
      expect(status).toBe(202);
      ids[label] = body.feedbackId as string;
      submissions.push({ source: label, status, feedbackId: body.feedbackId });
    }
    // A duplicate delivery of the negative feedback (SQS delivers at least once), twice, racing the first.
    const duplicateBody = JSON.stringify({ feedbackId: ids.negative, submittedAt: new Date().toISOString(), bookId: 'book-negative', text: texts.negative });
    for (const source of ['duplicate 1', 'duplicate 2']) {
      submissions.push({ source, status: 0, feedbackId: ids.negative, messageId: await enqueue(duplicateBody) });
    }
    // Malformed messages already on the queue: broken JSON, and valid JSON that is not feedback.
    submissions.push({ source: 'broken JSON', status: 0, messageId: await enqueue('{"bookId": "dune", "text": ') });
    submissions.push({ source: 'not feedback', status: 0, messageId: await enqueue('{"bookId": "dune", "text": "fine", "feedbackId": "nope"}') });
    const settled = await waitUntilSettled(stack, { timeoutMs: 20_000 });
    expect(settled.settled).toBe(true);
    [stored, dead, alerts] = [await storedFeedback(stack), await deadLetters(stack), await takeAlerts(stack)];
  }, 30_000);

  it('stores each feedback once, with the sentiment Comprehend gave it', () => {
    const byId = new Map(stored.map((item) => [item.feedbackId, item]));
    expect(stored).toHaveLength(4);
    expect(byId.get(ids.positive as string)).toMatchObject({ sentiment: 'POSITIVE', alertStatus: 'NOT_REQUIRED', bookId: 'book-positive', text: texts.positive });
    expect(byId.get(ids.negative as string)).toMatchObject({ sentiment: 'NEGATIVE', alertStatus: 'SENT' });
    expect(byId.get(ids.mixed as string)).toMatchObject({ sentiment: 'MIXED', alertStatus: 'SENT' });
    expect(byId.get(ids.neutral as string)).toMatchObject({ sentiment: 'NEUTRAL', alertStatus: 'NOT_REQUIRED' });
    for (const item of stored) {
      const total = Object.values(item.scores).reduce((sum, score) => sum + score, 0);
      expect(total).toBeCloseTo(1, 6);
    }
  });

  it('alerts exactly once per negative feedback, duplicates included', () => {
    expect(alerts.map((alert) => alert.feedbackId).sort()).toEqual([ids.negative, ids.mixed].sort());
    const negativeAlert = alerts.find((alert) => alert.feedbackId === ids.negative) as Alert;
    expect(negativeAlert.subject).toBe('Negative feedback on book-negative');
    expect(negativeAlert.message).toContain(`Feedback id: ${ids.negative}`);
    expect(negativeAlert.sentiment).toBe('NEGATIVE');
  });

  it('dead-letters each malformed message with its reason', () => {
    expect(dead.map((letter) => [letter.errorName, letter.reason]).sort()).toEqual([
      ['InvalidFeedbackError', expect.stringContaining('body is not valid JSON')],
      ['InvalidFeedbackError', 'InvalidFeedbackError: feedbackId must be a lower-case UUID'],
    ]);
  });

  it('accounts for every message', () => {
    const accounting = accountFor(submissions, stored, dead, alerts);
    expect(accounting.unaccounted).toEqual([]);
    expect(accounting.redeliveries).toBe(2);
    expect(isClean(accounting)).toBe(true);
  });
});

describe('the intake', () => {
  it.each([
    ['invalid JSON', 400, '{"bookId":', 'body is not valid JSON'],
    ['a missing bookId', 400, '{"text":"hi"}', 'bookId is required'],
    ['empty text', 400, '{"bookId":"b","text":"   "}', 'text must not be empty'],
    ['text over the limit', 413, JSON.stringify({ bookId: 'b', text: 'x'.repeat(10_001) }), 'at most 10000 characters'],
    ['a body over the limit', 413, JSON.stringify({ bookId: 'b', text: 'x'.repeat(70_000) }), 'request body must be at most'],
  ] as const)('refuses %s with %d', async (_case, status, body, message) => {
    const answer = await post(body);
    expect(answer.status).toBe(status);
    expect(answer.body.message).toContain(message);
  });

  it('refuses invalid UTF-8 with 400', async () => {
    const response = await fetch(`${stack.httpUrl}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe('request body is not valid UTF-8');
  });

  it('answers 404 for an unknown route', async () => {
    expect((await fetch(`${stack.httpUrl}/nowhere`)).status).toBe(404);
  });
});

describe('the local servers', () => {
  const otherAddresses = Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && address.family === 'IPv4' && !address.internal)
    .map((address) => address?.address as string);

  it('listen on 127.0.0.1 only', async () => {
    const ports = [stack.httpUrl, ...Object.values(stack.endpoints)].map((url) => Number(new URL(url).port));
    for (const url of [stack.httpUrl, ...Object.values(stack.endpoints)]) expect(new URL(url).hostname).toBe('127.0.0.1');
    const connects = (host: string, port: number) =>
      new Promise<boolean>((resolve) => {
        const socket = createConnection({ host, port, timeout: 1000 }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
        socket.on('timeout', () => {
          socket.destroy();
          resolve(false);
        });
      });
    for (const port of ports) {
      expect(await connects('127.0.0.1', port)).toBe(true);
      for (const address of otherAddresses) expect(await connects(address, port)).toBe(false);
    }
  });
});
