// The queue's consumer: one synchronous Express execution per message, a bounded number at a time.
// Returns the messages to retry as batchItemFailures; messages that can never succeed are moved to the
// dead-letter queue at once with their reason, and so are messages on their last allowed receive.
import { StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { queues, stepFunctions } from '../shared/clients.js';
import { mapWithConcurrency } from '../shared/concurrency.js';
import { config } from '../shared/config.js';
import { InvalidFeedbackError } from '../shared/errors.js';
import { parseFeedback, parseJson, type Feedback } from '../shared/feedback.js';
import { lambdaHandler } from '../shared/handler.js';
import { logger } from '../shared/logger.js';
import { executionOutcome, failureOutcome, readableCause, type MessageOutcome } from './triage-outcome.js';

function receiveCount(record: SQSRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(count) && count > 0 ? count : 1;
}

async function runTriage(record: SQSRecord, feedback: Feedback): Promise<MessageOutcome> {
  const maxReceives = config.maxReceiveCount();
  let execution;
  try {
    execution = await stepFunctions.send(
      new StartSyncExecutionCommand({
        stateMachineArn: config.stateMachineArn(),
        input: JSON.stringify({ feedback, messageId: record.messageId }),
      }),
    );
  } catch (error) {
    // Throttling, a network failure or a missing machine: nothing ran to completion, so try again later.
    const name = (error as Error).name ?? 'Error';
    return failureOutcome(name, `StartSyncExecution failed: ${(error as Error).message}`, receiveCount(record), maxReceives);
  }
  logger.debug('Execution finished', { messageId: record.messageId, executionArn: execution.executionArn, status: execution.status });
  return executionOutcome({ ...execution, cause: readableCause(execution.cause) }, receiveCount(record), maxReceives);
}

async function deadLetter(record: SQSRecord, outcome: Extract<MessageOutcome, { action: 'dead-letter' }>, feedbackId?: string) {
  await queues.send(
    new SendMessageCommand({
      QueueUrl: config.deadLetterQueueUrl(),
      MessageBody: record.body,
      MessageAttributes: {
        errorName: { DataType: 'String', StringValue: outcome.errorName },
        reason: { DataType: 'String', StringValue: outcome.reason },
        sourceMessageId: { DataType: 'String', StringValue: record.messageId },
        receiveCount: { DataType: 'Number', StringValue: String(receiveCount(record)) },
        deadLetteredAt: { DataType: 'String', StringValue: new Date().toISOString() },
        ...(feedbackId ? { feedbackId: { DataType: 'String', StringValue: feedbackId } } : {}),
      },
    }),
  );
}

/** Handles one message; resolves true when SQS may delete it, false when it must be redelivered. */
async function handleRecord(record: SQSRecord): Promise<boolean> {
  const ids = { messageId: record.messageId, receiveCount: receiveCount(record) };
  let feedback: Feedback | undefined;
  let outcome: MessageOutcome;
  try {
    feedback = parseFeedback(parseJson(record.body));
    outcome = await runTriage(record, feedback);
  } catch (error) {
    if (!(error instanceof InvalidFeedbackError)) throw error;
    outcome = { action: 'dead-letter', errorName: error.name, reason: `${error.name}: ${error.message}` };
  }
  const context = { ...ids, feedbackId: feedback?.feedbackId };
  if (outcome.action === 'triaged') {
    logger.info('Feedback triaged', context);
    return true;
  }
  if (outcome.action === 'retry') {
    logger.warn('Feedback will be retried', { ...context, errorName: outcome.errorName, reason: outcome.reason });
    return false;
  }
  try {
    await deadLetter(record, outcome, feedback?.feedbackId);
  } catch (error) {
    // Not lost: the message stays on the queue and its redrive policy still applies.
    logger.error('Could not dead-letter feedback; it will be redelivered', { ...context, error: error as Error });
    return false;
  }
  logger.warn('Feedback dead-lettered', { ...context, errorName: outcome.errorName, reason: outcome.reason });
  return true;
}

export async function processBatch(event: SQSEvent, _context?: Context): Promise<SQSBatchResponse> {
  const records = event?.Records ?? [];
  const deletable = await mapWithConcurrency(records, config.executionConcurrency(), async (record) => {
    try {
      return await handleRecord(record);
    } catch (error) {
      logger.error('Unexpected failure handling a message', { messageId: record.messageId, error: error as Error });
      return false;
    }
  });
  const batchItemFailures: SQSBatchItemFailure[] = records
    .filter((_, index) => !deletable[index])
    .map((record) => ({ itemIdentifier: record.messageId }));
  logger.info('Batch processed', { records: records.length, failures: batchItemFailures.length });
  return { batchItemFailures };
}

export const handler = lambdaHandler(processBatch);
