// The triage fields of a feedback record in the feedback table: read without the reader's text, and written only
// if the item is still at the version the member saw, so that of two people acting at once exactly one wins.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documents } from '../../shared/clients.js';
import { config } from '../../shared/config.js';
import { classifyAwsError, isConditionFailure } from '../../shared/errors.js';
import { triageStateOf, type TriageHistoryEntry, type TriageState } from './triage.js';

const TRIAGE_FIELDS = ['feedbackId', 'sentiment', 'bookId', 'executionArn', 'triageStatus', 'triageVersion', 'assignee', 'triageUpdatedAt', 'triageUpdatedBy', 'triageHistory', 'erasedAt'];

export type TriageWrite = { written: true } | { written: false; current: TriageState | undefined };

export interface TriageStore {
  /** The item's triage state (a strongly consistent read); undefined when no feedback has this id. */
  read(feedbackId: string): Promise<TriageState | undefined>;
  /** Writes `next` and appends `entry` if the item is still at `expectedVersion`; otherwise answers the item as it is. */
  write(next: TriageState, expectedVersion: number, entry: TriageHistoryEntry): Promise<TriageWrite>;
}

export class DynamoDbTriageStore implements TriageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: () => string,
  ) {}

  async read(feedbackId: string): Promise<TriageState | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName(),
          Key: { feedbackId },
          ConsistentRead: true,
          ProjectionExpression: TRIAGE_FIELDS.map((_, index) => `#f${index}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(TRIAGE_FIELDS.map((field, index) => [`#f${index}`, field])),
        }),
      );
      // Feedback erased at its reader's request is gone for the team too (ops/erase-feedback.ts leaves a tombstone).
      return Item && !Item.erasedAt ? triageStateOf(Item) : undefined;
    } catch (error) {
      throw classifyAwsError(error, 'DynamoDB GetItem (triage)');
    }
  }

  async write(next: TriageState, expectedVersion: number, entry: TriageHistoryEntry): Promise<TriageWrite> {
    // Version 0 is an item never acted on: it has no triageVersion yet.
    const versionHolds = expectedVersion === 0 ? 'attribute_not_exists(triageVersion)' : 'triageVersion = :expected';
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName(),
          Key: { feedbackId: next.feedbackId },
          UpdateExpression:
            'SET triageStatus = :status, triageVersion = :version, assignee = :assignee, triageUpdatedAt = :at, triageUpdatedBy = :by, ' +
            'triageHistory = list_append(if_not_exists(triageHistory, :none), :entry)',
          ConditionExpression: `attribute_exists(feedbackId) AND attribute_not_exists(erasedAt) AND ${versionHolds}`,
          ExpressionAttributeValues: {
            ':status': next.status,
            ':version': next.version,
            ':assignee': next.assignee,
            ':at': entry.at,
            ':by': entry.by,
            ':none': [],
            ':entry': [entry],
            ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
          },
        }),
      );
      return { written: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw classifyAwsError(error, 'DynamoDB UpdateItem (triage)');
      // Someone else's change won (or the feedback was deleted): answer the item as it is now.
      return { written: false, current: await this.read(next.feedbackId) };
    }
  }
}

/** The store the handler uses: the feedback table serverless.yml declares. */
export const triageStore: TriageStore = /* @__PURE__ */ new DynamoDbTriageStore(documents, () => config.feedbackTable());
