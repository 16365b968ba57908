// How long each message waited in the SQS event source's batching window: from its first receive off the queue
// (SQS's ApproximateFirstReceiveTimestamp) to the consumer's invocation with its batch. Observed where the local
// Lambda runtime takes the consumer's event, so the event source runs exactly as it runs in `npm start`.
import type { SQSEvent } from 'aws-lambda';
import { LocalLambdaRuntime } from '../lambda-runtime.js';

export interface BatchingWindowWatch {
  /** Stops watching; the waits seen, ms. */
  stop(): number[];
}

/**
 * Watches every LocalLambdaRuntime of this process from now on (the stack is started later, inside the run).
 * Counts a message on its first delivery only (a retry's first receive belongs to an earlier batch) and only when
 * its bookId starts with `bookPrefix`, so the warm-up's messages stay out.
 */
export function watchBatchingWindow(bookPrefix: string, consumer = 'processFeedback'): BatchingWindowWatch {
  const invoke = Object.getOwnPropertyDescriptor(LocalLambdaRuntime.prototype, 'invoke')?.value as LocalLambdaRuntime['invoke'];
  const waits: number[] = [];
  LocalLambdaRuntime.prototype.invoke = function watched(this: LocalLambdaRuntime, name: string, event: unknown) {
    if (name === consumer) {
      const invokedAt = Date.now();
      for (const record of (event as Partial<SQSEvent>).Records ?? []) {
        const firstReceived = Number(record.attributes.ApproximateFirstReceiveTimestamp);
        if (record.attributes.ApproximateReceiveCount !== '1' || !(firstReceived > 0)) continue;
        let bookId: unknown;
        try {
          bookId = (JSON.parse(record.body) as { bookId?: unknown }).bookId;
        } catch {
          continue;
        }
        if (typeof bookId === 'string' && bookId.startsWith(`${bookPrefix}-`)) waits.push(invokedAt - firstReceived);
      }
    }
    return invoke.call(this, name, event);
  };
  return {
    stop() {
      LocalLambdaRuntime.prototype.invoke = invoke;
      return waits;
    },
  };
}
