// GET /feedback/stats: how much feedback of each sentiment arrived per hour or per day, for the dashboard's chart.
//
// Cost is bounded: one Query per sentiment on the bySentiment index, limited to the window by its sort key
// (submittedAt), returning only submittedAt, newest first, reading at most MAX_PAGES_PER_SENTIMENT pages
// (DynamoDB pages hold at most 1 MB) per sentiment. So a request reads at most 4 x 4 MB whatever the table
// holds. When a sentiment has more in the window than that, its count is a lower bound: `complete` says so for
// the sentiment and for each bucket, and because the reads go newest first it is the oldest buckets that fall short.
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { perSentiment, SENTIMENTS, type Sentiment } from '../../shared/feedback.js';
import { choiceParameter, wholeNumberParameter, type QueryParameters } from '../../shared/query.js';

export type BucketUnit = 'hour' | 'day';

const UNIT_MS: Record<BucketUnit, number> = { hour: 3_600_000, day: 86_400_000 };

export const STATS_LIMITS = {
  buckets: {
    hour: { fallback: 24, max: 7 * 24 },
    day: { fallback: 14, max: 90 },
  },
  /** Query pages read per sentiment at most; each is at most 1 MB of index data. */
  maxPagesPerSentiment: 4,
} as const;

export interface StatsRequest {
  unit: BucketUnit;
  buckets: number;
  /** Start of the first bucket (inclusive). Buckets are aligned to whole UTC hours or days. */
  from: Date;
  /** End of the last bucket (exclusive): the end of the current hour or day. */
  to: Date;
}

export type SentimentCounts = Record<Sentiment, number>;

export interface StatsBucket {
  start: string;
  counts: SentimentCounts;
  /** False when the page cap cut the reads off inside or after this bucket: its counts are lower bounds. */
  complete: boolean;
}

export interface FeedbackStats {
  unit: BucketUnit;
  from: string;
  to: string;
  counts: SentimentCounts;
  complete: Record<Sentiment, boolean>;
  buckets: StatsBucket[];
}

/** What the reads found for one sentiment: submittedAt values newest first, and whether they reached the window's start. */
export interface SentimentReads {
  timestamps: string[];
  complete: boolean;
}

/** Reads `bucket` (hour or day, default day) and `buckets` (default 24 hours or 14 days; at most 168 or 90). */
export function parseStatsRequest(query: QueryParameters, now: Date): StatsRequest {
  const unit = choiceParameter<BucketUnit>(query, 'bucket', ['hour', 'day'], 'day');
  const { fallback, max } = STATS_LIMITS.buckets[unit];
  const buckets = wholeNumberParameter(query, 'buckets', { min: 1, max, fallback });
  const size = UNIT_MS[unit];
  const to = Math.floor(now.getTime() / size) * size + size;
  return { unit, buckets, from: new Date(to - buckets * size), to: new Date(to) };
}

/** One page of the Query for one sentiment's timestamps in the window. */
export function buildStatsQuery(
  sentiment: Sentiment,
  request: StatsRequest,
  tableName: string,
  indexName: string,
  exclusiveStartKey?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: indexName,
    KeyConditionExpression: '#sentiment = :sentiment AND #submittedAt BETWEEN :from AND :last',
    ProjectionExpression: '#submittedAt',
    ExpressionAttributeNames: { '#sentiment': 'sentiment', '#submittedAt': 'submittedAt' },
    ExpressionAttributeValues: {
      ':sentiment': sentiment,
      ':from': request.from.toISOString(),
      // BETWEEN is inclusive: the last millisecond before the window ends.
      ':last': new Date(request.to.getTime() - 1).toISOString(),
    },
    ScanIndexForward: false,
    ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
  };
}

const zeroCounts = (): SentimentCounts => perSentiment(() => 0);

export function summarizeStats(request: StatsRequest, reads: Record<Sentiment, SentimentReads>): FeedbackStats {
  const size = UNIT_MS[request.unit];
  const from = request.from.getTime();
  const buckets: StatsBucket[] = Array.from({ length: request.buckets }, (_, index) => ({
    start: new Date(from + index * size).toISOString(),
    counts: zeroCounts(),
    complete: true,
  }));
  const counts = zeroCounts();
  const complete = perSentiment(() => true);
  for (const sentiment of SENTIMENTS) {
    const { timestamps, complete: reachedStart } = reads[sentiment];
    complete[sentiment] = reachedStart;
    let oldest = Infinity;
    for (const timestamp of timestamps) {
      const time = Date.parse(timestamp);
      const bucket = buckets[Math.floor((time - from) / size)];
      if (!bucket) continue;
      bucket.counts[sentiment]++;
      counts[sentiment]++;
      oldest = Math.min(oldest, time);
    }
    if (!reachedStart) {
      // Everything newer than the oldest timestamp read was counted; its bucket and older ones may be short.
      for (const bucket of buckets) if (Date.parse(bucket.start) <= oldest) bucket.complete = false;
    }
  }
  return { unit: request.unit, from: request.from.toISOString(), to: request.to.toISOString(), counts, complete, buckets };
}
