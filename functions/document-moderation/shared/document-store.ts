// The documents table behind one module: each document version's verdict record, the claims that make
// moderation and alerts happen once per version, and the recent-verdicts list the dashboard reads.
//
// Every write is conditional. A DynamoDB ConditionalCheckFailedException is never an error here: it is the
// answer "someone got there first", and the functions read the record to say who.
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../../shared/clients.js';
import { classifyAwsError, isConditionFailure, TransientDependencyError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import { documentConfig } from './config.js';
import type { DocumentRef, DocumentVerdict, FlaggedImage, VerdictStatus } from './contract.js';

export type FinalStatus = Exclude<VerdictStatus, 'PROCESSING'>;
export type AlertKind = 'images' | 'text';

/** The constant partition key of the recent-verdicts index: every listed record carries it. */
export const LISTING = 'DOCUMENT';

/** Where a page of the recent-verdicts list ends: the index's key and the table's. */
export interface RecentPosition {
  documentId: string;
  receivedAt: string;
}

/** What a finished workflow knows about a document, written once as its final verdict. */
export interface FinalVerdict {
  document: DocumentRef;
  status: FinalStatus;
  executionArn: string;
  reason?: string;
  error?: { name: string; cause?: string };
  pages?: number;
  imageCount?: number;
  imagesModerated?: number;
  flaggedImages?: FlaggedImage[];
  flaggedImageCount?: number;
  undecodableImages?: number;
  text?: DocumentVerdict['text'];
}

export type ClaimResult = { claimed: true } | { claimed: false; status: VerdictStatus };
export type RecordResult = { recorded: boolean; status: FinalStatus };
export type AlertClaim = 'claimed' | 'already-sent' | 'in-progress';

const ALERT_ATTRIBUTES: Record<AlertKind, { status: string; token: string; expires: string; messageId: string; sentAt: string }> = {
  images: {
    status: 'imageAlertStatus',
    token: 'imageAlertClaimToken',
    expires: 'imageAlertClaimExpiresAt',
    messageId: 'imageAlertMessageId',
    sentAt: 'imageAlertSentAt',
  },
  text: {
    status: 'textAlertStatus',
    token: 'textAlertClaimToken',
    expires: 'textAlertClaimExpiresAt',
    messageId: 'textAlertMessageId',
    sentAt: 'textAlertSentAt',
  },
};

/**
 * An UpdateExpression that sets every defined value (undefined ones are left out, as DynamoDB refuses a
 * placeholder without a value). Every attribute goes through a name placeholder: key, size, status,
 * error and text are DynamoDB reserved words.
 */
class Update {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];

  name(attribute: string): string {
    this.names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  }

  value(placeholder: string, value: unknown): string {
    this.values[`:${placeholder}`] = value;
    return `:${placeholder}`;
  }

  set(fields: Record<string, unknown>): this {
    for (const [attribute, value] of Object.entries(fields)) {
      if (value !== undefined) this.sets.push(`${this.name(attribute)} = ${this.value(attribute, value)}`);
    }
    return this;
  }

  setIfAbsent(attribute: string, value: unknown): this {
    const name = this.name(attribute);
    this.sets.push(`${name} = if_not_exists(${name}, ${this.value(attribute, value)})`);
    return this;
  }

  remove(...attributes: string[]): this {
    for (const attribute of attributes) this.removes.push(this.name(attribute));
    return this;
  }

  expression(): string {
    const parts = [`SET ${this.sets.join(', ')}`];
    if (this.removes.length > 0) parts.push(`REMOVE ${this.removes.join(', ')}`);
    return parts.join(' ');
  }
}

/**
 * Applies `update` to the document's record if `condition` holds. False when it did not: the answer "someone got
 * there first", never an error here. Any other failure is classified for the workflow's Retry and Catch.
 */
async function updateIf(documentId: string, update: Update, condition: string, operation: string, expression = update.expression()): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: documentConfig.table(),
        Key: { documentId },
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: update.values,
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw classifyAwsError(error, `DynamoDB UpdateItem (${operation})`);
    return false;
  }
}

async function send<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyAwsError(error, operation);
  }
}

