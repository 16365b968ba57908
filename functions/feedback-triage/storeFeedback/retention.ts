// How long stored feedback is kept: the stage parameter feedbackRetentionDays, which serverless/feedback-triage.yml
// gives StoreFeedback as FEEDBACK_RETENTION_DAYS. Read lazily, so a missing or bad value fails the write, not the import.

export const RETENTION_DAYS_VARIABLE = 'FEEDBACK_RETENTION_DAYS';

/** Whole days, at least one: a record that expired on arrival would be stored for nothing. */
export function feedbackRetentionDays(environment: NodeJS.ProcessEnv = process.env): number {
  const raw = environment[RETENTION_DAYS_VARIABLE];
  if (!raw) throw new Error(`Missing environment variable ${RETENTION_DAYS_VARIABLE}`);
  const days = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(days) || days < 1) {
    throw new Error(`${RETENTION_DAYS_VARIABLE} must be a whole number of days, at least 1, got "${raw}"`);
  }
  return days;
}
