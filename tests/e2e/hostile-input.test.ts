// Hostile input, sent both to the intake and straight onto the queue. Each gets a clear error or a clean
// record; none crashes the consumer; none is lost.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { escapeNonAscii } from '../../functions/shared/feedback.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { deadLetters, storedFeedback, waitUntilSettled, type DeadLetter, type StoredFeedback } from '../../local/triage-ledger.js';

/** The intake's answer; the text stored; and the dead-letter reason when the queue path words it differently. */
type Expected = { intake: 202 | 400 | 413; message?: string; text?: string; queueReason?: string };

const json = (value: unknown) => JSON.stringify(value);
const feedback = (fields: Record<string, unknown>) => json({ bookId: 'hostile', ...fields });
const deepNesting = `{"bookId":"hostile","text":"nested extras","extra":${'['.repeat(5000)}${']'.repeat(5000)}}`;

const hostile: Array<[string, string, Expected]> = [
  ['invalid JSON', '{"bookId":', { intake: 400, message: 'body is not valid JSON' }],
  ['a JSON array', json([{ bookId: 'b', text: 'x' }]), { intake: 400, message: 'feedback must be a JSON object' }],
  ['a JSON number', '42', { intake: 400, message: 'feedback must be a JSON object' }],
  ['a JSON string', '"just a string"', { intake: 400, message: 'feedback must be a JSON object' }],
  ['JSON null', 'null', { intake: 400, message: 'feedback must be a JSON object' }],
  ['a body of 70,000 spaces', ' '.repeat(70_000), { intake: 413, message: 'request body must be at most', queueReason: 'body is not valid JSON' }],
  ['5,000 levels of nesting in an extra field', deepNesting, { intake: 202, text: 'nested extras' }],
  ['text over 10,000 characters', feedback({ text: 'a'.repeat(10_001) }), { intake: 413, message: 'at most 10000 characters' }],
  ['text of exactly 10,000 characters', feedback({ text: 'b'.repeat(10_000) }), { intake: 202, text: 'b'.repeat(10_000) }],
  ['empty text', feedback({ text: '' }), { intake: 400, message: 'text must not be empty' }],
  ['whitespace-only text', feedback({ text: ' \n\t  ' }), { intake: 400, message: 'text must not be empty' }],
  ['emoji', feedback({ text: '😍😍 loved it 👍🏽' }), { intake: 202, text: '😍😍 loved it 👍🏽' }],
  ['right-to-left text', feedback({ text: 'ספר נפלא, أحببت هذا الكتاب' }), { intake: 202, text: 'ספר נפלא, أحببت هذا الكتاب' }],
  ['combining characters', feedback({ text: 'Cafe\u0301 Z\u0351\u0352\u0353algo' }), { intake: 202, text: 'Cafe\u0301 Z\u0351\u0352\u0353algo'.normalize('NFC') }],
  ['a lone surrogate', '{"bookId":"hostile","text":"bad \\ud800 half"}', { intake: 400, message: 'lone surrogate' }],
  ['a NUL byte', feedback({ text: 'nul \u0000 byte' }), { intake: 400, message: 'control characters' }],
  ['HTML and script', feedback({ text: '<script>alert("x")</script><img src=x onerror=alert(1)>' }), { intake: 202, text: '<script>alert("x")</script><img src=x onerror=alert(1)>' }],
  ['SQL in the text', feedback({ text: "'; DROP TABLE feedback; --" }), { intake: 202, text: "'; DROP TABLE feedback; --" }],
  ['a rating as a string', feedback({ text: 'x', rating: '5' }), { intake: 400, message: 'rating must be a whole number' }],
  ['a fractional rating', feedback({ text: 'x', rating: 4.5 }), { intake: 400, message: 'rating must be a whole number' }],
  ['a rating out of range', feedback({ text: 'x', rating: 6 }), { intake: 400, message: 'rating must be a whole number' }],
  ['a bookId as a number', json({ bookId: 7, text: 'x' }), { intake: 400, message: 'bookId must be a string' }],
  ['a bookId with a path', json({ bookId: '../../etc/passwd', text: 'x' }), { intake: 400, message: 'bookId may contain only' }],
  ['a 200-character bookId', json({ bookId: 'b'.repeat(200), text: 'x' }), { intake: 400, message: 'at most 128 characters' }],
  ['text as a number', feedback({ text: 12345 }), { intake: 400, message: 'text must be a string' }],
  ['extra fields', feedback({ text: 'extra fields dropped', admin: true, sentiment: 'POSITIVE' }), { intake: 202, text: 'extra fields dropped' }],
  ['a __proto__ key', '{"__proto__":{"admin":true},"bookId":"hostile","text":"proto key"}', { intake: 202, text: 'proto key' }],
  ['a constructor key', '{"constructor":{"prototype":{"admin":true}},"bookId":"hostile","text":"constructor key"}', { intake: 202, text: 'constructor key' }],
  ['duplicate keys', '{"bookId":"first","bookId":"hostile","text":"last key wins"}', { intake: 202, text: 'last key wins' }],
  ['an emoji readerId', feedback({ text: 'x', readerId: '🙂' }), { intake: 400, message: 'readerId may contain only' }],
];

