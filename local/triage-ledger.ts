// Accounts for every message given to the pipeline: what was stored (with its sentiment and alert),
// what was dead-lettered (with its reason) and what the intake refused, so nothing can go missing unseen.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from './stack.js';
import { perSentiment } from '../functions/shared/feedback.js';

export interface StoredFeedback {
  feedbackId: string;
  bookId: string;
  text: string;
  rating?: number;
  sentiment: string;
  scores: Record<string, number>;
  alertStatus: string;
  alertMessageId?: string;
  submittedAt: string;
}

export interface DeadLetter {
  messageId: string;
  feedbackId?: string;
  errorName: string;
  reason: string;
  body: string;
}

export interface Alert {
  feedbackId: string;
  subject: string;
  message: string;
  sentiment: string;
}

export async function queueDepth(stack: LocalStack, queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes = {} } = await stack.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

export async function storedFeedback(stack: LocalStack): Promise<StoredFeedback[]> {
  const documents = DynamoDBDocumentClient.from(stack.clients.dynamodb);
  const items: StoredFeedback[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: stack.resources.feedbackTable, ExclusiveStartKey }));
    items.push(...((page.Items ?? []) as StoredFeedback[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * Reads every message of a queue. With `keep`, they are hidden while being read and then made visible
 * again, so reading the dead-letter queue never takes anything off it.
 */
async function readQueue(stack: LocalStack, queueUrl: string, keep: boolean, maxMessages = 100_000): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 120,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0 || messages.length >= maxMessages) break;
    messages.push(...Messages);
    const entries = Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle }));
    await stack.clients.sqs.send(
      keep
        ? new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: entries.map((entry) => ({ ...entry, VisibilityTimeout: 120 })),
          })
        : new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
    );
  }
  if (keep) {
    for (let start = 0; start < messages.length; start += 10) {
      const slice = messages.slice(start, start + 10);
      await stack.clients.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: slice.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
    }
  }
  return messages;
}

function feedbackIdOfBody(body: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(body ?? '') as { feedbackId?: unknown };
    return typeof parsed?.feedbackId === 'string' ? parsed.feedbackId : undefined;
  } catch {
    return undefined;
  }
}

export async function deadLetters(stack: LocalStack): Promise<DeadLetter[]> {
  const messages = await readQueue(stack, stack.resources.deadLetterQueueUrl, true);
  return messages.map((message) => {
    const attributes = message.MessageAttributes ?? {};
    return {
      messageId: attributes.sourceMessageId?.StringValue ?? message.MessageId ?? '',
      feedbackId: attributes.feedbackId?.StringValue ?? feedbackIdOfBody(message.Body),
      // A message moved by the queue's redrive policy (not by the consumer) carries no reason of ours.
      errorName: attributes.errorName?.StringValue ?? 'MaxReceiveCountExceeded',
      reason: attributes.reason?.StringValue ?? "MaxReceiveCountExceeded: moved by the queue's redrive policy after maxReceiveCount receives",
      body: message.Body ?? '',
    };
  });
}

/** Takes the alerts delivered to the local inbox subscribed to the alert topic. */
export async function takeAlerts(stack: LocalStack): Promise<Alert[]> {
  const messages = await readQueue(stack, stack.resources.alertInboxQueueUrl, false);
  return messages.map((message) => {
    const envelope = JSON.parse(message.Body ?? '{}') as {
      Subject?: string;
      Message?: string;
      MessageAttributes?: Record<string, { Value?: string }>;
    };
    return {
      feedbackId: envelope.MessageAttributes?.feedbackId?.Value ?? '',
      sentiment: envelope.MessageAttributes?.sentiment?.Value ?? '',
      subject: envelope.Subject ?? '',
      message: envelope.Message ?? '',
    };
  });
}

export interface Settled {
  settled: boolean;
  waitedMs: number;
}