/** The record as stored, or undefined. Strongly consistent: it follows a conditional write that lost. */
export async function readDocument(documentId: string): Promise<DocumentVerdict | undefined> {
  const { Item } = await send('DynamoDB GetItem (document)', () =>
    documents.send(new GetCommand({ TableName: documentConfig.table(), Key: { documentId }, ConsistentRead: true })),
  );
  return Item as DocumentVerdict | undefined;
}

async function currentStatus(documentId: string): Promise<VerdictStatus> {
  const status = (await readDocument(documentId))?.status;
  // The write that lost its condition saw a record; one gone a moment later is a race worth retrying.
  if (!status) throw new TransientDependencyError(`Document ${documentId} changed while it was being claimed`);
  return status;
}

/**
 * Claims the document version for this execution: PROCESSING with a lease. Succeeds on a new version, after
 * a FAILED verdict (a rerun), again for the same execution (a retried AcceptDocument), or when another
 * execution's lease has run out (it timed out or was stopped). Otherwise answers the status found.
 */
export async function claimDocument(document: DocumentRef, executionArn: string, now: Date): Promise<ClaimResult> {
  const update = new Update()
    .set({
      bucket: document.bucket,
      key: document.key,
      versionId: document.versionId,
      etag: document.etag,
      size: document.size,
      status: 'PROCESSING',
      executionArn,
      processingExpiresAt: new Date(now.getTime() + documentConfig.processingClaimSeconds() * 1000).toISOString(),
      listing: LISTING,
    })
    .setIfAbsent('receivedAt', now.toISOString())
    .remove('reason', 'error', 'decidedAt');
  const status = update.name('status');
  const expires = update.name('processingExpiresAt');
  const owner = update.name('executionArn');
  const condition =
    `attribute_not_exists(${status}) OR ${status} = ${update.value('failed', 'FAILED')} OR ` +
    `(${status} = ${update.value('processing', 'PROCESSING')} AND (${owner} = ${update.value('owner', executionArn)} OR ${expires} < ${update.value('now', now.toISOString())}))`;
  if (await updateIf(document.documentId, update, condition, 'claim document')) return { claimed: true };
  return { claimed: false, status: await currentStatus(document.documentId) };
}

/**
 * Writes the final verdict. A final verdict already there (CLEAN, OFFENSIVE, REJECTED) is never replaced, so
 * a late or repeated run cannot overwrite it; a FAILED one is, so a rerun that succeeds wins. Answers the
 * status the record holds afterwards.
 */
export async function recordVerdict(verdict: FinalVerdict, now: Date): Promise<RecordResult> {
  const { document } = verdict;
  const update = new Update()
    .set({
      bucket: document.bucket,
      key: document.key,
      versionId: document.versionId,
      etag: document.etag,
      size: document.size,
      status: verdict.status,
      decidedAt: now.toISOString(),
      executionArn: verdict.executionArn,
      reason: verdict.reason,
      error: verdict.error,
      pages: verdict.pages,
      imageCount: verdict.imageCount,
      imagesModerated: verdict.imagesModerated,
      flaggedImages: verdict.flaggedImages,
      flaggedImageCount: verdict.flaggedImageCount,
      undecodableImages: verdict.undecodableImages,
      text: verdict.text,
      listing: LISTING,
    })
    .setIfAbsent('receivedAt', now.toISOString())
    .remove('processingExpiresAt');
  // A verdict replacing a FAILED one must not keep that failure's leftovers.
  if (verdict.reason === undefined) update.remove('reason');
  if (verdict.error === undefined) update.remove('error');
  const status = update.name('status');
  const condition = `attribute_not_exists(${status}) OR ${status} IN (${update.value('processing', 'PROCESSING')}, ${update.value('failed', 'FAILED')})`;
  if (await updateIf(document.documentId, update, condition, 'record verdict')) return { recorded: true, status: verdict.status };
  return { recorded: false, status: (await currentStatus(document.documentId)) as FinalStatus };
}

/**
 * Claims the right to publish this kind of alert for the document version: no alert yet -> PUBLISHING with a
 * token and a lease of alertClaimSeconds. An expired lease (a delivery that crashed mid-publish) may be taken
 * over. Answers who holds the alert otherwise.
 */
