// The readers, for the benchmarks: a separate process that POSTs feedback to the local HTTP intake, either
// as fast as the intake answers (a fixed number of requests in flight) or at a fixed rate (open loop, each
// reader arriving on schedule whatever the intake is doing). Run by forking this file; see pipeline.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../service-definition.js';

export interface LoadPlan {
  url: string;
  messages: number;
  /** Arrivals per second; 0 submits as fast as the intake answers. */
  ratePerSecond: number;
  /** Requests in flight at most (as fast as possible: exactly this many). */
  concurrency: number;
  /** Prefix of every bookId, so a run's feedback can be told from a warm-up's. */
  bookPrefix: string;
}

export interface SubmissionRecord {
  feedbackId?: string;
  status: number;
  /** When the reader submitted (epoch ms): the scheduled arrival when paced, else when the request was sent. */
  submittedAt: number;
  /** When the intake answered (epoch ms). */
  answeredAt: number;
}

export interface LoadResult {
  submissions: SubmissionRecord[];
  /** First submission to last answer, ms. */
  elapsedMs: number;
  /** Arrivals per second the intake actually absorbed. */
  achievedRate: number;
}

/** The valid feedback of the sample file `npm start` submits: the mix of sentiments and lengths readers send. */
export function sampleBodies(): Array<Record<string, unknown>> {
  const lines = readFileSync(join(projectRoot, 'events/sample-feedback.jsonl'), 'utf8').split('\n');
  const bodies: Array<Record<string, unknown>> = [];
  for (const line of lines) {
    try {
      const body = JSON.parse(line) as Record<string, unknown>;
      const rating = body.rating;
      const ratingOk = rating === undefined || (Number.isInteger(rating) && (rating as number) >= 1 && (rating as number) <= 5);
      if (typeof body.bookId === 'string' && typeof body.text === 'string' && body.text.trim() && ratingOk) bodies.push(body);
    } catch {
      // Broken lines are there to test the intake, not the pipeline.
    }
  }
  return bodies;
}

const nowMs = () => performance.timeOrigin + performance.now();

export async function generateLoad(plan: LoadPlan): Promise<LoadResult> {
  const bodies = sampleBodies();
  const bodyOf = (index: number) => JSON.stringify({ ...bodies[index % bodies.length], bookId: `${plan.bookPrefix}-${index % 1000}` });
  const submissions = new Array<SubmissionRecord>(plan.messages);
  const started = nowMs();
  let next = 0;
  const submit = async (index: number, scheduledAt: number | undefined) => {
    const body = bodyOf(index);
    const sentAt = nowMs();
    let status = 0;
    let feedbackId: string | undefined;
    try {
      const response = await fetch(`${plan.url}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      status = response.status;
      feedbackId = ((await response.json()) as { feedbackId?: string }).feedbackId;
    } catch {
      status = 599;
    }
    submissions[index] = { feedbackId, status, submittedAt: scheduledAt ?? sentAt, answeredAt: nowMs() };
  };
  if (plan.ratePerSecond <= 0) {
    await Promise.all(
      Array.from({ length: Math.min(plan.concurrency, plan.messages) }, async () => {
        while (next < plan.messages) await submit(next++, undefined);
      }),
    );
  } else {
    // Open loop: arrival i is due at started + i / rate. A reader whose slot is taken by a slow intake
    // still counts from when it was due, so a slow intake shows in the latencies.
    const interval = 1000 / plan.ratePerSecond;
    const inFlight = new Set<Promise<void>>();
    while (next < plan.messages) {
      const due = started + next * interval;
      const wait = due - nowMs();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      while (next < plan.messages && started + next * interval <= nowMs()) {
        if (inFlight.size >= plan.concurrency) await Promise.race(inFlight);
        const index = next++;
        const running = submit(index, started + index * interval).finally(() => inFlight.delete(running));
        inFlight.add(running);
      }
    }
    await Promise.all(inFlight);
  }
  const elapsedMs = Math.max(...submissions.map((s) => s.answeredAt)) - started;
  return { submissions, elapsedMs, achievedRate: (plan.messages * 1000) / elapsedMs };
}

// Forked: one plan in, one result out.
if (process.send && process.argv.includes('--load-generator')) {
  process.once('message', (plan: LoadPlan) => {
    generateLoad(plan).then(
      (result) => process.send?.({ result }, () => process.exit(0)),
      (error: Error) => process.send?.({ error: error.message }, () => process.exit(1)),
    );
  });
}
