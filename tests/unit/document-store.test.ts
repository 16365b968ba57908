// The documents store's conditional writes, run on dynalite (a DynamoDB engine, in memory on 127.0.0.1): the
// conditions themselves are what must be right, and a mock would only echo them back. Errors the service
// can answer are checked with a mocked client in document-store-errors.test.ts.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { DocumentRef } from '../../functions/document-moderation/shared/contract.js';

type Store = typeof import('../../functions/document-moderation/shared/document-store.js');

const TABLE = 'documents-store-test';
let server: Server;
let store: Store;
let sequence = 0;

const execution = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:documents:${name}`;
function newDocument(): DocumentRef {
  sequence += 1;
  return {
    documentId: `doc${String(sequence).padStart(29, '0')}`,
    bucket: 'documents-bucket',
    key: `uploads/${sequence}/handout.pdf`,
    etag: 'd41d8cd98f00b204e9800998ecf8427e',
    size: 2048,
  };
}
const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.DOCUMENTS_TABLE = TABLE;
  process.env.PROCESSING_CLAIM_SECONDS = '600';
  process.env.DOCUMENT_ALERT_CLAIM_SECONDS = '30';
  process.env.DOCUMENTS_RECENT_INDEX = 'recent';
  const admin = new DynamoDBClient({ endpoint });
  await admin.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'documentId', AttributeType: 'S' },
        { AttributeName: 'listing', AttributeType: 'S' },
        { AttributeName: 'receivedAt', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'documentId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'recent',
          KeySchema: [
            { AttributeName: 'listing', KeyType: 'HASH' },
            { AttributeName: 'receivedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  admin.destroy();
  // The store's client reads its endpoint when the module loads.
  store = await import('../../functions/document-moderation/shared/document-store.js');
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('claimDocument', () => {
  it('claims a new version as PROCESSING with a lease, and lets the same execution claim again', async () => {
    const document = newDocument();
    await expect(store.claimDocument(document, execution('a'), at('2026-11-20T10:00:00.000Z'))).resolves.toEqual({ claimed: true });
    const record = await store.readDocument(document.documentId);
    expect(record).toMatchObject({
      status: 'PROCESSING',
      key: document.key,
      size: 2048,
      executionArn: execution('a'),
      receivedAt: '2026-11-20T10:00:00.000Z',
      listing: 'DOCUMENT',
      processingExpiresAt: '2026-11-20T10:10:00.000Z',
    });
    // A retried AcceptDocument in the same execution.
    await expect(store.claimDocument(document, execution('a'), at('2026-11-20T10:00:05.000Z'))).resolves.toEqual({ claimed: true });
  });

  it('answers PROCESSING to another execution while the lease holds, and lets it take over once it lapses', async () => {
    const document = newDocument();
    await store.claimDocument(document, execution('a'), at('2026-11-20T10:00:00.000Z'));
    await expect(store.claimDocument(document, execution('b'), at('2026-11-20T10:05:00.000Z'))).resolves.toEqual({
      claimed: false,
      status: 'PROCESSING',
    });
    await expect(store.claimDocument(document, execution('b'), at('2026-11-20T10:10:01.000Z'))).resolves.toEqual({ claimed: true });
    const record = await store.readDocument(document.documentId);
    expect(record?.executionArn).toBe(execution('b'));
    expect(record?.receivedAt).toBe('2026-11-20T10:00:00.000Z');
  });

  it.each(['CLEAN', 'OFFENSIVE', 'REJECTED'] as const)('never reclaims a version decided %s', async (status) => {
    const document = newDocument();
    await store.recordVerdict({ document, status, executionArn: execution('a'), ...(status === 'REJECTED' ? { reason: 'too big' } : {}) }, new Date());
    await expect(store.claimDocument(document, execution('b'), new Date())).resolves.toEqual({ claimed: false, status });
  });

  it('reclaims a FAILED version for a rerun and clears the old error', async () => {
    const document = newDocument();
    await store.recordVerdict({ document, status: 'FAILED', executionArn: execution('a'), error: { name: 'TransientDependencyError', cause: 'throttled' } }, new Date());
    await expect(store.claimDocument(document, execution('b'), new Date())).resolves.toEqual({ claimed: true });
    const record = await store.readDocument(document.documentId);
    expect(record?.status).toBe('PROCESSING');
    expect(record?.error).toBeUndefined();
  });
});

describe('recordVerdict', () => {
  it('writes the final verdict with its details and ends the processing lease', async () => {
    const document = newDocument();
    await store.claimDocument(document, execution('a'), at('2026-11-20T10:00:00.000Z'));
    const flaggedImages = [{ imageKey: 'derived/x/images/p1.png', page: 1, labels: [{ name: 'Middle Finger', parentName: 'Rude Gestures', confidence: 97.5 }] }];
    await expect(
      store.recordVerdict(
        { document, status: 'OFFENSIVE', executionArn: execution('a'), pages: 3, imageCount: 1, imagesModerated: 1, flaggedImages, flaggedImageCount: 1 },
        at('2026-11-20T10:01:00.000Z'),
      ),
    ).resolves.toEqual({ recorded: true, status: 'OFFENSIVE' });
    const record = (await store.readDocument(document.documentId)) as unknown as Record<string, unknown>;
    expect(record).toMatchObject({ status: 'OFFENSIVE', pages: 3, flaggedImages, decidedAt: '2026-11-20T10:01:00.000Z', receivedAt: '2026-11-20T10:00:00.000Z' });
    expect(record.processingExpiresAt).toBeUndefined();
  });

  it('keeps a final verdict when a later run records another, and says which is kept', async () => {
    const document = newDocument();
    await store.recordVerdict({ document, status: 'CLEAN', executionArn: execution('a') }, new Date());
    await expect(
      store.recordVerdict({ document, status: 'FAILED', executionArn: execution('b'), error: { name: 'States.Timeout' } }, new Date()),
    ).resolves.toEqual({ recorded: false, status: 'CLEAN' });
    await expect(store.recordVerdict({ document, status: 'OFFENSIVE', executionArn: execution('c') }, new Date())).resolves.toEqual({
      recorded: false,
      status: 'CLEAN',
    });
    expect((await store.readDocument(document.documentId))?.executionArn).toBe(execution('a'));
  });

  it('replaces a FAILED verdict with a later success, without the failure left over', async () => {
    const document = newDocument();
    await store.recordVerdict({ document, status: 'FAILED', executionArn: execution('a'), error: { name: 'PermanentDependencyError', cause: 'denied' } }, new Date());
    await expect(store.recordVerdict({ document, status: 'CLEAN', executionArn: execution('b') }, new Date())).resolves.toEqual({
      recorded: true,
      status: 'CLEAN',
    });
    const record = await store.readDocument(document.documentId);
    expect(record?.status).toBe('CLEAN');
    expect(record?.error).toBeUndefined();
  });

  it('records a rejection for a version never claimed (refused before any claim)', async () => {
    const document = newDocument();
    await expect(
      store.recordVerdict({ document, status: 'REJECTED', executionArn: execution('a'), reason: 'the file is empty (0 bytes)' }, at('2026-11-20T11:00:00.000Z')),
    ).resolves.toEqual({ recorded: true, status: 'REJECTED' });
    expect(await store.readDocument(document.documentId)).toMatchObject({ reason: 'the file is empty (0 bytes)', receivedAt: '2026-11-20T11:00:00.000Z' });
  });
});

describe('alert claims', () => {
  it('lets one delivery claim each kind, marks it sent, and answers already-sent afterwards', async () => {
    const document = newDocument();
    await store.claimDocument(document, execution('a'), new Date());
    const now = at('2026-11-20T10:00:00.000Z');
    await expect(store.claimAlert(document.documentId, 'images', 'token-1', now)).resolves.toBe('claimed');
    await expect(store.claimAlert(document.documentId, 'images', 'token-2', now)).resolves.toBe('in-progress');
    // The other kind is claimed on its own.
    await expect(store.claimAlert(document.documentId, 'text', 'token-3', now)).resolves.toBe('claimed');
    await store.markAlertSent(document.documentId, 'images', 'token-1', 'message-1', now);
    await expect(store.claimAlert(document.documentId, 'images', 'token-4', at('2026-11-20T12:00:00.000Z'))).resolves.toBe('already-sent');
    expect(await store.readDocument(document.documentId)).toMatchObject({
      imageAlertStatus: 'SENT',
      imageAlertMessageId: 'message-1',
      textAlertStatus: 'PUBLISHING',
    });
  });

  it('lets another delivery take over a claim whose lease ran out, and ignores the late SENT of the first', async () => {
    const document = newDocument();
    await store.claimDocument(document, execution('a'), new Date());
    await store.claimAlert(document.documentId, 'text', 'first', at('2026-11-20T10:00:00.000Z'));
    await expect(store.claimAlert(document.documentId, 'text', 'second', at('2026-11-20T10:00:31.000Z'))).resolves.toBe('claimed');
    await expect(store.markAlertSent(document.documentId, 'text', 'first', 'late', new Date())).resolves.toBeUndefined();
    const record = (await store.readDocument(document.documentId)) as unknown as Record<string, unknown>;
    expect(record.textAlertStatus).toBe('PUBLISHING');
    expect(record.textAlertClaimToken).toBe('second');
  });

  it('gives a claim back on release, so the next delivery may claim at once; a stale token releases nothing', async () => {
    const document = newDocument();
    await store.claimDocument(document, execution('a'), new Date());
    const now = at('2026-11-20T10:00:00.000Z');
    await store.claimAlert(document.documentId, 'images', 'holder', now);
    await store.releaseAlert(document.documentId, 'images', 'someone-else');
    await expect(store.claimAlert(document.documentId, 'images', 'next', now)).resolves.toBe('in-progress');
    await store.releaseAlert(document.documentId, 'images', 'holder');
    await expect(store.claimAlert(document.documentId, 'images', 'next', now)).resolves.toBe('claimed');
  });
});

describe('listRecent', () => {
  it('pages through verdicts newest first, with a next position only while more remain', async () => {
    const documents = [newDocument(), newDocument(), newDocument()];
    for (const [index, document] of documents.entries()) {
      await store.recordVerdict({ document, status: 'CLEAN', executionArn: execution(`list-${index}`) }, at(`2030-01-0${index + 1}T00:00:00.000Z`));
    }
    const first = await store.listRecent(2);
    expect(first.verdicts.map((verdict) => verdict.documentId)).toEqual([documents[2]?.documentId, documents[1]?.documentId]);
    expect(first.next).toEqual({ documentId: documents[1]?.documentId, receivedAt: '2030-01-02T00:00:00.000Z' });
    const second = await store.listRecent(1, first.next);
    expect(second.verdicts.map((verdict) => verdict.documentId)).toEqual([documents[0]?.documentId]);
    // Older records from the other tests follow: the position continues through them.
    expect(second.next).toBeDefined();
  });
});
