// `npm run cost -- --messages-per-month 1000000`: what the deployed pipeline costs a month, in both execution
// modes, from serverless.yml's settings and the list prices in local/bench/aws-prices.ts.
import { parseArgs } from 'node:util';
import { DEFAULT_ASSUMPTIONS, costModel, formatCostTable } from '../local/bench/cost-model.js';
import { loadServiceDefinition } from '../local/service-definition.js';

const usage = `Usage: npm run cost -- [options]

  --messages-per-month N   messages a month (default 1000000)
  --negative-share X       share of feedback alerted, 0 to 1 (default ${DEFAULT_ASSUMPTIONS.negativeShare.toFixed(3)}, the sample's)
  --text-chars N           mean characters of feedback text (default ${DEFAULT_ASSUMPTIONS.textChars})
  --messages-per-batch X   messages per SQS batch (default: computed from the rate and the batching window)
  --execution-log-level L  price the executions' logs at ALL, ERROR, FATAL or OFF instead of serverless.yml's level
  --json                   print the model as JSON
  --help                   this text`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

function levelOption(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const level = raw.toUpperCase();
  if (!['ALL', 'ERROR', 'FATAL', 'OFF'].includes(level)) throw new Error(`--execution-log-level takes ALL, ERROR, FATAL or OFF, got "${raw}"`);
  return level;
}

function main(): number {
  const { values } = parseArgs({
    options: {
      'messages-per-month': { type: 'string' },
      'negative-share': { type: 'string' },
      'text-chars': { type: 'string' },
      'messages-per-batch': { type: 'string' },
      'execution-log-level': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const messages = positive('messages-per-month', values['messages-per-month'], 1_000_000);
  const negativeShare = positive('negative-share', values['negative-share'], DEFAULT_ASSUMPTIONS.negativeShare);
  if (negativeShare > 1) throw new Error('--negative-share must be at most 1');
  const report = costModel(loadServiceDefinition('prod'), messages, {
    ...DEFAULT_ASSUMPTIONS,
    negativeShare,
    textChars: positive('text-chars', values['text-chars'], DEFAULT_ASSUMPTIONS.textChars),
    messagesPerBatch: values['messages-per-batch'] === undefined ? undefined : positive('messages-per-batch', values['messages-per-batch'], 1),
    executionLogLevel: levelOption(values['execution-log-level']),
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatCostTable(report));
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`npm run cost failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
