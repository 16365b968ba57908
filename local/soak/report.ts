// The soak's result as the table `npm run soak` prints.
import { describeFaults } from '../faults.js';
import { isClean } from '../triage-ledger.js';
import type { SoakOptions, SoakResult } from './soak.js';

export function formatSoak(result: SoakResult, options: SoakOptions): string {
  const { accounting } = result;
  const deadByError = new Map<string, number>();
  for (const letter of accounting.deadLettered) deadByError.set(letter.errorName, (deadByError.get(letter.errorName) ?? 0) + 1);
  const rows = [
    ['messages planned', options.messages],
    ['deliveries submitted (duplicates included)', accounting.submitted],
    ['refused at intake', accounting.refused.length],
    ['stored', accounting.stored.length],
    ['dead-lettered', accounting.deadLettered.length],
    ...[...deadByError].map(([name, count]) => [`  ${name}`, count]),
    ['redeliveries absorbed', accounting.redeliveries],
    ['alerts sent', accounting.alerts.length],
    ['lost (unaccounted)', accounting.unaccounted.length],
    ['duplicate records', accounting.duplicateRecords.length],
    ['duplicate alerts', accounting.duplicateAlerts.length],
    ['missing alerts', accounting.missingAlerts.length],
    ...Object.entries(result.faultStats).map(([kind, count]) => [`faults injected: ${kind}`, count]),
    ...Object.entries(result.executions).filter(([, count]) => count > 0).map(([status, count]) => [`executions ${status}`, count]),
  ] as Array<[string, number]>;
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Soak: ${options.messages} messages, faults ${describeFaults(options.faults)}, seed ${options.seed}, time scale ${options.timeScale}, visibility timeout ${options.visibilityTimeoutSeconds} s`,
    '',
    `| ${'what'.padEnd(width)} | ${'count'.padStart(7)} |`,
    `| ${'-'.repeat(width)} | ${'-'.repeat(7)}:|`,
    ...rows.map(([label, count]) => `| ${label.padEnd(width)} | ${String(count).padStart(7)} |`),
    '',
    `Time: ${(result.elapsedMs / 1000).toFixed(1)} s (${Math.round((options.messages * 1000) / result.elapsedMs)} messages/s)` +
      (result.settled ? '' : ' - did NOT settle before the timeout'),
    isClean(accounting) && result.settled ? 'Zero lost, zero duplicates: every message is accounted for.' : 'FAILED: see the counts above.',
  ].join('\n');
}
