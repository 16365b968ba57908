// The soak: thousands of feedback through the local pipeline with faults injected everywhere, racing
// duplicates and malformed messages, then an accounting of every message from what the stack holds.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { mapWithConcurrency } from '../../functions/shared/concurrency.js';
import { toQueueBody, type Feedback } from '../../functions/shared/feedback.js';
import type { FaultRates } from '../faults.js';
import { seededRandom } from '../seeded-random.js';
import { startLocalStack } from '../stack.js';
import { accountFor, type Accounting, type Submission } from '../triage-ledger.js';
import { deadLetters, storedFeedback, takeAlerts, waitUntilSettled } from '../triage-ledger.js';

export interface SoakOptions {
  messages: number;
  faults: FaultRates;
  /** Share of messages delivered twice at once, straight onto the queue (racing duplicates). */
  duplicateShare: number;
  /** Share of malformed messages put straight onto the queue. */
  malformedShare: number;
  seed: number;
  timeScale: number;
  visibilityTimeoutSeconds: number;
  timeoutSeconds: number;
  onProgress?: (line: string) => void;
}

export interface SoakResult {
  accounting: Accounting;
  settled: boolean;
  elapsedMs: number;
  /** Faults injected during the run, by kind (the names of FaultRates). */
  faultStats: Record<string, number>;
  executions: Record<string, number>;
}


const FEEDBACK_TEXTS = [
  'Absolutely loved it. Gorgeous prose and characters I will remember for years.',
  'A delightful, funny and warm read. Great pick for the club!',
  'Awful. Unreadable, pretentious and boring. The worst book we have read.',
  'I hated the ending and found the whole thing a miserable slog.',
  'Powerful and haunting, though some scenes were hard to get through and left me upset.',
  'The meeting is on Thursday at 7pm in the library annex.',
  'Chapter count: 12. Page count: 410.',
  'Disappointing and dull; the plot went nowhere and I gave up halfway.',
];

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const random = seededRandom(options.seed);
  const started = performance.now();
  const stack = await startLocalStack({
    logLevel: 'SILENT',
    faults: options.faults,
    random,
    timeScale: options.timeScale,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    pollerConcurrency: 8,
    // The soak measures fault handling, not quotas: the Comprehend quota is lifted (the backlog test covers it).
    comprehendRequestsPerSecond: {},
  });
  try {
    const plan = Array.from({ length: options.messages }, (_, index) => {
      const draw = random();
      const kind = draw < options.malformedShare ? 'malformed' : draw < options.malformedShare + options.duplicateShare ? 'duplicate' : 'intake';
      return { index, kind, text: FEEDBACK_TEXTS[index % FEEDBACK_TEXTS.length] as string };
    });
    const enqueue = async (body: string) =>
      (await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.feedbackQueueUrl, MessageBody: body }))).MessageId;
    const submissions = (
      await mapWithConcurrency(plan, 32, async ({ index, kind, text }): Promise<Submission[]> => {
        const source = `message ${index + 1}`;
        if (kind === 'malformed') return [{ source, status: 0, messageId: await enqueue(`{"bookId":"book-${index}","text":`) }];
        if (kind === 'duplicate') {
          const feedback: Feedback = { feedbackId: randomUUID(), submittedAt: new Date().toISOString(), bookId: `book-${index % 50}`, text };
          const body = toQueueBody(feedback);
          const [first, second] = await Promise.all([enqueue(body), enqueue(body)]);
          return [
            { source, status: 0, feedbackId: feedback.feedbackId, messageId: first },
            { source: `${source} (duplicate)`, status: 0, feedbackId: feedback.feedbackId, messageId: second },
          ];
        }
        const response = await fetch(`${stack.httpUrl}/feedback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ bookId: `book-${index % 50}`, rating: 1 + (index % 5), text }),
        });
        const answer = (await response.json()) as { feedbackId?: string; message?: string };
        return [{ source, status: response.status, feedbackId: answer.feedbackId, message: answer.message }];
      })
    ).flat();
    const settled = await waitUntilSettled(stack, {
      timeoutMs: options.timeoutSeconds * 1000,
      onProgress: ({ queued, inFlight, executions, deadLettered }) =>
        options.onProgress?.(`queued ${queued} · in flight ${inFlight} · executions ${executions} · dead-lettered ${deadLettered}`),
    });
    const accounting = accountFor(submissions, await storedFeedback(stack), await deadLetters(stack), await takeAlerts(stack));
    return {
      accounting,
      settled: settled.settled,
      elapsedMs: performance.now() - started,
      faultStats: stack.faultStats(),
      executions: stack.stepFunctions.stats().executions,
    };
  } finally {
    await stack.stop();
  }
}
