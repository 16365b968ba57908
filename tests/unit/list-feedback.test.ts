import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeCursor, encodeCursor, type IndexPosition } from '../../functions/feedback-triage/listFeedback/cursor.js';
import { MAX_CURSOR_CHARS } from '../../functions/shared/query.js';
import { handler } from '../../functions/feedback-triage/listFeedback/handler.js';
import { buildListQuery, parseListRequest, toListItem, toListPage } from '../../functions/feedback-triage/listFeedback/list.js';
import { BadRequestError } from '../../functions/shared/query.js';
import { buildStatsQuery, parseStatsRequest, STATS_LIMITS, summarizeStats, type SentimentReads } from '../../functions/feedback-triage/listFeedback/stats.js';
import type { Sentiment } from '../../functions/shared/feedback.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const position: IndexPosition = {
  feedbackId: '7a2d4e6f-1b3c-4d5e-8f9a-0b1c2d3e4f52',
  sentiment: 'NEGATIVE',
  submittedAt: '2026-11-20T18:09:47.000Z',
};
const base64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function record(index: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = index.toString(16).padStart(12, '0');
  return {
    feedbackId: `00000000-0000-4000-8000-${id}`,
    bookId: `book-${index}`,
    rating: 2,
    text: `Feedback number ${index}.\nIt   had\tseveral lines. ${'x'.repeat(300)}`,
    submittedAt: new Date(Date.UTC(2026, 10, 20, 12, 0, 0) - index * 60_000).toISOString(),
    sentiment: 'NEGATIVE',
    scores: { positive: 0.01, negative: 0.95, neutral: 0.03, mixed: 0.01 },
    alertStatus: 'SENT',
    ...overrides,
  };
}

const badRequest = (field: string, message: RegExp | string) =>
  expect.objectContaining({ name: 'BadRequestError', field, message: expect.stringMatching(message) });

describe('the list cursor', () => {
  it('round-trips an index position as base64url', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor.length).toBeLessThan(MAX_CURSOR_CHARS);
    expect(decodeCursor(cursor, 'NEGATIVE')).toEqual(position);
  });

  it('refuses a cursor made for another sentiment', () => {
    expect(() => decodeCursor(encodeCursor(position), 'MIXED')).toThrow(badRequest('cursor', /another list than sentiment=MIXED/));
  });

  it.each([
    ['not base64url', 'abc+/=='],
    ['not JSON', base64url('hello')],
    ['a JSON array', base64url([position])],
    ['JSON null', base64url('null')],
    ['a missing key', base64url({ feedbackId: position.feedbackId, sentiment: 'NEGATIVE' })],
    ['an extra key', base64url({ ...position, bookId: 'dune' })],
    ['an attribute in DynamoDB JSON', base64url({ ...position, feedbackId: { S: position.feedbackId } })],
    ['a number for a string', base64url({ ...position, submittedAt: 1763662187000 })],
    ['a feedbackId that is not a UUID', base64url({ ...position, feedbackId: 'x' })],
    ['a timestamp not in toISOString form', base64url({ ...position, submittedAt: '2026-11-20T18:09:47Z' })],
    ['an impossible date', base64url({ ...position, submittedAt: '2026-02-30T18:09:47.000Z' })],
    ['keys in another order', base64url({ submittedAt: position.submittedAt, sentiment: 'NEGATIVE', feedbackId: position.feedbackId })],
    ['a trailing character that decodes to the same JSON', `${encodeCursor(position)}A`],
    ['an over-long cursor', 'A'.repeat(MAX_CURSOR_CHARS + 4)],
  ])('refuses %s with a 400 naming the cursor', (_case, cursor) => {
    expect(() => decodeCursor(cursor, 'NEGATIVE')).toThrow(BadRequestError);
    expect(() => decodeCursor(cursor, 'NEGATIVE')).toThrow(badRequest('cursor', /^cursor is invalid/));
  });

  it('refuses a cursor with a flipped character', () => {
    const cursor = encodeCursor(position);
    const tampered = `${cursor.slice(0, 20)}${cursor[20] === 'A' ? 'B' : 'A'}${cursor.slice(21)}`;
    expect(() => decodeCursor(tampered, 'NEGATIVE')).toThrow(BadRequestError);
  });
});