/** Waits until the queue is empty and no alert is half-way, or the time runs out. */
export async function waitUntilSettled(
  stack: LocalStack,
  options: { timeoutMs: number; onProgress?: (progress: { queued: number; inFlight: number; executions: number; deadLettered: number }) => void },
): Promise<Settled> {
  const started = Date.now();
  let quietPolls = 0;
  while (Date.now() - started < options.timeoutMs) {
    const queue = await queueDepth(stack, stack.resources.feedbackQueueUrl);
    const dlq = await queueDepth(stack, stack.resources.deadLetterQueueUrl);
    const stats = stack.stepFunctions.stats();
    options.onProgress?.({
      queued: queue.visible + queue.delayed,
      inFlight: queue.inFlight,
      executions: stats.started,
      deadLettered: dlq.visible + dlq.inFlight,
    });
    const idle = queue.visible + queue.inFlight + queue.delayed === 0 && stats.executions.RUNNING === 0;
    // Two quiet polls in a row: a batch between receive and delete would show as in flight.
    quietPolls = idle ? quietPolls + 1 : 0;
    if (quietPolls >= 2) return { settled: true, waitedMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { settled: false, waitedMs: Date.now() - started };
}

export interface Submission {
  /** Where it came from: a line of the input file, or a label. */
  source: string;
  /** The intake's HTTP status, or 0 for a message put straight on the queue. */
  status: number;
  feedbackId?: string;
  messageId?: string;
  message?: string;
}

export interface Accounting {
  submitted: number;
  refused: Submission[];
  stored: StoredFeedback[];
  deadLettered: DeadLetter[];
  alerts: Alert[];
  bySentiment: Record<string, number>;
  /** Accepted messages neither stored nor dead-lettered. */
  unaccounted: Submission[];
  /** feedbackIds stored more than once or alerted more than once. */
  duplicateRecords: string[];
  duplicateAlerts: string[];
  /** Accepted deliveries that repeated a feedbackId already delivered: at-least-once delivery, absorbed. */
  redeliveries: number;
  /** Feedback that needed an alert but got none (or whose alert is still half-way). */
  missingAlerts: string[];
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
}

export function accountFor(submissions: Submission[], stored: StoredFeedback[], deadLetterCopies: DeadLetter[], alerts: Alert[]): Accounting {
  // A message redelivered while its first delivery was still being dead-lettered can land on the DLQ twice.
  const deadLettered = [...new Map(deadLetterCopies.map((letter) => [letter.messageId, letter])).values()];
  const storedIds = new Set(stored.map((item) => item.feedbackId));
  const deadIds = new Set(deadLettered.flatMap((letter) => [letter.feedbackId, letter.messageId].filter(Boolean) as string[]));
  const refused = submissions.filter((submission) => submission.status >= 400);
  const accepted = submissions.filter((submission) => submission.status < 400);
  const unaccounted = accepted.filter((submission) => {
    const ids = [submission.feedbackId, submission.messageId].filter(Boolean) as string[];
    return !ids.some((id) => storedIds.has(id) || deadIds.has(id));
  });
  const alertedIds = new Set(alerts.map((alert) => alert.feedbackId));
  const bySentiment: Record<string, number> = perSentiment(() => 0);
  for (const item of stored) bySentiment[item.sentiment] = (bySentiment[item.sentiment] ?? 0) + 1;
  return {
    submitted: submissions.length,
    refused,
    stored,
    deadLettered,
    alerts,
    bySentiment,
    unaccounted,
    redeliveries: accepted.filter((s) => s.feedbackId).length - new Set(accepted.map((s) => s.feedbackId).filter(Boolean)).size,
    duplicateRecords: duplicates(stored.map((item) => item.feedbackId)),
    duplicateAlerts: duplicates(alerts.map((alert) => alert.feedbackId)),
    // Feedback stored but dead-lettered before its alert went out waits for `npm run redrive`, reason attached.
    missingAlerts: stored
      .filter((item) => item.alertStatus !== 'NOT_REQUIRED' && (item.alertStatus !== 'SENT' || !alertedIds.has(item.feedbackId)))
      .filter((item) => !deadIds.has(item.feedbackId))
      .map((item) => item.feedbackId),
  };
}

/** Whether the run kept every promise: nothing lost, nothing stored or alerted twice, every alert sent. */
export function isClean(accounting: Accounting): boolean {
  return (
    accounting.unaccounted.length === 0 &&
    accounting.duplicateRecords.length === 0 &&
    accounting.duplicateAlerts.length === 0 &&
    accounting.missingAlerts.length === 0
  );
}
