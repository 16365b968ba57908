// What Lambda's SQS event source mapping does, for the local stack: long-poll the queue, gather a batch
// within the batching window, invoke the consumer with an SQS event, delete what succeeded, and leave
// batchItemFailures (or everything, when the invocation fails) to the visibility timeout and redrive policy.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  /** Batches in flight at once: Lambda scales pollers with the queue; locally a fixed number. */
  concurrency: number;
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  onError?: (error: Error) => void;
}

export interface PollerStats {
  batches: number;
  messages: number;
  deleted: number;
  failedItems: number;
  failedInvocations: number;
}

export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType ?? 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export class QueuePoller {
  private running = false;
  private workers: Promise<void>[] = [];
  private readonly abort = new AbortController();
  readonly stats: PollerStats = { batches: 0, messages: 0, deleted: 0, failedItems: 0, failedInvocations: 0 };

  constructor(private readonly options: PollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.all(this.workers);
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    return Messages;
  }

  /** Up to batchSize messages, waiting at most the batching window once the first one arrived. */
  private async gatherBatch(): Promise<Message[]> {
    const { batchSize, maximumBatchingWindowSeconds } = this.options;
    const batch = await this.receive(batchSize, 1);
    if (batch.length === 0) return batch;
    const windowEnds = Date.now() + maximumBatchingWindowSeconds * 1000;
    while (this.running && batch.length < batchSize && Date.now() < windowEnds) {
      const more = await this.receive(batchSize - batch.length, 0);
      if (more.length === 0) await new Promise((resolve) => setTimeout(resolve, Math.min(20, windowEnds - Date.now())));
      batch.push(...more);
    }
    return batch;
  }

  private async work(): Promise<void> {
    while (this.running) {
      let batch: Message[] = [];
      try {
        batch = await this.gatherBatch();
        if (batch.length > 0) await this.deliver(batch);
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(error as Error);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private async deliver(batch: Message[]): Promise<void> {
    const { queueArn, region } = this.options;
    const records = batch.map((message) => toSqsRecord(message, queueArn, region));
    this.stats.batches++;
    this.stats.messages += records.length;
    let failed: Set<string>;
    try {
      const response = await this.options.invoke({ Records: records });
      const identifiers = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
      // Lambda treats an empty or unknown itemIdentifier as a failure of the whole batch.
      const known = new Set(records.map((record) => record.messageId));
      failed = identifiers.every((id) => id && known.has(id)) ? new Set(identifiers) : known;
    } catch (error) {
      this.stats.failedInvocations++;
      this.options.onError?.(error as Error);
      return;
    }
    this.stats.failedItems += failed.size;
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length === 0) return;
    const result = await this.options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.options.queueUrl,
        Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
    this.stats.deleted += result.Successful?.length ?? 0;
  }
}