describe('reading a list request', () => {
  it('needs only the sentiment, and pages 20 at a time by default', () => {
    expect(parseListRequest({ sentiment: 'MIXED' })).toEqual({ sentiment: 'MIXED', limit: 20 });
  });

  it('takes a limit up to 100 and a cursor of the same sentiment', () => {
    expect(parseListRequest({ sentiment: 'NEGATIVE', limit: '100', cursor: encodeCursor(position) })).toEqual({
      sentiment: 'NEGATIVE',
      limit: 100,
      after: position,
    });
  });

  it('treats empty parameters as absent', () => {
    expect(parseListRequest({ sentiment: 'NEGATIVE', limit: '', cursor: '' })).toEqual({ sentiment: 'NEGATIVE', limit: 20 });
  });

  it.each([
    [undefined, 'sentiment', /^sentiment is required/],
    [{}, 'sentiment', /^sentiment is required: one of POSITIVE, NEGATIVE, NEUTRAL, MIXED$/],
    [{ sentiment: 'negative' }, 'sentiment', /^sentiment must be one of/],
    [{ sentiment: 'NEGATIVE,MIXED' }, 'sentiment', /^sentiment must be one of/],
    [{ sentiment: 'NEGATIVE', limit: '0' }, 'limit', /^limit must be a whole number from 1 to 100$/],
    [{ sentiment: 'NEGATIVE', limit: '101' }, 'limit', /^limit must be a whole number from 1 to 100$/],
    [{ sentiment: 'NEGATIVE', limit: '2.5' }, 'limit', /^limit must be/],
    [{ sentiment: 'NEGATIVE', limit: '-1' }, 'limit', /^limit must be/],
    [{ sentiment: 'NEGATIVE', limit: '1e2' }, 'limit', /^limit must be/],
    [{ sentiment: 'NEGATIVE', cursor: 'nope!' }, 'cursor', /^cursor is invalid/],
  ])('refuses %j, naming %s', (query, parameter, message) => {
    expect(() => parseListRequest(query)).toThrow(badRequest(parameter, message));
  });
});

describe('the list query', () => {
  it('reads one sentiment from the index, newest first, one more item than the page', () => {
    const query = buildListQuery({ sentiment: 'NEGATIVE', limit: 20 }, 'feedback-test', 'bySentiment');
    expect(query).toMatchObject({
      TableName: 'feedback-test',
      IndexName: 'bySentiment',
      KeyConditionExpression: '#sentiment = :sentiment',
      ExpressionAttributeValues: { ':sentiment': 'NEGATIVE' },
      ScanIndexForward: false,
      Limit: 21,
    });
    expect(query.ExclusiveStartKey).toBeUndefined();
    const names = Object.values(query.ExpressionAttributeNames ?? {});
    expect(names.sort()).toEqual(['alertStatus', 'bookId', 'feedbackId', 'rating', 'scores', 'sentiment', 'submittedAt', 'text']);
    for (const alias of query.ProjectionExpression!.split(', ')) expect(query.ExpressionAttributeNames).toHaveProperty(alias);
  });

  it('starts after the cursor position, with exactly the index and table keys', () => {
    const query = buildListQuery({ sentiment: 'NEGATIVE', limit: 5, after: position }, 't', 'i');
    expect(query.ExclusiveStartKey).toEqual({ sentiment: 'NEGATIVE', submittedAt: position.submittedAt, feedbackId: position.feedbackId });
  });
});

