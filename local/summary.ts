// The run's summaries people read at the end of `npm start`: every submitted message accounted for, and every
// sample document's verdict with the alerts it caused.
import type { DocumentRun, SampleDocument } from './documents-demo.js';
import { emittedMetrics, type EmittedMetric } from './handler-host.js';
import { isClean, type Accounting } from './triage-ledger.js';

/** "1 alert", "2 alerts". */
const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

const oneLine = (text: string, max = 70) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function formatSummary(
  accounting: Accounting,
  /** throttles: calls a service refused for its request-rate quota, by operation (retried, not lost). */
  /** metrics: what the handlers emitted as EMF lines (the local runtime's sums when absent). */
  options: { elapsedMs?: number; detailLimit?: number; throttles?: Record<string, number>; metrics?: EmittedMetric[] } = {},
): string {
  const limit = options.detailLimit ?? 20;
  const lines: string[] = [];
  const { stored, deadLettered, refused, alerts } = accounting;
  lines.push('Triage summary', '==============', '');
  lines.push('Sentiment of stored feedback:');
  for (const [sentiment, count] of Object.entries(accounting.bySentiment)) lines.push(`  ${sentiment.padEnd(9)} ${String(count).padStart(6)}`);
  const alerted = stored.filter((item) => item.alertStatus === 'SENT');
  lines.push('', `Negative feedback and the alerts sent (${counted(alerted.length, 'alert')}, ${alerts.length} delivered to the alert inbox):`);
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
  if (options.throttles) {
    const throttled = Object.entries(options.throttles);
    lines.push('', `Throttled by Comprehend's quota (${counted(throttled.reduce((sum, [, count]) => sum + count, 0), 'call')} refused, then retried):`);
    for (const [operation, count] of throttled) lines.push(`  ${operation.padEnd(24)}${String(count).padStart(6)}`);
  }
  const metrics = options.metrics ?? emittedMetrics.snapshot();
  if (metrics.length > 0) {
    lines.push('', `Metrics the handlers emitted (EMF, namespace ${[...new Set(metrics.map((metric) => metric.namespace))].join(', ')}):`);
    for (const metric of metrics) {
      const dimensions = Object.entries(metric.dimensions).filter(([name]) => name !== 'service').map(([name, value]) => `${name}=${value}`).join(' ');
      lines.push(`  ${`${metric.name}${dimensions ? ` ${dimensions}` : ''}`.padEnd(52)}${String(metric.value).padStart(6)}`);
    }
  }
  if (options.elapsedMs !== undefined) lines.push('', `Finished in ${(options.elapsedMs / 1000).toFixed(2)} s.`);
  lines.push(isClean(accounting) ? 'Every message is accounted for.' : 'WARNING: some messages are not accounted for (see above).');
  return lines.join('\n');
}

