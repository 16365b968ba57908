// A backlog under Comprehend's quota: puts N feedback messages on the queue at once, lets the local stack drain them
// with the quota enforced, and accounts for every one (stored, dead-lettered, lost, twice) with the throughput
// against the ceiling the quota allows. Used by tests/e2e/backlog.test.ts and the bench's backlog scenario.
import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mapWithConcurrency } from '../../functions/shared/concurrency.js';
import { toQueueBody } from '../../functions/shared/feedback.js';
import { useExecutionMode } from '../execution-mode.js';
import type { RateQuotas } from '../quota/token-bucket.js';
import { throughputCeiling, triageQuotaSettings } from '../quota/triage-quotas.js';
import { loadServiceDefinition, type ExecutionMode } from '../service-definition.js';
import { startLocalStack, type LocalStack } from '../stack.js';
import { accountFor, type Submission } from '../triage-ledger.js';
import { deadLetters, storedFeedback, takeAlerts, waitUntilSettled } from '../triage-ledger.js';

/** What readers write, in turn: a third of the backlog needs an alert. */
const TEXTS = [
  'Absolutely loved it. Gorgeous prose and a heroine I will remember for years.',
  'Awful. Unreadable, pretentious and boring. The worst book we have read as a club.',
  'The meeting is on Thursday at 7pm in the library.',
];

export interface BacklogOptions {
  messages: number;
  mode: ExecutionMode;
  /** Quotas changed from serverless.yml's (AWS's defaults), requests per second by operation. */
  comprehendRequestsPerSecond?: RateQuotas;
  /** Gives up waiting for the queue to drain after this long. */
  timeoutMs: number;
  /** The queue's visibility timeout; serverless.yml's when absent. */
  visibilityTimeoutSeconds?: number;
  logLevel?: string;
}

export interface BacklogResult {
  mode: ExecutionMode;
  messages: number;
  settled: boolean;
  stored: number;
  deadLettered: number;
  /** Messages neither stored nor dead-lettered. */
  lost: number;
  duplicateRecords: number;
  duplicateAlerts: number;
  missingAlerts: number;
  /** First message queued to last feedback stored, ms. */
  elapsedMs: number;
  messagesPerSecond: number;
  /** Messages per second the quota allows the mode: perMessage the DetectSentiment quota, perBatch BatchDetectSentiment x documents per call. */
  ceiling: number;
  quotas: RateQuotas;
  /** Comprehend calls refused for the quota (then retried), by operation. */
  throttles: Record<string, number>;
  /** Comprehend calls admitted, all operations. */
  comprehendCalls: number;
  executions: number;
  /** Consumers at once: the event source's maximumConcurrency for the mode. */
  consumers: number;
}

function backlogMessage(index: number): { feedbackId: string; body: string } {
  const feedbackId = randomUUID();
  const body = toQueueBody({
    feedbackId,
    submittedAt: new Date().toISOString(),
    bookId: `backlog-${index % 50}`,
    text: TEXTS[index % TEXTS.length] as string,
    rating: 1 + (index % 5),
  });
  return { feedbackId, body };
}

/** Sends the whole backlog as fast as SQS takes it: batches of 10, a few in flight. */
async function enqueue(stack: LocalStack, count: number): Promise<Submission[]> {
  const messages = Array.from({ length: count }, (_, index) => backlogMessage(index));
  const batches = Array.from({ length: Math.ceil(count / 10) }, (_, index) => messages.slice(index * 10, index * 10 + 10));
  const sent = await mapWithConcurrency(batches, 8, async (batch) => {
    const answer = await stack.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.resources.feedbackQueueUrl,
        Entries: batch.map((message, index) => ({ Id: String(index), MessageBody: message.body })),
      }),
    );
    if (answer.Failed?.length) throw new Error(`SQS refused ${answer.Failed.length} messages of the backlog: ${answer.Failed[0]?.Message}`);
    return batch.map((message) => ({ source: 'backlog', status: 0, feedbackId: message.feedbackId }));
  });
  return sent.flat();
}

export async function runBacklog(options: BacklogOptions): Promise<BacklogResult> {
  const settings = triageQuotaSettings(loadServiceDefinition());
  const quotas = { ...settings.comprehendRequestsPerSecond, ...options.comprehendRequestsPerSecond };
  const consumers = settings.maximumConcurrency[options.mode];
  const stack = await startLocalStack({
    logLevel: options.logLevel ?? 'SILENT',
    comprehendRequestsPerSecond: quotas,
    pollerConcurrency: consumers,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
  });
  try {
    await useExecutionMode(stack, options.mode);
    const started = Date.now();
    const submissions = await enqueue(stack, options.messages);
    const settled = await waitUntilSettled(stack, { timeoutMs: options.timeoutMs });
    const stored = await storedFeedback(stack);
    const accounting = accountFor(submissions, stored, await deadLetters(stack), await takeAlerts(stack));
    const lastStored = Math.max(started, ...stored.map((item) => Date.parse((item as { storedAt?: string }).storedAt ?? '') || started));
    const elapsedMs = lastStored - started;
    const comprehend = stack.comprehend.stats();
    const throttles = Object.fromEntries(Object.keys(quotas).map((operation) => [operation, comprehend.overQuota[operation] ?? 0]));
    return {
      mode: options.mode,
      messages: options.messages,
      settled: settled.settled,
      stored: new Set(stored.map((item) => item.feedbackId)).size,
      deadLettered: accounting.deadLettered.length,
      lost: accounting.unaccounted.length,
      duplicateRecords: accounting.duplicateRecords.length,
      duplicateAlerts: accounting.duplicateAlerts.length,
      missingAlerts: accounting.missingAlerts.length,
      elapsedMs,
      messagesPerSecond: elapsedMs > 0 ? (stored.length * 1000) / elapsedMs : 0,
      ceiling: throughputCeiling(options.mode, quotas, settings),
      quotas,
      throttles,
      comprehendCalls: comprehend.requests - comprehend.throttled - Object.values(comprehend.overQuota).reduce((sum, count) => sum + count, 0),
      executions: stack.stepFunctions.stats().started,
      consumers,
    };
  } finally {
    await stack.stop();
  }
}

export function describeBacklog(result: BacklogResult): string {
  const throttled = Object.entries(result.throttles)
    .filter(([, count]) => count > 0)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');
  return (
    `${result.mode}: ${result.messages} messages, ${result.stored} stored, ${result.deadLettered} dead-lettered, ${result.lost} lost, ` +
    `${result.duplicateRecords + result.duplicateAlerts} duplicates; ${result.messagesPerSecond.toFixed(1)} msgs/s against a ceiling of ` +
    `${result.ceiling} (${Math.round((100 * result.messagesPerSecond) / result.ceiling)} %) in ${(result.elapsedMs / 1000).toFixed(1)} s; ` +
    `throttled: ${throttled || 'none'}; ${result.executions} executions, ${result.consumers} consumers`
  );
}
