import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/document-moderation/listDocuments/handler.js';
import { decodeCursor, encodeCursor, FLAGGED_IMAGES_PER_ITEM, toDocumentListItem } from '../../functions/document-moderation/listDocuments/list.js';
import { MAX_CURSOR_CHARS } from '../../functions/shared/query.js';
import type { DocumentVerdict } from '../../functions/document-moderation/shared/contract.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const event = sampleEvent<APIGatewayProxyEventV2>('listDocuments');
const context = lambdaContext('listDocuments');
const position = { documentId: '9ff3f561c78932682ec1e2b19aac1714', receivedAt: '2026-11-20T18:12:04.512Z' };
const base64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function verdict(index: number, overrides: Partial<DocumentVerdict> = {}): Record<string, unknown> {
  return {
    documentId: index.toString(16).padStart(32, '0'),
    listing: 'DOCUMENT',
    bucket: 'documents-bucket',
    key: `uploads/${index}/handout-${index}.pdf`,
    size: 1000 + index,
    status: 'CLEAN',
    receivedAt: new Date(Date.UTC(2026, 10, 20, 12) - index * 60_000).toISOString(),
    decidedAt: new Date(Date.UTC(2026, 10, 20, 12, 0, 30) - index * 60_000).toISOString(),
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:documents:x',
    imageAlertClaimToken: 'secret-token',
    ...overrides,
  };
}

async function list(query: Record<string, string> | undefined) {
  const result = (await handler({ ...event, queryStringParameters: query }, context)) as APIGatewayProxyStructuredResultV2;
  return { statusCode: result.statusCode, body: JSON.parse(String(result.body)) as Record<string, unknown> };
}

beforeAll(() => {
  process.env.DOCUMENTS_TABLE = 'documents-test';
  process.env.DOCUMENTS_RECENT_INDEX = 'recent';
});
beforeEach(() => dynamo.reset());

describe('the documents cursor', () => {
  it('round-trips a position as base64url', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor.length).toBeLessThan(MAX_CURSOR_CHARS);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64url', 'abc+/=='],
    ['not JSON', base64url('not json')],
    ['an array', base64url([1])],
    ['extra fields', base64url({ ...position, listing: 'DOCUMENT' })],
    ['a forged id', base64url({ documentId: 'x"; DROP', receivedAt: position.receivedAt })],
    ['a bad timestamp', base64url({ documentId: position.documentId, receivedAt: 'yesterday' })],
    ['another key order', base64url(`{"receivedAt":"${position.receivedAt}","documentId":"${position.documentId}"}`)],
    ['something too long', 'a'.repeat(MAX_CURSOR_CHARS + 1)],
  ])('refuses %s with a 400-style error naming the cursor', (_case, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ name: 'BadRequestError', field: 'cursor' }));
  });
});

