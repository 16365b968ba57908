// `npm run soak -- --messages 10000 --fault-rate 0.05`: the soak of local/soak/ from the command line. Exits
// non-zero unless every message is stored exactly once or dead-lettered with its reason, and alerted once.
import { parseArgs } from 'node:util';
import { describeFaults, parseFaults } from '../local/faults.js';
import { formatSoak } from '../local/soak/report.js';
import { runSoak, type SoakOptions } from '../local/soak/soak.js';
import { formatSummary } from '../local/summary.js';
import { isClean } from '../local/triage-ledger.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '10000' },
      'fault-rate': { type: 'string', default: '0.05' },
      faults: { type: 'string' },
      seed: { type: 'string', default: '42' },
      'time-scale': { type: 'string', default: '0.2' },
      'visibility-timeout': { type: 'string', default: '2' },
      timeout: { type: 'string', default: '900' },
      details: { type: 'boolean', default: false },
    },
  });
  const messages = Number(values.messages);
  if (!Number.isInteger(messages) || messages < 1) throw new Error(`--messages must be a positive whole number, got ${values.messages}`);
  const options: SoakOptions = {
    messages,
    faults: parseFaults(values.faults ?? process.env.FEEDBACK_TRIAGE_FAULTS ?? `all=${values['fault-rate']}`),
    duplicateShare: 0.02,
    malformedShare: 0.01,
    seed: Number(values.seed),
    timeScale: Number(values['time-scale']),
    visibilityTimeoutSeconds: Number(values['visibility-timeout']),
    timeoutSeconds: Number(values.timeout),
    onProgress: process.stdout.isTTY ? (line) => process.stdout.write(`\r  ${line}\x1b[K`) : undefined,
  };
  console.log(`Soak of ${messages} messages with faults: ${describeFaults(options.faults)}…`);
  const result = await runSoak(options);
  if (process.stdout.isTTY) process.stdout.write('\n');
  console.log(formatSoak(result, options));
  if (values.details) console.log(`\n${formatSummary(result.accounting, { detailLimit: 10 })}`);
  return isClean(result.accounting) && result.settled ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`soak failed: ${error.message}`);
    process.exit(1);
  },
);
