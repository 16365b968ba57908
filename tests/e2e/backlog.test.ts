// A backlog under Comprehend's quota: 1,000 messages land on the queue at once while the local Comprehend enforces
// a low request rate. The pipeline must drain it at the quota, not into the dead-letter queue: every message
// stored once, none dead-lettered or lost, and throughput at least 80 % of what the quota allows.
import { describeBacklog, runBacklog, type BacklogResult } from '../../local/bench/backlog.js';

// perBatch: one BatchDetectSentiment per batch of 10, so 4 calls/s allow 40 messages/s and the 1,000 drain in
// about 25 s; the per-batch mode's 5 consumers ask for more than that, so the quota is what sets the pace.
const BATCH_CALLS_PER_SECOND = 4;
const MESSAGES = 1_000;

let result: BacklogResult;

beforeAll(async () => {
  result = await runBacklog({
    messages: MESSAGES,
    mode: 'perBatch',
    comprehendRequestsPerSecond: { BatchDetectSentiment: BATCH_CALLS_PER_SECOND },
    timeoutMs: 60_000,
    // Short, so anything returned for a retry would come back within the run (and show in the numbers).
    visibilityTimeoutSeconds: 60,
  });
  console.log(describeBacklog(result));
}, 120_000);

describe('a 1,000-message backlog under a low Comprehend quota (perBatch, BatchDetectSentiment at 4/s)', () => {
  it('drains: every message stored once, none dead-lettered, none lost', () => {
    expect(result.settled).toBe(true);
    expect(result).toMatchObject({ stored: MESSAGES, deadLettered: 0, lost: 0, duplicateRecords: 0, duplicateAlerts: 0, missingAlerts: 0 });
  });

  it('runs at no less than 80 % of the ceiling the quota allows (quota x 10 documents per call)', () => {
    expect(result.ceiling).toBe(BATCH_CALLS_PER_SECOND * 10);
    expect(result.messagesPerSecond).toBeGreaterThanOrEqual(0.8 * result.ceiling);
  });

  it('was held to the quota: calls were throttled, and no more were admitted than the bucket allows', () => {
    expect(result.throttles.BatchDetectSentiment).toBeGreaterThan(0);
    // One call per batch of 10; at most the rate for the run's length, plus one second's burst.
    expect(result.comprehendCalls).toBe(MESSAGES / 10);
    expect(result.comprehendCalls).toBeLessThanOrEqual(BATCH_CALLS_PER_SECOND * (result.elapsedMs / 1000) + BATCH_CALLS_PER_SECOND);
    expect(result.throttles.DetectSentiment).toBe(0);
  });
});
