// Moves dead-lettered feedback back onto the feedback queue once the cause is fixed.
// `npm run redrive` reads FEEDBACK_DLQ_URL and FEEDBACK_QUEUE_URL (the local stack writes them to
// .local-stack.env; on AWS take them from the stack outputs), or --from and --to.
// Each message is re-sent before it is deleted, so a crash half-way duplicates (harmlessly: triage is
// idempotent on feedbackId) rather than loses. Invalid feedback would only bounce back, so it stays unless
// --include-invalid says otherwise.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';

export interface RedriveOptions {
  sqs: SQSClient;
  from: string;
  to: string;
  /** At most this many messages are moved. */
  max: number;
  includeInvalid: boolean;
  dryRun: boolean;
}

export interface RedriveResult {
  moved: number;
  kept: number;
  byError: Record<string, number>;
}

const PERMANENTLY_INVALID = 'InvalidFeedbackError';
/** How long a message being looked at stays hidden on the DLQ; kept ones are shown again at the end. */
const HOLD_SECONDS = 60;

export async function redrive(options: RedriveOptions): Promise<RedriveResult> {
  const result: RedriveResult = { moved: 0, kept: 0, byError: {} };
  const seen = new Set<string>();
  const keptHandles: string[] = [];
  while (result.moved + result.kept < options.max) {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.from,
        MaxNumberOfMessages: Math.min(10, options.max - result.moved - result.kept),
        WaitTimeSeconds: 0,
        VisibilityTimeout: HOLD_SECONDS,
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((message: Message) => !seen.has(message.MessageId ?? ''));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId ?? '');
      const errorName = message.MessageAttributes?.errorName?.StringValue ?? 'MaxReceiveCountExceeded';
      result.byError[errorName] = (result.byError[errorName] ?? 0) + 1;
      if (options.dryRun || (errorName === PERMANENTLY_INVALID && !options.includeInvalid)) {
        result.kept++;
        keptHandles.push(message.ReceiptHandle ?? '');
        continue;
      }
      const feedbackId = message.MessageAttributes?.feedbackId;
      await options.sqs.send(
        new SendMessageCommand({
          QueueUrl: options.to,
          MessageBody: message.Body ?? '',
          MessageAttributes: feedbackId ? { feedbackId } : undefined,
        }),
      );
      await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.from, ReceiptHandle: message.ReceiptHandle }));
      result.moved++;
    }
  }
  for (const ReceiptHandle of keptHandles) {
    await options.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: options.from, ReceiptHandle, VisibilityTimeout: 0 }));
  }
  return result;
}

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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`redrive failed: ${error.message}`);
      process.exit(1);
    },
  );
}
