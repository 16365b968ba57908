// AWS list prices the cost model uses: us-east-1, on-demand, in US dollars, free tiers left out.
// Prices as known to the author on the date below, from the public pricing pages listed; they change, so
// check the pages before relying on a number. One place, so an update is one edit.

/** The prices below as known to the author at this date; not fetched live. */
export const PRICES_AS_OF = '2025-06';
export const PRICES_REGION = 'us-east-1';

/** A price that falls with volume: each tier's price applies to the quantity up to its `upTo` (the last tier has none). */
export type Tiers = ReadonlyArray<{ upTo?: number; price: number }>;

/** What a monthly quantity costs across tiers. */
export function tieredCost(quantity: number, tiers: Tiers): number {
  let cost = 0;
  let from = 0;
  for (const tier of tiers) {
    const to = tier.upTo ?? Infinity;
    if (quantity > from) cost += (Math.min(quantity, to) - from) * tier.price;
    from = to;
  }
  return cost;
}

export const PRICES = {
  lambda: {
    /** Per request, any architecture. */
    perRequest: 0.2 / 1e6,
    /** arm64 (Graviton): first 7.5 billion GB-seconds a month, next 11.25 billion, beyond. */
    perGbSecondArm64: [
      { upTo: 7.5e9, price: 0.0000133334 },
      { upTo: 18.75e9, price: 0.0000120001 },
      { price: 0.0000106667 },
    ] as Tiers,
    /** Billed duration is rounded up to the next millisecond. */
    durationStepMs: 1,
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  stepFunctionsExpress: {
    perRequest: 1.0 / 1e6,
    /** First 1,000 GB-hours a month ($0.06 per GB-hour), the next 4,000 GB-hours, beyond. */
    perGbSecond: [
      { upTo: 1_000 * 3600, price: 0.00001667 },
      { upTo: 5_000 * 3600, price: 0.00000833 },
      { price: 0.00000456 },
    ] as Tiers,
    /** Memory is billed in 64 MB chunks (at least one), duration rounded up to the next 100 ms. */
    memoryStepMb: 64,
    durationStepMs: 100,
    source: 'https://aws.amazon.com/step-functions/pricing/',
  },
  comprehend: {
    /** NLP APIs (DetectSentiment, DetectDominantLanguage), per unit of 100 characters: first 10 million units a month, up to 50 million, beyond. */
    perUnit: [
      { upTo: 10e6, price: 0.0001 },
      { upTo: 50e6, price: 0.00005 },
      { price: 0.000025 },
    ] as Tiers,
    charsPerUnit: 100,
    /** Every request is billed at least 3 units (300 characters). */
    minimumUnits: 3,
    source: 'https://aws.amazon.com/comprehend/pricing/',
  },
  /**
   * DetectDominantLanguage (and each document of BatchDetectDominantLanguage), which sentimentLanguage auto adds
   * before every DetectSentiment: listed among the same NLP APIs at the same price per 100-character unit, with the
   * same 3-unit minimum per request. Priced on its own tiers: the stored copies of the pricing page consulted do not
   * say whether the volume tiers count the NLP APIs together or apart (apart is the dearer reading).
   */
  get comprehendLanguage() {
    return this.comprehend;
  },
  dynamodb: {
    /** On-demand, per write request unit (1 KB); the November 2024 price. */
    perWriteRequestUnit: 0.625 / 1e6,
    /** On-demand, per read request unit (4 KB strongly consistent). */
    perReadRequestUnit: 0.125 / 1e6,
    perGbMonthStorage: 0.25,
    perGbMonthPointInTimeRecovery: 0.2,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  sns: {
    /** Publish requests (each 64 KB of payload is one request). */
    perPublish: 0.5 / 1e6,
    /** Deliveries to email subscriptions. */
    perEmail: 2.0 / 1e5,
    source: 'https://aws.amazon.com/sns/pricing/',
  },
  sqs: {
    /** Standard queue, per request (each 64 KB of payload is one request). */
    perRequest: 0.4 / 1e6,
    source: 'https://aws.amazon.com/sqs/pricing/',
  },
  httpApi: {
    /** API Gateway HTTP API, first 300 million requests a month, beyond (metered in 512 KB increments). */
    perRequest: [{ upTo: 300e6, price: 1.0 / 1e6 }, { price: 0.9 / 1e6 }] as Tiers,
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  cloudwatchLogs: {
    /** Standard log class ingestion. */
    perGbIngested: 0.5,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  kms: {
    perKeyMonth: 1.0,
    perRequest: 0.03 / 1e4,
    source: 'https://aws.amazon.com/kms/pricing/',
  },
  stepFunctionsStandard: {
    /** Standard workflows: per state transition, each step executed counting once, retries included. */
    perStateTransition: 0.025 / 1e3,
    source: 'https://aws.amazon.com/step-functions/pricing/',
  },
  rekognition: {
    /**
     * Image APIs of group 2 (DetectModerationLabels among them), per image: first million images a month, the
     * next 4 million, the next 30 million, beyond.
     */
    perModerationImage: [
      { upTo: 1e6, price: 0.001 },
      { upTo: 5e6, price: 0.0008 },
      { upTo: 35e6, price: 0.0006 },
      { price: 0.00025 },
    ] as Tiers,
    source: 'https://aws.amazon.com/rekognition/pricing/',
  },
  /**
   * DetectToxicContent (Trust and Safety), per unit of 100 characters of the request's segments. The pricing
   * page lists it beside the NLP APIs; the stored copies consulted confirm the 100-character unit and the
   * 3-unit minimum per request for those APIs but not for toxicity detection: modelled the same, per request.
   */
  get comprehendToxicity() {
    return this.comprehend;
  },
  s3: {
    /** S3 Standard: PUT, COPY, POST and LIST requests. */
    perPutRequest: 0.005 / 1e3,
    /** GET, SELECT and all other requests (HEAD among them). */
    perGetRequest: 0.0004 / 1e3,
    /** Storage, first 50 TB a month. */
    perGbMonth: 0.023,
    source: 'https://aws.amazon.com/s3/pricing/',
  },
  eventBridge: {
    /** Events AWS services (S3 among them) send to the default bus are not charged; rules' deliveries neither. */
    perAwsServiceEvent: 0,
    source: 'https://aws.amazon.com/eventbridge/pricing/',
  },
} as const;
