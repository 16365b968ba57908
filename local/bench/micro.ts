// Two focused measurements on a running local stack:
// - the consumer's batch: a batch of 10 messages against a batch of 1, in both execution modes, as the
//   local stack runs them (every execution is CPU on one thread here) and with AWS-like latency added to
//   each task (on AWS a task mostly waits on the network, which the consumer's concurrency overlaps);
// - the local Step Functions front: the same handlers called directly in sequence (through the local Lambda
//   runtime, as the front calls them) against one StartSyncExecution through the front.
import { randomUUID } from 'node:crypto';
import { StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { needsAlert, toQueueBody, type Feedback, type SentimentResult } from '../../functions/shared/feedback.js';
import { useExecutionMode } from '../execution-mode.js';
import type { ExecutionMode } from '../service-definition.js';
import type { LocalStack } from '../stack.js';
import { sampleBodies } from './load-generator.js';
import { median } from './stats.js';

let sequence = 0;

/** A feedback as the intake queues it, from the sample mix, with a fresh id. */
export function freshFeedback(): Feedback {
  const bodies = sampleBodies();
  const body = bodies[sequence++ % bodies.length] as { bookId: string; text: string; rating?: number; readerId?: string };
  return { feedbackId: randomUUID(), submittedAt: new Date().toISOString(), ...body, bookId: `micro-${sequence % 1000}` };
}

/** Negative feedback: the longest path (all three tasks), so a batch of them is ten of the same execution. */
export function freshNegativeFeedback(): Feedback {
  const text = 'Awful. Unreadable, pretentious and boring. The worst book we have read as a club, and the meeting was a waste of time.';
  return { feedbackId: randomUUID(), submittedAt: new Date().toISOString(), bookId: `micro-negative-${sequence++ % 1000}`, text, rating: 1 };
}

function sqsRecord(stack: LocalStack, feedback: Feedback): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: 'micro',
    body: toQueueBody(feedback),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'bench', ApproximateFirstReceiveTimestamp: now },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: stack.resources.feedbackQueueArn,
    awsRegion: 'us-east-1',
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Adds a fixed wait to every task function invocation (the state functions), as network latency would. */
function withTaskLatency(stack: LocalStack, latencyMs: number): () => void {
  const invoke = stack.runtime.invoke.bind(stack.runtime);
  if (latencyMs <= 0) return () => undefined;
  stack.runtime.invoke = async (name: string, event: unknown) => {
    if (name !== 'processFeedback' && name !== 'submitFeedback') await sleep(latencyMs);
    return invoke(name, event);
  };
  return () => {
    stack.runtime.invoke = invoke;
  };
}

export interface BatchTiming {
  mode: ExecutionMode;
  /** Added to every task invocation; 0 is the local stack as it is. */
  taskLatencyMs: number;
  /** Median time of the consumer on a batch of one negative feedback (all three tasks). */
  oneMs: number;
  /** Median time on a batch of ten of them. */
  tenMs: number;
  /** tenMs / oneMs: 1 means ten cost the time of one; 10 means one after another. */
  ratio: number;
}

async function timeConsumer(stack: LocalStack, size: number, repeats: number): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < repeats; run++) {
    const event: SQSEvent = { Records: Array.from({ length: size }, () => sqsRecord(stack, freshNegativeFeedback())) };
    const started = performance.now();
    const response = (await stack.runtime.invoke('processFeedback', event)) as SQSBatchResponse;
    times.push(performance.now() - started);
    if (response.batchItemFailures.length > 0) throw new Error(`consumer reported ${response.batchItemFailures.length} failures`);
  }
  return median(times);
}

export async function measureConsumerBatch(stack: LocalStack, options: { repeats: number; taskLatenciesMs: number[] }): Promise<BatchTiming[]> {
  const results: BatchTiming[] = [];
  for (const mode of ['perMessage', 'perBatch'] as const) {
    await useExecutionMode(stack, mode);
    for (const taskLatencyMs of options.taskLatenciesMs) {
      const restore = withTaskLatency(stack, taskLatencyMs);
      try {
        await timeConsumer(stack, 10, 3);
        const oneMs = await timeConsumer(stack, 1, options.repeats);
        const tenMs = await timeConsumer(stack, 10, options.repeats);
        results.push({ mode, taskLatencyMs, oneMs, tenMs, ratio: tenMs / oneMs });
      } finally {
        restore();
      }
    }
  }
  await useExecutionMode(stack, 'perMessage');
  return results;
}

export interface FrontOverhead {
  executions: number;
  /** The three state functions called one after another through the local Lambda runtime. */
  directMedianMs: number;
  directMeanMs: number;
  /** StartSyncExecution through the SDK, the local front and aws-local-stepfunctions, which call the same functions. */
  frontMedianMs: number;
  frontMeanMs: number;
  ratio: number;
}

async function directChain(stack: LocalStack, feedback: Feedback): Promise<void> {
  const executionArn = `arn:aws:states:us-east-1:000000000000:express:direct:${randomUUID()}`;
  const sentiment = (await stack.runtime.invoke('detectSentiment', { feedback, executionArn })) as SentimentResult;
  await stack.runtime.invoke('storeFeedback', { feedback, sentiment, executionArn });
  if (needsAlert(sentiment)) await stack.runtime.invoke('notifyNegative', { feedback, sentiment, executionArn });
}

async function throughFront(stack: LocalStack, feedback: Feedback): Promise<void> {
  const execution = await stack.clients.sfn.send(
    new StartSyncExecutionCommand({ stateMachineArn: stack.resources.stateMachineArn, input: JSON.stringify({ feedback, messageId: randomUUID() }) }),
  );
  if (execution.status !== 'SUCCEEDED') throw new Error(`execution ${execution.status}: ${execution.error} ${execution.cause}`);
}

export async function measureFrontOverhead(stack: LocalStack, executions: number): Promise<FrontOverhead> {
  for (let i = 0; i < 30; i++) {
    await directChain(stack, freshFeedback());
    await throughFront(stack, freshFeedback());
  }
  const direct: number[] = [];
  const front: number[] = [];
  // Interleaved, each with its own feedback of the same mix, so drift affects both alike.
  for (let i = 0; i < executions; i++) {
    const a = freshFeedback();
    const b = { ...a, feedbackId: randomUUID() };
    let started = performance.now();
    await directChain(stack, a);
    direct.push(performance.now() - started);
    started = performance.now();
    await throughFront(stack, b);
    front.push(performance.now() - started);
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    executions,
    directMedianMs: median(direct),
    directMeanMs: mean(direct),
    frontMedianMs: median(front),
    frontMeanMs: mean(front),
    ratio: mean(front) / mean(direct),
  };
}
