// The local stack's request-rate quotas: a token bucket per operation, and the Comprehend stand-in answering a
// call over its quota exactly as AWS does (HTTP 400, __type ThrottlingException, "Rate exceeded").
import { BatchDetectSentimentCommand, ComprehendClient, DetectSentimentCommand } from '@aws-sdk/client-comprehend';
import { startComprehendServer, type ComprehendServer } from '../../local/comprehend/server.js';
import { OperationQuotas, parseRateQuotas, TokenBucket } from '../../local/quota/token-bucket.js';
import { throughputCeiling, triageQuotaSettings } from '../../local/quota/triage-quotas.js';
import { loadServiceDefinition } from '../../local/service-definition.js';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  it('lets a full second of requests through at once, then refills at the rate', () => {
    const time = clock();
    const bucket = new TokenBucket(20, undefined, time.now);
    const burst = Array.from({ length: 25 }, () => bucket.tryTake());
    expect(burst.filter(Boolean)).toHaveLength(20);
    time.advance(100);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
  });

  it('never holds more than its capacity, however long it rests', () => {
    const time = clock();
    const bucket = new TokenBucket(5, 5, time.now);
    time.advance(60_000);
    expect(Array.from({ length: 10 }, () => bucket.tryTake()).filter(Boolean)).toHaveLength(5);
  });

  it('over a long run admits the rate, not more', () => {
    const time = clock();
    const bucket = new TokenBucket(20, undefined, time.now);
    let admitted = 0;
    // 10 s of a caller asking every millisecond.
    for (let ms = 0; ms < 10_000; ms++) {
      if (bucket.tryTake()) admitted++;
      time.advance(1);
    }
    expect(admitted).toBeGreaterThanOrEqual(20 * 10);
    expect(admitted).toBeLessThanOrEqual(20 * 10 + 20);
  });

  it.each([0, -1, Number.NaN, Infinity])('refuses a rate of %d', (rate) => {
    expect(() => new TokenBucket(rate)).toThrow(/positive number/);
  });
});

describe('OperationQuotas', () => {
  it('throttles each operation on its own bucket and counts the refusals', () => {
    const time = clock();
    const quotas = new OperationQuotas({ DetectSentiment: 2, BatchDetectSentiment: 1 }, time.now);
    const results = ['DetectSentiment', 'DetectSentiment', 'DetectSentiment', 'BatchDetectSentiment', 'BatchDetectSentiment', 'DetectDominantLanguage'].map((op) =>
      quotas.admit(op),
    );
    expect(results).toEqual([true, true, false, true, false, true]);
    expect(quotas.throttled()).toEqual({ DetectSentiment: 1, BatchDetectSentiment: 1 });
  });
});

describe('parseRateQuotas', () => {
  const defaults = { DetectSentiment: 20, BatchDetectSentiment: 10 };
  it('reads one rate for every operation, or rates by operation', () => {
    expect(parseRateQuotas('5', defaults)).toEqual({ DetectSentiment: 5, BatchDetectSentiment: 5 });
    expect(parseRateQuotas('BatchDetectSentiment=2.5', defaults)).toEqual({ DetectSentiment: 20, BatchDetectSentiment: 2.5 });
  });
  it.each(['0', 'fast', 'DetectSentiment=', 'Translate=3', '-2'])('refuses "%s" with a clear error', (spec) => {
    expect(() => parseRateQuotas(spec, defaults)).toThrow(/rate must be a positive number|no quota is known/);
  });
});

describe('the quota settings of serverless/feedback-triage.yml', () => {
  const settings = triageQuotaSettings(loadServiceDefinition());
  it('give AWS default rates for the four Comprehend operations the product calls (docs/QUOTAS.md)', () => {
    expect(settings.comprehendRequestsPerSecond).toEqual({ DetectSentiment: 20, BatchDetectSentiment: 10, DetectDominantLanguage: 20, BatchDetectDominantLanguage: 10, DetectToxicContent: 20 });
  });
  it('give each mode its ceiling: the DetectSentiment quota, or the BatchDetectSentiment quota times the documents per call', () => {
    expect(throughputCeiling('perMessage', { DetectSentiment: 20 }, settings)).toBe(20);
    expect(throughputCeiling('perBatch', { BatchDetectSentiment: 10 }, settings)).toBe(10 * settings.batchSize);
    expect(throughputCeiling('perBatch', { BatchDetectSentiment: 10 }, { batchSize: 100 })).toBe(250);
  });
});

describe('the Comprehend stand-in over its quota', () => {
  let server: ComprehendServer;
  let client: ComprehendClient;
  const time = clock();

  beforeAll(async () => {
    server = await startComprehendServer({ quotas: { DetectSentiment: 2, BatchDetectSentiment: 1 }, now: time.now });
    // One attempt per call: the test sees each answer the service gives.
    client = new ComprehendClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  const detect = () => client.send(new DetectSentimentCommand({ Text: 'A fine book.', LanguageCode: 'en' }));

  it('answers HTTP 400 with __type ThrottlingException and AWS\'s message, past the quota', async () => {
    await expect(detect()).resolves.toHaveProperty('Sentiment');
    await expect(detect()).resolves.toHaveProperty('Sentiment');
    const refused = await detect().catch((error: unknown) => error as Error & { $metadata: { httpStatusCode: number }; $fault: string });
    expect(refused).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $fault: 'client', $metadata: { httpStatusCode: 400 } });

    const raw = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Comprehend_20171127.DetectSentiment' },
      body: JSON.stringify({ Text: 'A fine book.', LanguageCode: 'en' }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
    expect(await raw.json()).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' });
  });

  it('keeps a bucket per operation, refills it with time, and counts what it refused', async () => {
    await expect(client.send(new BatchDetectSentimentCommand({ TextList: ['Good.', 'Bad.'], LanguageCode: 'en' }))).resolves.toHaveProperty('ResultList');
    time.advance(1000);
    await expect(detect()).resolves.toHaveProperty('Sentiment');
    expect(server.stats().overQuota).toEqual({ DetectSentiment: 2 });
  });

  it('takes new quotas while running', async () => {
    server.setQuotas({ DetectSentiment: 50 });
    expect(server.quotas()).toEqual({ DetectSentiment: 50 });
    await Promise.all(Array.from({ length: 20 }, () => detect()));
  });
});