describe('a list page', () => {
  it('shows a short single-line excerpt, never the full text or the reader', () => {
    const item = toListItem({ ...record(1), readerId: 'reader-1', truncated: false });
    expect(item).toEqual({
      feedbackId: '00000000-0000-4000-8000-000000000001',
      bookId: 'book-1',
      rating: 2,
      excerpt: expect.stringMatching(/^Feedback number 1\. It had several lines\. x+…$/),
      submittedAt: '2026-11-20T11:59:00.000Z',
      sentiment: 'NEGATIVE',
      scores: { positive: 0.01, negative: 0.95, neutral: 0.03, mixed: 0.01 },
      alertStatus: 'SENT',
    });
    expect(Array.from(item.excerpt)).toHaveLength(160);
  });

  it('leaves out a missing rating and malformed scores', () => {
    const item = toListItem(record(1, { rating: undefined, scores: { positive: '1' } }));
    expect(item).not.toHaveProperty('rating');
    expect(item).not.toHaveProperty('scores');
  });

  it('has a cursor at its last item when the extra item came back', () => {
    const request = { sentiment: 'NEGATIVE' as const, limit: 2 };
    const page = toListPage(request, { Items: [record(1), record(2), record(3)], LastEvaluatedKey: { any: 'thing' } });
    expect(page.items.map((item) => item.bookId)).toEqual(['book-1', 'book-2']);
    expect(decodeCursor(page.nextCursor!, 'NEGATIVE')).toEqual({
      feedbackId: record(2).feedbackId,
      sentiment: 'NEGATIVE',
      submittedAt: record(2).submittedAt,
    });
  });

  it('has no cursor on the last page, even when DynamoDB stopped exactly at the limit', () => {
    const request = { sentiment: 'NEGATIVE' as const, limit: 2 };
    expect(toListPage(request, { Items: [record(1), record(2)] })).toEqual({ items: expect.any(Array) });
    expect(toListPage(request, { Items: [] })).toEqual({ items: [] });
  });

  it('follows LastEvaluatedKey when DynamoDB stopped early at its 1 MB page', () => {
    const request = { sentiment: 'NEGATIVE' as const, limit: 20 };
    const key = { sentiment: 'NEGATIVE', submittedAt: record(2).submittedAt, feedbackId: record(2).feedbackId };
    const page = toListPage(request, { Items: [record(1), record(2)], LastEvaluatedKey: key });
    expect(page.items).toHaveLength(2);
    expect(decodeCursor(page.nextCursor!, 'NEGATIVE')).toEqual(key);
  });
});

describe('the stats window', () => {
  const now = new Date('2026-11-20T18:09:47.123Z');

  it('defaults to the last 14 whole UTC days, today included', () => {
    expect(parseStatsRequest({}, now)).toEqual({
      unit: 'day',
      buckets: 14,
      from: new Date('2026-11-07T00:00:00.000Z'),
      to: new Date('2026-11-21T00:00:00.000Z'),
    });
  });

  it('takes hours, 24 by default', () => {
    expect(parseStatsRequest({ bucket: 'hour' }, now)).toEqual({
      unit: 'hour',
      buckets: 24,
      from: new Date('2026-11-19T19:00:00.000Z'),
      to: new Date('2026-11-20T19:00:00.000Z'),
    });
  });

  it.each([
    [{ bucket: 'week' }, 'bucket', /^bucket must be one of hour, day$/],
    [{ bucket: 'hour', buckets: '169' }, 'buckets', /^buckets must be a whole number from 1 to 168$/],
    [{ buckets: '91' }, 'buckets', /^buckets must be a whole number from 1 to 90$/],
    [{ buckets: '0' }, 'buckets', /^buckets must be/],
  ])('refuses %j, naming %s', (query, parameter, message) => {
    expect(() => parseStatsRequest(query, now)).toThrow(badRequest(parameter, message));
  });

  it('queries one sentiment inside the window for submittedAt only, newest first', () => {
    const request = parseStatsRequest({ buckets: '2' }, now);
    expect(buildStatsQuery('MIXED', request, 't', 'bySentiment', { k: 1 })).toEqual({
      TableName: 't',
      IndexName: 'bySentiment',
      KeyConditionExpression: '#sentiment = :sentiment AND #submittedAt BETWEEN :from AND :last',
      ProjectionExpression: '#submittedAt',
      ExpressionAttributeNames: { '#sentiment': 'sentiment', '#submittedAt': 'submittedAt' },
      ExpressionAttributeValues: { ':sentiment': 'MIXED', ':from': '2026-11-19T00:00:00.000Z', ':last': '2026-11-20T23:59:59.999Z' },
      ScanIndexForward: false,
      ExclusiveStartKey: { k: 1 },
    });
  });
});

