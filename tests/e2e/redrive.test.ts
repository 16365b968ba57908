// A transient failure that outlasts every retry ends in the DLQ with its reason; once the cause is fixed,
// `npm run redrive` moves it back and it is triaged. Invalid feedback stays where it is.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { NO_FAULTS } from '../../local/faults.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { deadLetters, storedFeedback, waitUntilSettled } from '../../local/triage-ledger.js';
import { redrive } from '../../ops/redrive.js';

let stack: LocalStack;

beforeAll(async () => {
  // One SDK attempt per call, so a consumer invocation ends well inside the short visibility timeout
  // this test uses (a longer one would only make the test slower).
  process.env.AWS_MAX_ATTEMPTS = '1';
  // Comprehend throttles every request: no retry can succeed until the fault is switched off.
  stack = await startLocalStack({ logLevel: 'SILENT', faults: { ...NO_FAULTS, comprehend: 1 }, timeScale: 0.05, visibilityTimeoutSeconds: 2 });
});
afterAll(async () => {
  await stack?.stop();
  delete process.env.AWS_MAX_ATTEMPTS;
});

it('dead-letters after the last receive with the reason, then redrives once the cause is fixed', async () => {
  const response = await fetch(`${stack.httpUrl}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bookId: 'dune', rating: 1, text: 'I hated it. Dull and far too long.' }),
  });
  const { feedbackId } = (await response.json()) as { feedbackId: string };
  await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.feedbackQueueUrl, MessageBody: 'not json' }));
  expect((await waitUntilSettled(stack, { timeoutMs: 30_000 })).settled).toBe(true);

  const letters = await deadLetters(stack);
  const throttled = letters.find((letter) => letter.feedbackId === feedbackId);
  expect(throttled?.errorName).toBe('DependencyThrottledError');
  expect(throttled?.reason).toMatch(/gave up after 5 receives; last failure: Comprehend DetectSentiment failed: ThrottlingException/);
  expect(letters).toHaveLength(2);
  expect(await storedFeedback(stack)).toEqual([]);

  stack.setFaults(NO_FAULTS);
  const result = await redrive({
    sqs: stack.clients.sqs,
    from: stack.resources.deadLetterQueueUrl,
    to: stack.resources.feedbackQueueUrl,
    max: 100,
    includeInvalid: false,
    dryRun: false,
  });
  expect(result).toEqual({ moved: 1, kept: 1, byError: { DependencyThrottledError: 1, InvalidFeedbackError: 1 } });
  expect((await waitUntilSettled(stack, { timeoutMs: 30_000 })).settled).toBe(true);
  expect((await storedFeedback(stack)).map((item) => [item.feedbackId, item.sentiment, item.alertStatus])).toEqual([
    [feedbackId, 'NEGATIVE', 'SENT'],
  ]);
  // The invalid message is still on the dead-letter queue, with its reason.
  expect((await deadLetters(stack)).map((letter) => [letter.errorName, letter.body])).toEqual([['InvalidFeedbackError', 'not json']]);
}, 60_000);
