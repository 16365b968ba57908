// The one place handlers read their settings. Values come from the environment that serverless.yml declares
// (serverless/feedback-triage.yml; the local stack sets the same); read lazily so tests can set them.

export const FEEDBACK_LIMITS = {
  /** Longest feedback text accepted, in characters (code points). */
  maxTextChars: 10_000,
  /** Longest HTTP body accepted by the intake, in bytes. */
  maxBodyBytes: 64 * 1024,
  maxIdChars: 128,
  minRating: 1,
  maxRating: 5,
} as const;

/** Comprehend's per-document limit for DetectSentiment, in bytes of UTF-8. */
export const COMPREHEND_MAX_TEXT_BYTES = 5_000;

/** Documents one BatchDetectSentiment call takes, at most. */
export const COMPREHEND_BATCH_MAX_DOCUMENTS = 25;

/** Characters of reader text that logs and alerts may carry. */
export const EXCERPT_CHARS = 160;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

function integer(name: string): number {
  const raw = required(name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export type TriageMode = 'perMessage' | 'perBatch';

export const config = {
  feedbackQueueUrl: () => required('FEEDBACK_QUEUE_URL'),
  deadLetterQueueUrl: () => required('FEEDBACK_DLQ_URL'),
  feedbackTable: () => required('FEEDBACK_TABLE'),
  /** The table's global secondary index keyed by sentiment (HASH) and submittedAt (RANGE): custom.triage.feedbackIndex. */
  feedbackIndex: () => required('FEEDBACK_INDEX'),
  alertTopicArn: () => required('ALERT_TOPIC_ARN'),
  stateMachineArn: () => required('STATE_MACHINE_ARN'),
  /** Must equal the queue's redrive maxReceiveCount: on the last receive the consumer dead-letters with a reason. */
  maxReceiveCount: () => integer('MAX_RECEIVE_COUNT'),
  executionConcurrency: () => integer('EXECUTION_CONCURRENCY'),
  /** perMessage: one Express execution per message; perBatch: one per batch, a Map over its messages. */
  triageMode: (): TriageMode => {
    const mode = required('TRIAGE_MODE');
    if (mode !== 'perMessage' && mode !== 'perBatch') throw new Error(`TRIAGE_MODE must be perMessage or perBatch, got "${mode}"`);
    return mode;
  },
  /** A LanguageCode DetectSentiment takes, or auto (checked by detectSentiment's language.ts): custom.triage.sentimentLanguage. */
  sentimentLanguage: () => required('SENTIMENT_LANGUAGE'),
  /** In auto mode, the language used when Comprehend finds one it cannot detect sentiment in: custom.triage.sentimentFallbackLanguage. */
  sentimentFallbackLanguage: () => required('SENTIMENT_FALLBACK_LANGUAGE'),
  /** How long an alert claim holds before another delivery may take it over: custom.triage.alertClaimSeconds. */
  alertClaimSeconds: () => integer('ALERT_CLAIM_SECONDS'),
};
