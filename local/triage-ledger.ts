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
