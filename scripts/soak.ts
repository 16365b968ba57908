// Soak: thousands of feedback through the local pipeline with faults injected everywhere, then an
// accounting of every message: stored exactly once or dead-lettered with its reason, and every negative
// feedback alerted exactly once. `npm run soak -- --messages 10000 --fault-rate 0.05`
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { mapWithConcurrency } from '../functions/shared/concurrency.js';
import { describeFaults, parseFaults, type FaultRates } from '../local/faults.js';
import { startLocalStack } from '../local/stack.js';
import { accountFor, formatSummary, isClean, type Accounting, type Submission } from '../local/summary.js';
import { deadLetters, storedFeedback, takeAlerts, waitUntilSettled } from '../local/triage-ledger.js';

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
  faultStats: Record<string, number>;
  executions: Record<string, number>;
}

/** A small deterministic generator (mulberry32), so a soak's faults and mix repeat with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
          const feedbackId = randomUUID();
          const body = JSON.stringify({ feedbackId, submittedAt: new Date().toISOString(), bookId: `book-${index % 50}`, text });
          const [first, second] = await Promise.all([enqueue(body), enqueue(body)]);
          return [
            { source, status: 0, feedbackId, messageId: first },
            { source: `${source} (duplicate)`, status: 0, feedbackId, messageId: second },
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

export function formatSoak(result: SoakResult, options: SoakOptions): string {
  const { accounting } = result;
  const deadByError = new Map<string, number>();
  for (const letter of accounting.deadLettered) deadByError.set(letter.errorName, (deadByError.get(letter.errorName) ?? 0) + 1);
  const rows = [
    ['messages planned', options.messages],
    ['deliveries submitted (duplicates included)', accounting.submitted],
    ['refused at intake', accounting.refused.length],
    ['stored', accounting.stored.length],
    ['dead-lettered', accounting.deadLettered.length],
    ...[...deadByError].map(([name, count]) => [`  ${name}`, count]),
    ['redeliveries absorbed', accounting.redeliveries],
    ['alerts sent', accounting.alerts.length],
    ['lost (unaccounted)', accounting.unaccounted.length],
    ['duplicate records', accounting.duplicateRecords.length],
    ['duplicate alerts', accounting.duplicateAlerts.length],
    ['missing alerts', accounting.missingAlerts.length],
    ...Object.entries(result.faultStats).map(([name, count]) => [`faults: ${name}`, count]),
    ...Object.entries(result.executions).filter(([, count]) => count > 0).map(([status, count]) => [`executions ${status}`, count]),
  ] as Array<[string, number]>;
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Soak: ${options.messages} messages, faults ${describeFaults(options.faults)}, seed ${options.seed}, time scale ${options.timeScale}, visibility timeout ${options.visibilityTimeoutSeconds} s`,
    '',
    `| ${'what'.padEnd(width)} | ${'count'.padStart(7)} |`,
    `| ${'-'.repeat(width)} | ${'-'.repeat(7)}:|`,
    ...rows.map(([label, count]) => `| ${label.padEnd(width)} | ${String(count).padStart(7)} |`),
    '',
    `Time: ${(result.elapsedMs / 1000).toFixed(1)} s (${Math.round((options.messages * 1000) / result.elapsedMs)} messages/s)` +
      (result.settled ? '' : ' - did NOT settle before the timeout'),
    isClean(accounting) && result.settled ? 'Zero lost, zero duplicates: every message is accounted for.' : 'FAILED: see the counts above.',
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '10000' },
      'fault-rate': { type: 'string', default: '0.05' },
      faults: { type: 'string' },
      seed: { type: 'string', default: '42' },
      'time-scale': { type: 'string', default: '0.2' },
      'visibility-timeout': { type: 'string', default: '2' },
      timeout: { type: 'string', default: '900' },
      details: { type: 'boolean', default: false },
    },
  });
  const messages = Number(values.messages);
  if (!Number.isInteger(messages) || messages < 1) throw new Error(`--messages must be a positive whole number, got ${values.messages}`);
  const options: SoakOptions = {
    messages,
    faults: parseFaults(values.faults ?? process.env.FEEDBACK_TRIAGE_FAULTS ?? `all=${values['fault-rate']}`),
    duplicateShare: 0.02,
    malformedShare: 0.01,
    seed: Number(values.seed),
    timeScale: Number(values['time-scale']),
    visibilityTimeoutSeconds: Number(values['visibility-timeout']),
    timeoutSeconds: Number(values.timeout),
    onProgress: process.stdout.isTTY ? (line) => process.stdout.write(`\r  ${line}\x1b[K`) : undefined,
  };
  console.log(`Soak of ${messages} messages with faults: ${describeFaults(options.faults)}…`);
  const result = await runSoak(options);
  if (process.stdout.isTTY) process.stdout.write('\n');
  console.log(formatSoak(result, options));
  if (values.details) console.log(`\n${formatSummary(result.accounting, { detailLimit: 10 })}`);
  return isClean(result.accounting) && result.settled ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`soak failed: ${error.message}`);
      process.exit(1);
    },
  );
}