let stack: LocalStack;
const intakeAnswers = new Map<string, { status: number; message?: string; feedbackId?: string }>();
const queuedIds = new Map<string, { feedbackId?: string; messageId: string }>();
let stored: StoredFeedback[];
let dead: DeadLetter[];

/** The queue form of a case: an object gets the ids the intake would have given it; anything else goes as it is. */
function asQueueMessage(raw: string): { body: string; feedbackId?: string } {
  // Non-ASCII as \u escapes, as the intake writes queue bodies (SQS refuses some characters raw).
  const body = escapeNonAscii(raw);
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const feedbackId = randomUUID();
      // Spliced in as text, so keys such as __proto__ and duplicates reach the consumer as written.
      return { body: `{"feedbackId":"${feedbackId}","submittedAt":"${new Date().toISOString()}",${body.trim().slice(1)}`, feedbackId };
    }
  } catch {
    // Not JSON: sent as it is.
  }
  return { body };
}

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
  for (const [name, body] of hostile) {
    const response = await fetch(`${stack.httpUrl}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    intakeAnswers.set(name, { status: response.status, ...((await response.json()) as object) });
    const message = asQueueMessage(body);
    const sent = await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.feedbackQueueUrl, MessageBody: message.body }));
    queuedIds.set(name, { feedbackId: message.feedbackId, messageId: sent.MessageId as string });
  }
  expect((await waitUntilSettled(stack, { timeoutMs: 30_000 })).settled).toBe(true);
  [stored, dead] = [await storedFeedback(stack), await deadLetters(stack)];
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe.each(hostile)('%s', (name, _body, expected) => {
  it(`gets HTTP ${expected.intake} from the intake${expected.message ? ' with a clear message' : ' and is stored as sent'}`, () => {
    const answer = intakeAnswers.get(name);
    expect(answer?.status).toBe(expected.intake);
    if (expected.message) expect(answer?.message).toContain(expected.message);
    else expect(stored.find((item) => item.feedbackId === answer?.feedbackId)?.text).toBe(expected.text);
  });

  it(`on the queue, is ${expected.intake === 202 ? 'stored cleanly' : 'dead-lettered with its reason'}`, () => {
    const { feedbackId, messageId } = queuedIds.get(name) as { feedbackId?: string; messageId: string };
    const record = stored.find((item) => item.feedbackId === feedbackId);
    const letter = dead.find((item) => item.messageId === messageId);
    if (expected.intake === 202) {
      expect(letter).toBeUndefined();
      expect(record?.text).toBe(expected.text);
      expect(Object.keys(record ?? {})).not.toContain('admin');
    } else {
      expect(record).toBeUndefined();
      expect(letter?.errorName).toBe('InvalidFeedbackError');
      expect(letter?.reason).toContain(expected.queueReason ?? (expected.message as string));
    }
  });
});

describe('the consumer under hostile input', () => {
  it('never failed an invocation and left nothing behind', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(25);
    expect(stack.poller.stats.failedInvocations).toBe(0);
    expect(stack.runtime.stats.get('processFeedback')?.errors).toBe(0);
    expect(stored.length + dead.length).toBe(hostile.filter(([, , e]) => e.intake === 202).length * 2 + hostile.filter(([, , e]) => e.intake !== 202).length);
  });

  it('keeps prototypes clean', () => {
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
