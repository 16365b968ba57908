// `npm run redrive`: the redrive of ops/redrive.ts from the command line. Reads FEEDBACK_DLQ_URL and
// FEEDBACK_QUEUE_URL (the local stack writes them to .local-stack.env; on AWS take them from the stack
// outputs), or --from and --to. Invalid feedback stays on the dead-letter queue unless --include-invalid.
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { redrive } from '../ops/redrive.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string', default: process.env.FEEDBACK_DLQ_URL },
      to: { type: 'string', default: process.env.FEEDBACK_QUEUE_URL },
      max: { type: 'string', default: '1000' },
      'include-invalid': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if (!values.from || !values.to) {
    console.error('Need the dead-letter queue and the feedback queue: --from URL --to URL, or FEEDBACK_DLQ_URL and FEEDBACK_QUEUE_URL.');
    return 2;
  }
  const max = Number(values.max);
  if (!Number.isInteger(max) || max < 1) throw new Error(`--max must be a positive whole number, got ${values.max}`);
  const local = Boolean(process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL);
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: !local });
  const result = await redrive({ sqs, from: values.from, to: values.to, max, includeInvalid: values['include-invalid'], dryRun: values['dry-run'] });
  console.log(`${values['dry-run'] ? 'Would move' : 'Moved'} ${values['dry-run'] ? result.kept : result.moved} message(s); kept ${values['dry-run'] ? 0 : result.kept} on the dead-letter queue.`);
  for (const [errorName, count] of Object.entries(result.byError)) console.log(`  ${errorName}: ${count}`);
  if (result.kept && !values['dry-run']) console.log(`Invalid feedback stays: fixing it needs a new submission (--include-invalid moves it anyway).`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`redrive failed: ${error.message}`);
    process.exit(1);
  },
);
