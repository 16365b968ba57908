// Erasing a reader's feedback on request, by feedbackId or by readerId: each record becomes a tombstone that
// keeps the feedbackId and when, by whom and why it was erased, and nothing the reader wrote or who they are.
// The tombstone stays so that a late redelivery of the message finds the id taken and stores nothing again.
import { GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ErasureRecord {
  feedbackId: string;
  erasedAt: string;
  erasedBy: string;
  erasedBecause: string;
  /** How the record was found: the reader's request named the feedback, or the reader. */
  matchedBy: 'feedbackId' | 'readerId';
  /** Alerts already sent stay on record as sent; any other alert will not be sent now. */
  alertStatus: 'SENT' | 'NOT_REQUIRED';
  /** DynamoDB TTL (epoch seconds): when the tombstone itself goes; absent keeps it. */
  expiresAt?: number;
}

export interface EraseRequest {
  client: DynamoDBDocumentClient;
  tableName: string;
  by: string;
  because: string;
  now?: Date;
  /** Seconds a tombstone is kept (the stage's retention); kept for good when absent. */
  keepTombstoneSeconds?: number;
}

export type ErasureOutcome = 'erased' | 'already-erased' | 'not-found';

/** Pages of the table the readerId search reads at most: a bound, reported when reached. */
export const MAX_SCAN_PAGES = 1_000;

export async function eraseFeedback(request: EraseRequest, feedbackId: string, matchedBy: ErasureRecord['matchedBy'] = 'feedbackId'): Promise<ErasureOutcome> {
  const { Item } = await request.client.send(
    new GetCommand({ TableName: request.tableName, Key: { feedbackId }, ConsistentRead: true, ProjectionExpression: 'feedbackId, erasedAt, alertStatus' }),
  );
  if (!Item) return 'not-found';
  if (Item.erasedAt) return 'already-erased';
  const now = request.now ?? new Date();
  const tombstone: ErasureRecord = {
    feedbackId,
    erasedAt: now.toISOString(),
    erasedBy: request.by,
    erasedBecause: request.because,
    matchedBy,
    alertStatus: Item.alertStatus === 'SENT' ? 'SENT' : 'NOT_REQUIRED',
    ...(request.keepTombstoneSeconds ? { expiresAt: Math.floor(now.getTime() / 1000) + request.keepTombstoneSeconds } : {}),
  };
  try {
    // Conditional: a concurrent erasure of the same record counts once.
    await request.client.send(
      new PutCommand({ TableName: request.tableName, Item: tombstone, ConditionExpression: 'attribute_exists(feedbackId) AND attribute_not_exists(erasedAt)' }),
    );
    return 'erased';
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return 'already-erased';
    throw error;
  }
}

/** Every feedbackId stored for this reader: a filtered Scan, as the table has no index by reader. */
export async function feedbackIdsOfReader(client: DynamoDBDocumentClient, tableName: string, readerId: string): Promise<{ feedbackIds: string[]; complete: boolean }> {
  const feedbackIds: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < MAX_SCAN_PAGES; page++) {
    const output = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'readerId = :reader',
        ExpressionAttributeValues: { ':reader': readerId },
        ProjectionExpression: 'feedbackId',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of output.Items ?? []) feedbackIds.push(String(item.feedbackId));
    startKey = output.LastEvaluatedKey;
    if (!startKey) return { feedbackIds, complete: true };
  }
  return { feedbackIds, complete: false };
}

export async function eraseReader(request: EraseRequest, readerId: string): Promise<{ outcomes: Record<ErasureOutcome, number>; complete: boolean }> {
  const { feedbackIds, complete } = await feedbackIdsOfReader(request.client, request.tableName, readerId);
  const outcomes: Record<ErasureOutcome, number> = { erased: 0, 'already-erased': 0, 'not-found': 0 };
  for (const feedbackId of feedbackIds) outcomes[await eraseFeedback(request, feedbackId, 'readerId')]++;
  return { outcomes, complete };
}
