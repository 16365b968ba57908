// The triage summary: every submitted message accounted for, and the report people read at the end of a run.
import { perSentiment } from '../functions/shared/feedback.js';
import type { Alert, DeadLetter, StoredFeedback } from './triage-ledger.js';

export interface Submission {
  /** Where it came from: a line of the input file, or a label. */
  source: string;
  /** The intake's HTTP status, or 0 for a message put straight on the queue. */
  status: number;
  feedbackId?: string;
  messageId?: string;
  message?: string;
}

export interface Accounting {
  submitted: number;
  refused: Submission[];
  stored: StoredFeedback[];
  deadLettered: DeadLetter[];
  alerts: Alert[];
  bySentiment: Record<string, number>;
  /** Accepted messages neither stored nor dead-lettered. */
  unaccounted: Submission[];
  /** feedbackIds stored more than once or alerted more than once. */
  duplicateRecords: string[];
  duplicateAlerts: string[];
  /** Accepted deliveries that repeated a feedbackId already delivered: at-least-once delivery, absorbed. */
  redeliveries: number;
  /** Feedback that needed an alert but got none (or whose alert is still half-way). */
  missingAlerts: string[];
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
}

export function accountFor(submissions: Submission[], stored: StoredFeedback[], deadLetterCopies: DeadLetter[], alerts: Alert[]): Accounting {
  // A message redelivered while its first delivery was still being dead-lettered can land on the DLQ twice.
  const deadLettered = [...new Map(deadLetterCopies.map((letter) => [letter.messageId, letter])).values()];
  const storedIds = new Set(stored.map((item) => item.feedbackId));
  const deadIds = new Set(deadLettered.flatMap((letter) => [letter.feedbackId, letter.messageId].filter(Boolean) as string[]));
  const refused = submissions.filter((submission) => submission.status >= 400);
  const accepted = submissions.filter((submission) => submission.status < 400);
  const unaccounted = accepted.filter((submission) => {
    const ids = [submission.feedbackId, submission.messageId].filter(Boolean) as string[];
    return !ids.some((id) => storedIds.has(id) || deadIds.has(id));
  });
  const alertedIds = new Set(alerts.map((alert) => alert.feedbackId));
  const bySentiment: Record<string, number> = perSentiment(() => 0);
  for (const item of stored) bySentiment[item.sentiment] = (bySentiment[item.sentiment] ?? 0) + 1;
  return {
    submitted: submissions.length,
    refused,
    stored,
    deadLettered,
    alerts,
    bySentiment,
    unaccounted,
    redeliveries: accepted.filter((s) => s.feedbackId).length - new Set(accepted.map((s) => s.feedbackId).filter(Boolean)).size,
    duplicateRecords: duplicates(stored.map((item) => item.feedbackId)),
    duplicateAlerts: duplicates(alerts.map((alert) => alert.feedbackId)),
    // Feedback stored but dead-lettered before its alert went out waits for `npm run redrive`, reason attached.
    missingAlerts: stored
      .filter((item) => item.alertStatus !== 'NOT_REQUIRED' && (item.alertStatus !== 'SENT' || !alertedIds.has(item.feedbackId)))
      .filter((item) => !deadIds.has(item.feedbackId))
      .map((item) => item.feedbackId),
  };
}

/** Whether the run kept every promise: nothing lost, nothing stored or alerted twice, every alert sent. */
export function isClean(accounting: Accounting): boolean {
  return (
    accounting.unaccounted.length === 0 &&
    accounting.duplicateRecords.length === 0 &&
    accounting.duplicateAlerts.length === 0 &&
    accounting.missingAlerts.length === 0
  );
}

const oneLine = (text: string, max = 70) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function formatSummary(accounting: Accounting, options: { elapsedMs?: number; detailLimit?: number } = {}): string {
  const limit = options.detailLimit ?? 20;
  const lines: string[] = [];
  const { stored, deadLettered, refused, alerts } = accounting;
  lines.push('Triage summary', '==============', '');
  lines.push('Sentiment of stored feedback:');
  for (const [sentiment, count] of Object.entries(accounting.bySentiment)) lines.push(`  ${sentiment.padEnd(9)} ${String(count).padStart(6)}`);
  const alerted = stored.filter((item) => item.alertStatus === 'SENT');
  lines.push('', `Negative feedback and the alerts sent (${alerted.length} alerts, ${alerts.length} delivered to the alert inbox):`);
  for (const item of alerted.slice(0, limit)) {
    lines.push(`  [${item.sentiment}] ${item.bookId}${item.rating ? ` (${item.rating}/5)` : ''}: "${oneLine(item.text, 60)}"`);
    lines.push(`      feedbackId ${item.feedbackId} · alert ${item.alertMessageId ?? 'not sent'}`);
  }
  if (alerted.length > limit) lines.push(`  … and ${alerted.length - limit} more`);
  lines.push('', `Refused by the intake (${refused.length}):`);
  for (const submission of refused.slice(0, limit)) lines.push(`  ${submission.source}: HTTP ${submission.status} ${submission.message ?? ''}`);
  if (refused.length > limit) lines.push(`  … and ${refused.length - limit} more`);
  lines.push('', `Dead-lettered (${deadLettered.length}), kept on the DLQ for \`npm run redrive\`:`);
  for (const letter of deadLettered.slice(0, limit)) {
    lines.push(`  ${letter.feedbackId ?? `message ${letter.messageId}`}: ${oneLine(letter.reason, 110)}`);
  }
  if (deadLettered.length > limit) lines.push(`  … and ${deadLettered.length - limit} more`);
  const accepted = accounting.submitted - refused.length;
  lines.push('', 'Totals:');
  lines.push(`  submitted            ${String(accounting.submitted).padStart(6)}`);
  lines.push(`  refused at intake    ${String(refused.length).padStart(6)}`);
  lines.push(`  accepted             ${String(accepted).padStart(6)}`);
  lines.push(`    stored             ${String(stored.length).padStart(6)}`);
  lines.push(`    dead-lettered      ${String(deadLettered.length).padStart(6)}`);
  lines.push(`    unaccounted        ${String(accounting.unaccounted.length).padStart(6)}`);
  lines.push(`  redeliveries absorbed${String(accounting.redeliveries).padStart(6)}`);
  lines.push(`  alerts sent          ${String(alerted.length).padStart(6)}`);
  lines.push(`  duplicate records    ${String(accounting.duplicateRecords.length).padStart(6)}`);
  lines.push(`  duplicate alerts     ${String(accounting.duplicateAlerts.length).padStart(6)}`);
  lines.push(`  missing alerts       ${String(accounting.missingAlerts.length).padStart(6)}`);
  if (options.elapsedMs !== undefined) lines.push('', `Finished in ${(options.elapsedMs / 1000).toFixed(2)} s.`);
  lines.push(isClean(accounting) ? 'Every message is accounted for.' : 'WARNING: some messages are not accounted for (see above).');
  return lines.join('\n');
}