describe('toDocumentListItem', () => {
  it('shows the verdict, its findings and alert status, and no claim tokens or excerpts', () => {
    const flaggedImages = Array.from({ length: 14 }, (_, index) => ({
      imageKey: `derived/x/${index}.png`,
      page: index + 1,
      labels: [{ name: 'Middle Finger', parentName: 'Rude Gestures', confidence: 90 }],
    }));
    const item = toDocumentListItem(
      verdict(1, {
        status: 'OFFENSIVE',
        pages: 20,
        imageCount: 40,
        imagesModerated: 39,
        flaggedImages,
        flaggedImageCount: 70,
        imageAlertStatus: 'SENT',
        text: {
          calls: 1,
          segmentsChecked: 3,
          truncated: false,
          language: 'en',
          languageSupported: true,
          toxicity: 0.92,
          labels: [{ name: 'INSULT', score: 0.92 }],
          offensive: true,
          excerpts: ['something rude'],
          characters: 2000,
          pagesWithoutText: 0,
        },
        textAlertStatus: 'PUBLISHING',
      }) as unknown as DocumentVerdict,
    );
    expect(item).toMatchObject({
      fileName: 'handout-1.pdf',
      status: 'OFFENSIVE',
      pages: 20,
      flaggedImageCount: 70,
      alerts: { images: 'SENT', text: 'PUBLISHING' },
      text: { language: 'en', languageSupported: true, toxicity: 0.92, labels: [{ name: 'INSULT', score: 0.92 }] },
    });
    expect(item.flaggedImages).toHaveLength(FLAGGED_IMAGES_PER_ITEM);
    expect(item.flaggedImages[0]).toEqual({ page: 1, labels: ['Middle Finger'] });
    expect(JSON.stringify(item)).not.toMatch(/secret-token|something rude/);
    // The page links the execution that decided the verdict.
    expect(item.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:documents:x');
  });

  it('shows a rejection reason, and a failure by name with a short cause', () => {
    expect(toDocumentListItem(verdict(2, { status: 'REJECTED', reason: 'the file is empty (0 bytes)' }) as unknown as DocumentVerdict)).toMatchObject({
      status: 'REJECTED',
      reason: 'the file is empty (0 bytes)',
    });
    const failed = toDocumentListItem(verdict(3, { status: 'FAILED', error: { name: 'PermanentDependencyError', cause: 'x'.repeat(900) } }) as unknown as DocumentVerdict);
    expect(failed.error?.name).toBe('PermanentDependencyError');
    expect(failed.error?.cause?.length).toBe(200);
  });
});

describe('listDocuments handler', () => {
  it('queries the recent index newest first, one record more than the page, and pages on with a cursor', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [verdict(1), verdict(2), verdict(3)] });
    const { statusCode, body } = await list({ limit: '2' });
    expect(statusCode).toBe(200);
    const query = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query).toMatchObject({ TableName: 'documents-test', IndexName: 'recent', ScanIndexForward: false, Limit: 3, ExpressionAttributeValues: { ':listing': 'DOCUMENT' } });
    const items = body.items as Record<string, unknown>[];
    expect(items.map((item) => item.documentId)).toEqual([verdict(1).documentId, verdict(2).documentId]);
    expect(decodeCursor(String(body.nextCursor))).toEqual({ documentId: verdict(2).documentId, receivedAt: verdict(2).receivedAt });

    dynamo.reset();
    dynamo.on(QueryCommand).resolves({ Items: [verdict(3)] });
    const next = await list({ limit: '2', cursor: String(body.nextCursor) });
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.ExclusiveStartKey).toEqual({
      listing: 'DOCUMENT',
      documentId: verdict(2).documentId,
      receivedAt: verdict(2).receivedAt,
    });
    expect(next.body.nextCursor).toBeUndefined();
  });

  it('goes on from where DynamoDB stopped when its page limit cut the answer short', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [verdict(1)], LastEvaluatedKey: { documentId: verdict(1).documentId, receivedAt: verdict(1).receivedAt, listing: 'DOCUMENT' } });
    const { body } = await list(undefined);
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.Limit).toBe(21);
    expect(decodeCursor(String(body.nextCursor)).documentId).toBe(verdict(1).documentId);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ cursor: 'not-a-cursor' }, 'cursor'],
  ])('answers %j with 400 naming the parameter', async (query, parameter) => {
    const { statusCode, body } = await list(query);
    expect(statusCode).toBe(400);
    expect(body.field).toBe(parameter);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400, 503],
    ['InternalServerError', 500, 503],
    ['AccessDeniedException', 400, 500],
    ['ResourceNotFoundException', 400, 500],
  ])('answers DynamoDB %s (HTTP %d) with %d and no detail', async (name, status, expected) => {
    dynamo.on(QueryCommand).rejects(awsError(name, status));
    const { statusCode, body } = await list(undefined);
    expect(statusCode).toBe(expected);
    expect(JSON.stringify(body)).not.toContain(name);
  });
});
