// Moves dead-lettered feedback back onto the feedback queue once the cause is fixed, on AWS or on the local stack.
// Each message is re-sent before it is deleted, so a crash half-way duplicates (harmlessly: triage is
// idempotent on feedbackId) rather than loses. Invalid feedback would only bounce back, so it stays unless
// the caller says otherwise.
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
