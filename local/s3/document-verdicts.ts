// What became of an upload to the documents bucket: the "Object Created" event S3 sent, the executions the
// event's rules started, and the verdict record those executions left in the documents table. Used by tests,
// `npm start` and anyone driving the local stack, so none of them polls on their own.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { BusEvent, LocalEventBus } from '../eventbridge/bus.js';
import type { ObjectCreatedNotifications } from './object-created.js';

export interface DocumentVerdictsOptions {
  bucket: string;
  table: string;
  notifications: ObjectCreatedNotifications;
  eventBus: LocalEventBus;
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  /** Pause between two looks at a running execution. */
  pollMs?: number;
}

export interface ExecutionOutcome {
  executionArn: string;
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface DocumentOutcome {
  /** The "Object Created" event the upload produced. */
  event: BusEvent;
  /** The executions its rules started (none when no rule matched), each ended. */
  executions: ExecutionOutcome[];
  /** The verdict record in the documents table (see DocumentVerdict in the document contract), when there is one. */
  verdict?: Record<string, unknown>;
}

export interface WaitOptions {
  bucket?: string;
  /** Give up after this long (an Error says what was still awaited). Default 60 s. */
  timeoutMs?: number;
  /** Follow this event rather than the latest one sent for the key (a redelivered duplicate, say). */
  event?: BusEvent;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ObjectDetail {
  bucket: { name: string };
  object: { key: string };
}

/** The documentId an execution's output names: RecordVerdict answers `documentId`, the states before it `document`. */
function documentIdIn(output: unknown): string | undefined {
  const value = output as { documentId?: unknown; document?: { documentId?: unknown } } | null | undefined;
  const id = value?.documentId ?? value?.document?.documentId;
  return typeof id === 'string' ? id : undefined;
}

export class DocumentVerdicts {
  private readonly documents: DynamoDBDocumentClient;

  constructor(private readonly options: DocumentVerdictsOptions) {
    this.documents = DynamoDBDocumentClient.from(options.dynamodb);
  }

  /** The Object Created events sent for a key, oldest first. */
  eventsFor(key: string, bucket = this.options.bucket): BusEvent[] {
    return this.options.notifications.events().filter((event) => {
      const detail = event.detail as ObjectDetail;
      return detail.bucket.name === bucket && detail.object.key === key;
    });
  }

  /**
   * Waits until the latest upload of `key` has been routed and every execution it started has ended, then reads
   * its verdict. Bounded by `timeoutMs`.
   */
  async waitFor(key: string, options: WaitOptions = {}): Promise<DocumentOutcome> {
    const bucket = options.bucket ?? this.options.bucket;
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    const pollMs = this.options.pollMs ?? 25;
    let event = options.event;
    while (!event) {
      event = this.eventsFor(key, bucket).at(-1);
      if (event) break;
      if (Date.now() > deadline) throw new Error(`No Object Created event for s3://${bucket}/${key} within ${options.timeoutMs ?? 60_000} ms`);
      await pause(pollMs);
    }
    await this.options.notifications.idle();
    await this.options.eventBus.idle();
    const started = this.options.eventBus
      .deliveries()
      .filter((delivery) => delivery.eventId === event.id && delivery.result)
      .map((delivery) => delivery.result as string);
    const executions: ExecutionOutcome[] = [];
    for (const executionArn of started) {
      for (;;) {
        const described = await this.options.sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (described.status !== 'RUNNING') {
          executions.push({
            executionArn,
            status: described.status as string,
            ...(described.output !== undefined ? { output: JSON.parse(described.output) as unknown } : {}),
            ...(described.error !== undefined ? { error: described.error } : {}),
            ...(described.cause !== undefined ? { cause: described.cause } : {}),
          });
          break;
        }
        if (Date.now() > deadline) throw new Error(`The execution ${executionArn} for s3://${bucket}/${key} was still running after ${options.timeoutMs ?? 60_000} ms`);
        await pause(pollMs);
      }
    }
    if (executions.length === 0) return { event, executions };
    const verdict = await this.verdictOf(bucket, key, executions);
    return { event, executions, ...(verdict ? { verdict } : {}) };
  }

  private async verdictOf(bucket: string, key: string, executions: ExecutionOutcome[]): Promise<Record<string, unknown> | undefined> {
    const documentId = executions.map((execution) => documentIdIn(execution.output)).find(Boolean);
    if (documentId) return this.read(documentId);
    // A failed execution names no document: the record its failure path wrote is found by object.
    const records = (await this.all()).filter((record) => record.bucket === bucket && record.key === key);
    const arns = new Set(executions.map((execution) => execution.executionArn));
    return records.find((record) => arns.has(String(record.executionArn))) ?? records.sort((a, b) => String(b.receivedAt).localeCompare(String(a.receivedAt)))[0];
  }

  /** One verdict record by documentId. */
  async read(documentId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.options.table, Key: { documentId }, ConsistentRead: true }));
    return Item;
  }

  /** Every verdict record of the documents table (a local table is small: a scan, paged to the end). */
  async all(): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(new ScanCommand({ TableName: this.options.table, ExclusiveStartKey, ConsistentRead: true }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }
}
