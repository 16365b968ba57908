// GET /feedback: one page of stored feedback of one sentiment, newest first, from the bySentiment index.
import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { excerpt, type Sentiment, type SentimentScores } from '../../shared/feedback.js';
import { decodeCursor, encodeCursor, type IndexPosition } from './cursor.js';
import { parameter, wholeNumberParameter, type QueryParameters } from '../../shared/query.js';
import { sentimentParameter } from './request.js';

export const LIST_LIMITS = { defaultLimit: 20, maxLimit: 100 } as const;

export interface ListRequest {
  sentiment: Sentiment;
  limit: number;
  /** Where the previous page ended; the first page when absent. */
  after?: IndexPosition;
}

export interface FeedbackListItem {
  feedbackId: string;
  bookId: string;
  rating?: number;
  /** A short single-line excerpt of the reader's text: the full text never leaves the table through this API. */
  excerpt: string;
  submittedAt: string;
  sentiment: Sentiment;
  scores?: SentimentScores;
  alertStatus: string;
}

export interface FeedbackListPage {
  items: FeedbackListItem[];
  /** Present when more items may follow: pass it back as `cursor` with the same sentiment. */
  nextCursor?: string;
}

/** Reads `sentiment` (required), `limit` (1..100, default 20; over 100 is a 400) and `cursor`. */
export function parseListRequest(query: QueryParameters): ListRequest {
  const sentiment = sentimentParameter(query);
  const limit = wholeNumberParameter(query, 'limit', { min: 1, max: LIST_LIMITS.maxLimit, fallback: LIST_LIMITS.defaultLimit });
  const cursor = parameter(query, 'cursor');
  return cursor === undefined ? { sentiment, limit } : { sentiment, limit, after: decodeCursor(cursor, sentiment) };
}

const LIST_ATTRIBUTES = ['feedbackId', 'bookId', 'rating', 'text', 'submittedAt', 'sentiment', 'scores', 'alertStatus'] as const;

/**
 * The Query for one page. It asks for one item more than the page holds: when that item exists there is a
 * next page, and when it does not the answer carries no cursor (rather than a cursor to an empty page).
 */
export function buildListQuery(request: ListRequest, tableName: string, indexName: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: indexName,
    KeyConditionExpression: '#sentiment = :sentiment',
    ProjectionExpression: LIST_ATTRIBUTES.map((name) => `#${name}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(LIST_ATTRIBUTES.map((name) => [`#${name}`, name])),
    ExpressionAttributeValues: { ':sentiment': request.sentiment },
    ScanIndexForward: false,
    Limit: request.limit + 1,
    ...(request.after
      ? {
          ExclusiveStartKey: {
            sentiment: request.after.sentiment,
            submittedAt: request.after.submittedAt,
            feedbackId: request.after.feedbackId,
          },
        }
      : {}),
  };
}

function scoresOf(value: unknown): SentimentScores | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { positive, negative, neutral, mixed } = value as Record<string, unknown>;
  const all = [positive, negative, neutral, mixed];
  return all.every((score) => typeof score === 'number') ? ({ positive, negative, neutral, mixed } as SentimentScores) : undefined;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** What the list shows of a stored record: its excerpt, never the full text or the reader's id. */
export function toListItem(item: Record<string, unknown>): FeedbackListItem {
  const listItem: FeedbackListItem = {
    feedbackId: text(item.feedbackId),
    bookId: text(item.bookId),
    excerpt: excerpt(text(item.text)),
    submittedAt: text(item.submittedAt),
    sentiment: text(item.sentiment) as Sentiment,
    alertStatus: text(item.alertStatus),
  };
  if (typeof item.rating === 'number') listItem.rating = item.rating;
  const scores = scoresOf(item.scores);
  if (scores) listItem.scores = scores;
  return listItem;
}

export function toListPage(request: ListRequest, output: Pick<QueryCommandOutput, 'Items' | 'LastEvaluatedKey'>): FeedbackListPage {
  const records = output.Items ?? [];
  const items = records.slice(0, request.limit).map(toListItem);
  let next: IndexPosition | undefined;
  if (records.length > request.limit) {
    // The extra item exists: the page ends at the last item shown.
    const last = items[items.length - 1] as FeedbackListItem;
    next = { feedbackId: last.feedbackId, sentiment: request.sentiment, submittedAt: last.submittedAt };
  } else if (output.LastEvaluatedKey) {
    // DynamoDB stopped early (its 1 MB page limit) with fewer items than asked: go on from where it stopped.
    const key = output.LastEvaluatedKey;
    next = { feedbackId: text(key.feedbackId), sentiment: request.sentiment, submittedAt: text(key.submittedAt) };
  }
  return next ? { items, nextCursor: encodeCursor(next) } : { items };
}