/** Whether every sample document got a final verdict from one finished execution, and each alert arrived once. */
export function documentsAccountedFor(run: DocumentRun): boolean {
  return (
    run.strayAlerts.length === 0 &&
    run.documents.every((document) => {
      const verdict = document.verdict;
      if (!verdict || !['CLEAN', 'OFFENSIVE', 'REJECTED'].includes(verdict.status)) return false;
      if (!document.executions.every((execution) => execution.status === 'SUCCEEDED')) return false;
      const expectedAlerts = [verdict.imageAlertStatus, verdict.textAlertStatus].filter((status) => status === 'SENT').length;
      return document.alerts.length === expectedAlerts && (verdict.status !== 'OFFENSIVE' || expectedAlerts > 0);
    })
  );
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function verdictLines(document: SampleDocument): string[] {
  const { verdict } = document;
  if (!verdict) return [`  ${document.file}: NO VERDICT (${document.problem ?? 'the execution left none'})`];
  const facts: string[] = [verdict.status];
  if (verdict.pages !== undefined) facts.push(plural(verdict.pages, 'page'));
  if (verdict.imageCount === 0) facts.push('no images');
  else if (verdict.imageCount !== undefined) {
    const unchecked = verdict.imageCount - (verdict.imagesModerated ?? 0);
    facts.push(`${plural(verdict.imageCount, 'image')} (${verdict.imagesModerated ?? 0} checked${unchecked > 0 ? `, ${unchecked} too small to check` : ''})`);
  }
  if (verdict.undecodableImages) facts.push(`${verdict.undecodableImages} undecodable`);
  const lines = [`  ${document.file}: ${facts.join(' · ')}`];
  if (verdict.reason) lines.push(`      reason: ${oneLine(verdict.reason, 200)}`);
  if (verdict.error) lines.push(`      error: ${verdict.error.name}${verdict.error.cause ? `: ${oneLine(verdict.error.cause, 160)}` : ''}`);
  for (const image of verdict.flaggedImages ?? []) {
    const labels = image.labels.map((label) => `${label.name}${label.parentName ? ` (${label.parentName})` : ''} ${label.confidence.toFixed(1)}%`);
    lines.push(`      flagged image, page ${image.page}: ${labels.join(', ')}`);
  }
  const text = verdict.text;
  if (text) {
    const language = text.language ? `language ${text.language}${text.languageSupported === false ? ' (not checked: DetectToxicContent reads English only)' : ''}` : 'language not detected';
    lines.push(`      text: ${plural(text.characters, 'character')}, ${language}, toxicity ${text.toxicity.toFixed(2)}${text.truncated ? ', checked in part (cap on calls)' : ''}`);
    const raised = text.labels.filter((label) => label.score >= 0.1);
    if (raised.length > 0) lines.push(`      text labels: ${raised.map((label) => `${label.name} ${label.score.toFixed(2)}`).join(', ')}`);
  }
  for (const alert of document.alerts) lines.push(`      alert delivered to the document alert inbox (${alert.kind}): "${alert.subject}"`);
  return lines;
}

export function formatDocumentSummary(run: DocumentRun, options: { elapsedMs?: number } = {}): string {
  const lines = ['Document moderation summary', '===========================', ''];
  lines.push(`Sample PDFs from events/documents/, each uploaded under uploads/ (${plural(run.documents.length, 'document')}):`);
  for (const document of run.documents) lines.push(...verdictLines(document));
  for (const alert of run.strayAlerts) lines.push(`  an alert for no sample document: "${alert.subject}"`);
  const { engines } = run;
  lines.push('', 'Engines:');
  if (engines.imageClassifier || engines.fixtureTableAnswers > 0 || engines.fixtureTable) {
    lines.push(
      `  images: the local Rekognition DetectModerationLabels stand-in; ${plural(engines.imagesClassified, 'image')} labelled by ${engines.imageClassifier ?? 'no classifier (none reached it)'}`,
      `          its fixture table (${engines.fixtureTable ?? 'none'}) answered for ${plural(engines.fixtureTableAnswers, 'image')}` +
        (engines.fixtureTableAnswers > 0 ? ' (harmless test cards that stand for offensive pictures: their labels are written in the table, not found by the classifier)' : ''),
    );
  } else {
    lines.push('  images: no Rekognition stand-in ran (local/rekognition/server.ts is absent): images were not labelled');
  }
  lines.push(`  text:   ${engines.toxicity}`);
  const byStatus = new Map<string, number>();
  for (const document of run.documents) byStatus.set(document.verdict?.status ?? 'NO VERDICT', (byStatus.get(document.verdict?.status ?? 'NO VERDICT') ?? 0) + 1);
  const alerts = run.documents.reduce((sum, document) => sum + document.alerts.length, 0) + run.strayAlerts.length;
  lines.push('', `Totals: ${run.documents.length} uploaded · ${[...byStatus].map(([status, count]) => `${status} ${count}`).join(', ')} · ${plural(alerts, 'alert')} delivered`);
  if (options.elapsedMs !== undefined) lines.push(`Moderated in ${(options.elapsedMs / 1000).toFixed(2)} s.`);
  lines.push(documentsAccountedFor(run) ? 'Every document has its verdict, and every alert arrived once.' : 'WARNING: some documents have no final verdict or their alerts do not match it (see above).');
  return lines.join('\n');
}