describe('summarizing the stats', () => {
  const request = parseStatsRequest({ buckets: '3' }, new Date('2026-11-20T18:00:00.000Z'));
  const none: SentimentReads = { timestamps: [], complete: true };
  const reads = (overrides: Partial<Record<Sentiment, SentimentReads>>) => ({ POSITIVE: none, NEGATIVE: none, NEUTRAL: none, MIXED: none, ...overrides });

  it('counts per sentiment and per bucket', () => {
    const stats = summarizeStats(
      request,
      reads({
        NEGATIVE: { timestamps: ['2026-11-20T10:00:00.000Z', '2026-11-20T00:00:00.000Z', '2026-11-18T00:00:00.000Z'], complete: true },
        POSITIVE: { timestamps: ['2026-11-19T23:59:59.999Z'], complete: true },
      }),
    );
    expect(stats).toEqual({
      unit: 'day',
      from: '2026-11-18T00:00:00.000Z',
      to: '2026-11-21T00:00:00.000Z',
      counts: { POSITIVE: 1, NEGATIVE: 3, NEUTRAL: 0, MIXED: 0 },
      complete: { POSITIVE: true, NEGATIVE: true, NEUTRAL: true, MIXED: true },
      buckets: [
        { start: '2026-11-18T00:00:00.000Z', counts: { POSITIVE: 0, NEGATIVE: 1, NEUTRAL: 0, MIXED: 0 }, complete: true },
        { start: '2026-11-19T00:00:00.000Z', counts: { POSITIVE: 1, NEGATIVE: 0, NEUTRAL: 0, MIXED: 0 }, complete: true },
        { start: '2026-11-20T00:00:00.000Z', counts: { POSITIVE: 0, NEGATIVE: 2, NEUTRAL: 0, MIXED: 0 }, complete: true },
      ],
    });
  });

  it('ignores timestamps outside the window or unreadable', () => {
    const stats = summarizeStats(request, reads({ MIXED: { timestamps: ['2026-11-21T00:00:00.000Z', '2026-11-17T23:59:59.999Z', 'soon'], complete: true } }));
    expect(stats.counts.MIXED).toBe(0);
  });

  it('marks a sentiment cut off by the page cap, and the buckets it may have short-counted', () => {
    const stats = summarizeStats(request, reads({ NEUTRAL: { timestamps: ['2026-11-20T09:00:00.000Z', '2026-11-19T12:00:00.000Z'], complete: false } }));
    expect(stats.complete).toEqual({ POSITIVE: true, NEGATIVE: true, NEUTRAL: false, MIXED: true });
    expect(stats.buckets.map((bucket) => bucket.complete)).toEqual([false, false, true]);
  });
});