export async function claimAlert(documentId: string, kind: AlertKind, token: string, now: Date): Promise<AlertClaim> {
  const attributes = ALERT_ATTRIBUTES[kind];
  const update = new Update().set({
    [attributes.status]: 'PUBLISHING',
    [attributes.token]: token,
    [attributes.expires]: new Date(now.getTime() + documentConfig.alertClaimSeconds() * 1000).toISOString(),
  });
  const status = update.name(attributes.status);
  const expires = update.name(attributes.expires);
  const condition = `attribute_not_exists(${status}) OR (${status} = ${update.value('publishing', 'PUBLISHING')} AND ${expires} < ${update.value('now', now.toISOString())})`;
  if (await updateIf(documentId, update, condition, 'claim alert')) return 'claimed';
  const record = (await readDocument(documentId)) as Record<string, unknown> | undefined;
  return record?.[attributes.status] === 'SENT' ? 'already-sent' : 'in-progress';
}

/** Marks the alert sent, if this delivery still holds the claim. */
export async function markAlertSent(documentId: string, kind: AlertKind, token: string, messageId: string, now: Date): Promise<void> {
  const attributes = ALERT_ATTRIBUTES[kind];
  const update = new Update()
    .set({ [attributes.status]: 'SENT', [attributes.messageId]: messageId, [attributes.sentAt]: now.toISOString() })
    .remove(attributes.token, attributes.expires);
  const condition = `${update.name(attributes.token)} = ${update.value('token', token)}`;
  if (!(await updateIf(documentId, update, condition, 'mark alert sent'))) {
    // Our lease ran out while we published and another delivery took the claim: the message is out, and
    // that delivery will publish once more. Failing here would only add a third.
    logger.warn('The alert claim was taken over during publish', { documentId, kind, messageId });
  }
}

/** Gives the claim back after a failed publish, so a retry need not wait for the lease to run out. */
export async function releaseAlert(documentId: string, kind: AlertKind, token: string): Promise<void> {
  const attributes = ALERT_ATTRIBUTES[kind];
  const update = new Update();
  const tokenName = update.name(attributes.token);
  const expression = `REMOVE ${update.name(attributes.status)}, ${tokenName}, ${update.name(attributes.expires)}`;
  const condition = `${tokenName} = ${update.value('token', token)}`;
  // The lease expires by itself; a failed release only delays the retry.
  try {
    if (!(await updateIf(documentId, update, condition, 'release alert', expression))) {
      logger.warn('Could not release the alert claim', { documentId, kind, error: 'ConditionalCheckFailedException' });
    }
  } catch (error) {
    logger.warn('Could not release the alert claim', { documentId, kind, error: ((error as Error).cause as Error | undefined)?.name ?? (error as Error).name });
  }
}

/**
 * One page of verdicts, newest first, from the recent index. Asks for one record more than the page holds:
 * when it exists there is a next page, and when it does not the answer carries no position to an empty page.
 */
export async function listRecent(limit: number, after?: RecentPosition): Promise<{ verdicts: DocumentVerdict[]; next?: RecentPosition }> {
  const output = await send('DynamoDB Query (recent documents)', () =>
    documents.send(
      new QueryCommand({
        TableName: documentConfig.table(),
        IndexName: documentConfig.recentIndex(),
        KeyConditionExpression: '#listing = :listing',
        ExpressionAttributeNames: { '#listing': 'listing' },
        ExpressionAttributeValues: { ':listing': LISTING },
        ScanIndexForward: false,
        Limit: limit + 1,
        ...(after ? { ExclusiveStartKey: { listing: LISTING, receivedAt: after.receivedAt, documentId: after.documentId } } : {}),
      }),
    ),
  );
  const records = (output.Items ?? []) as DocumentVerdict[];
  const verdicts = records.slice(0, limit);
  const last = verdicts[verdicts.length - 1];
  if (records.length > limit && last) return { verdicts, next: { documentId: last.documentId, receivedAt: last.receivedAt } };
  const key = output.LastEvaluatedKey;
  // DynamoDB stopped early (its 1 MB page) with fewer records than asked: go on from where it stopped.
  if (key && typeof key.documentId === 'string' && typeof key.receivedAt === 'string') {
    return { verdicts, next: { documentId: key.documentId, receivedAt: key.receivedAt } };
  }
  return { verdicts };
}

