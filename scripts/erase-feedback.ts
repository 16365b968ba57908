// `npx tsx scripts/erase-feedback.ts --feedback-id ID | --reader-id ID --by NAME [--because TEXT]`: an
// administrator erases a reader's feedback (ops/erase-feedback.ts). Reads FEEDBACK_TABLE (the local stack writes
// it to .local-stack.env; on AWS the stack output FeedbackTableName) or --table. Needs dynamodb:GetItem, PutItem
// and, by readerId, Scan on the table: an administrator's credentials, not a function's role.
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eraseFeedback, eraseReader } from '../ops/erase-feedback.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      table: { type: 'string', default: process.env.FEEDBACK_TABLE },
      'feedback-id': { type: 'string' },
      'reader-id': { type: 'string' },
      by: { type: 'string' },
      because: { type: 'string', default: "the reader's request" },
      'keep-tombstone-days': { type: 'string' },
    },
  });
  const feedbackId = values['feedback-id'];
  const readerId = values['reader-id'];
  if (!values.table || !values.by || Boolean(feedbackId) === Boolean(readerId)) {
    console.error('Usage: erase-feedback (--feedback-id ID | --reader-id ID) --by ADMINISTRATOR [--because TEXT] [--table NAME] [--keep-tombstone-days N]');
    return 2;
  }
  const days = values['keep-tombstone-days'] === undefined ? undefined : Number(values['keep-tombstone-days']);
  if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new Error(`--keep-tombstone-days must be a positive whole number, got ${values['keep-tombstone-days']}`);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const request = { client, tableName: values.table, by: values.by, because: values.because ?? '', keepTombstoneSeconds: days && days * 86_400 };
  if (feedbackId) {
    console.log(`${feedbackId}: ${await eraseFeedback(request, feedbackId)}`);
  } else {
    const { outcomes, complete } = await eraseReader(request, readerId as string);
    console.log(`Reader ${readerId}: ${outcomes.erased} erased, ${outcomes['already-erased']} already erased, ${outcomes['not-found']} gone meanwhile.`);
    if (!complete) console.log('The search stopped at its page limit: run it again to erase the rest.');
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`erase-feedback failed: ${error.message}`);
    process.exit(1);
  },
);