describe('listFeedback handler', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const event = sampleEvent<APIGatewayProxyEventV2>('listFeedback');
  const context = lambdaContext('listFeedback');

  async function get(path: string, query?: Record<string, string>) {
    const result = (await handler(
      { ...event, rawPath: path, queryStringParameters: query, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path } } },
      context,
    )) as APIGatewayProxyStructuredResultV2;
    return { statusCode: result.statusCode, headers: result.headers, body: JSON.parse(String(result.body)) };
  }
  const queries = () => dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input as QueryCommandInput);

  beforeAll(() => {
    process.env.FEEDBACK_TABLE = 'feedback-test';
    process.env.FEEDBACK_INDEX = 'bySentiment';
  });
  beforeEach(() => dynamo.reset());

  it('answers the sample event with a page of negative feedback from the index', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [record(1), record(2)] });
    const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    const body = JSON.parse(String(result.body));
    expect(body.items.map((item: { bookId: string }) => item.bookId)).toEqual(['book-1', 'book-2']);
    expect(body).not.toHaveProperty('nextCursor');
    expect(queries()).toEqual([expect.objectContaining({ TableName: 'feedback-test', IndexName: 'bySentiment', Limit: 21, ScanIndexForward: false })]);
  });

  it('queries the index FEEDBACK_INDEX names', async () => {
    process.env.FEEDBACK_INDEX = 'bySentimentV2';
    try {
      dynamo.on(QueryCommand).resolves({ Items: [] });
      await get('/feedback', { sentiment: 'MIXED' });
      expect(queries()[0]?.IndexName).toBe('bySentimentV2');
    } finally {
      process.env.FEEDBACK_INDEX = 'bySentiment';
    }
  });

  it('pages: the next cursor starts the next Query where the page ended', async () => {
    dynamo.on(QueryCommand).resolvesOnce({ Items: [record(1), record(2), record(3)] }).resolvesOnce({ Items: [record(3)] });
    const first = await get('/feedback', { sentiment: 'NEGATIVE', limit: '2' });
    expect(first.body.items).toHaveLength(2);
    const second = await get('/feedback', { sentiment: 'NEGATIVE', limit: '2', cursor: first.body.nextCursor });
    expect(second.statusCode).toBe(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ bookId: 'book-3' })] });
    expect(queries()[1]?.ExclusiveStartKey).toEqual({ sentiment: 'NEGATIVE', submittedAt: record(2).submittedAt, feedbackId: record(2).feedbackId });
  });

  it.each([
    ['a tampered cursor', { sentiment: 'NEGATIVE', cursor: base64url({ ...position, feedbackId: { S: 'x' } }) }, 'cursor'],
    ["another sentiment's cursor", { sentiment: 'MIXED', cursor: encodeCursor(position) }, 'cursor'],
    ['no sentiment', undefined, 'sentiment'],
    ['an unknown sentiment', { sentiment: 'ANGRY' }, 'sentiment'],
    ['a limit over the cap', { sentiment: 'NEGATIVE', limit: '500' }, 'limit'],
  ])('answers %s with 400 naming the parameter, without reading the table', async (_case, query, parameter) => {
    const { statusCode, body } = await get('/feedback', query as Record<string, string> | undefined);
    expect(statusCode).toBe(400);
    expect(body).toEqual({ message: expect.stringMatching(new RegExp(`^${parameter} `)), field: parameter });
    expect(dynamo.calls()).toHaveLength(0);
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400, 503],
    ['ThrottlingException', 400, 503],
    ['InternalServerError', 500, 503],
    ['ResourceNotFoundException', 400, 500],
    ['AccessDeniedException', 400, 500],
    ['ValidationException', 400, 500],
  ])('answers DynamoDB %s (HTTP %d) with %d and no detail', async (name, status, expected) => {
    dynamo.on(QueryCommand).rejects(awsError(name, status));
    const { statusCode, body } = await get('/feedback', { sentiment: 'NEGATIVE' });
    expect(statusCode).toBe(expected);
    expect(body).toEqual({ message: expected === 503 ? 'feedback could not be read right now; please try again' : 'feedback could not be read' });
  });

  it('counts each sentiment over the window for the chart', async () => {
    const today = new Date().toISOString();
    dynamo.on(QueryCommand).callsFake((input: QueryCommandInput) =>
      Promise.resolve({ Items: input.ExpressionAttributeValues?.[':sentiment'] === 'NEGATIVE' ? [{ submittedAt: today }, { submittedAt: today }] : [] }),
    );
    const { statusCode, body } = await get('/feedback/stats', { bucket: 'hour', buckets: '6' });
    expect(statusCode).toBe(200);
    expect(body.counts).toEqual({ POSITIVE: 0, NEGATIVE: 2, NEUTRAL: 0, MIXED: 0 });
    expect(body.buckets).toHaveLength(6);
    // In the newest bucket (or the one before, should the hour turn during the test).
    expect(body.buckets[5].counts.NEGATIVE + body.buckets[4].counts.NEGATIVE).toBe(2);
    expect(queries().map((query) => query.ExpressionAttributeValues?.[':sentiment']).sort()).toEqual(['MIXED', 'NEGATIVE', 'NEUTRAL', 'POSITIVE']);
  });

  it('reads at most the page cap per sentiment and says the counts are incomplete', async () => {
    let page = 0;
    dynamo.on(QueryCommand).callsFake(() =>
      Promise.resolve({ Items: [{ submittedAt: new Date().toISOString() }], LastEvaluatedKey: { page: ++page } }),
    );
    const { statusCode, body } = await get('/feedback/stats');
    expect(statusCode).toBe(200);
    expect(queries()).toHaveLength(4 * STATS_LIMITS.maxPagesPerSentiment);
    expect(body.complete).toEqual({ POSITIVE: false, NEGATIVE: false, NEUTRAL: false, MIXED: false });
    expect(body.counts.NEGATIVE).toBe(STATS_LIMITS.maxPagesPerSentiment);
  });

  it('follows LastEvaluatedKey while pages remain under the cap', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ submittedAt: new Date().toISOString() }], LastEvaluatedKey: { next: 1 } })
      .resolves({ Items: [] });
    const { body } = await get('/feedback/stats');
    expect(queries()).toHaveLength(5);
    expect(queries().filter((query) => query.ExclusiveStartKey)).toEqual([expect.objectContaining({ ExclusiveStartKey: { next: 1 } })]);
    expect(Object.values(body.complete)).toEqual([true, true, true, true]);
  });

  it('answers 400 for bad stats parameters and 503 when DynamoDB throttles them', async () => {
    expect((await get('/feedback/stats', { bucket: 'minute' })).body).toEqual({ message: 'bucket must be one of hour, day', field: 'bucket' });
    dynamo.on(QueryCommand).rejects(awsError('ThrottlingException', 400));
    expect((await get('/feedback/stats')).statusCode).toBe(503);
  });
});
