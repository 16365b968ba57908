// GET /feedback and GET /feedback/stats: the triage dashboard's reads, from the table's bySentiment index.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { documents } from '../../shared/clients.js';
import { config } from '../../shared/config.js';
import { isTransientAwsError } from '../../shared/errors.js';
import { SENTIMENTS, type Sentiment } from '../../shared/feedback.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { traceHandler } from '../../shared/tracer.js';
import { buildListQuery, parseListRequest, toListPage, type FeedbackListPage } from './list.js';
import { BadRequestError } from '../../shared/query.js';
import { buildStatsQuery, parseStatsRequest, STATS_LIMITS, summarizeStats, type FeedbackStats, type SentimentReads, type StatsRequest } from './stats.js';

function answer(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    // Reader text: never cached by browsers or proxies.
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: JSON.stringify(body),
  };
}

async function readPage(query: APIGatewayProxyEventV2['queryStringParameters']): Promise<FeedbackListPage> {
  const request = parseListRequest(query);
  const output = await documents.send(new QueryCommand(buildListQuery(request, config.feedbackTable(), config.feedbackIndex())));
  const page = toListPage(request, output);
  logger.info('Feedback listed', { sentiment: request.sentiment, limit: request.limit, paged: Boolean(request.after), items: page.items.length });
  return page;
}

async function readTimestamps(sentiment: Sentiment, request: StatsRequest): Promise<SentimentReads> {
  const timestamps: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < STATS_LIMITS.maxPagesPerSentiment; page++) {
    const output = await documents.send(
      new QueryCommand(buildStatsQuery(sentiment, request, config.feedbackTable(), config.feedbackIndex(), startKey)),
    );
    for (const item of output.Items ?? []) if (typeof item.submittedAt === 'string') timestamps.push(item.submittedAt);
    startKey = output.LastEvaluatedKey;
    if (!startKey) return { timestamps, complete: true };
  }
  return { timestamps, complete: false };
}

async function readStats(query: APIGatewayProxyEventV2['queryStringParameters']): Promise<FeedbackStats> {
  const request = parseStatsRequest(query, new Date());
  const reads = await Promise.all(SENTIMENTS.map((sentiment) => readTimestamps(sentiment, request)));
  const stats = summarizeStats(request, Object.fromEntries(SENTIMENTS.map((sentiment, index) => [sentiment, reads[index]])) as Record<Sentiment, SentimentReads>);
  logger.info('Feedback counted', { unit: request.unit, buckets: request.buckets, counts: stats.counts, complete: stats.complete });
  return stats;
}

export const handler = lambdaHandler(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  // Both routes reach this function; a stage name may prefix the path.
  const path = event.requestContext?.http?.path ?? event.rawPath ?? '';
  try {
    const body = path.endsWith('/feedback/stats') ? await readStats(event.queryStringParameters) : await readPage(event.queryStringParameters);
    return answer(200, body);
  } catch (error) {
    if (error instanceof BadRequestError) {
      logger.info('Request refused', { field: error.field, reason: error.message });
      return answer(400, { message: error.message, field: error.field });
    }
    logger.error('Could not read feedback', { error: error as Error });
    return isTransientAwsError(error)
      ? answer(503, { message: 'feedback could not be read right now; please try again' })
      : answer(500, { message: 'feedback could not be read' });
  }
}).use(traceHandler());
