// The queue's consumer: one synchronous Express execution per message, a bounded number at a time
// (TRIAGE_MODE=perMessage), or one per batch, one sentiment call and a Map over its messages (perBatch). Either way each message
// gets its own outcome: returned as a batchItemFailure to retry, or moved to the dead-letter queue at once
// with its reason when it can never succeed or is on its last allowed receive.
import { StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { queues, stepFunctions } from '../../shared/clients.js';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { config } from '../../shared/config.js';
import { InvalidFeedbackError } from '../../shared/errors.js';
import { parseFeedback, parseJson, type Feedback } from '../../shared/feedback.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { traceHandler } from '../../shared/tracer.js';
import { countBatchItemFailures, countDeadLettered } from '../../shared/metrics.js';
import {
  batchInputs,
  batchOutcomes,
  DETECTION_RESERVE_BYTES,
  executionOutcome,
  failureOutcome,
  readableCause,
  type MessageOutcome,
} from './triage-outcome.js';

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

/** Acts on one message's outcome; resolves true when SQS may delete it, false when it must be redelivered. */
async function settle(record: SQSRecord, outcome: MessageOutcome, feedback: Feedback | undefined): Promise<boolean> {
  const context = { messageId: record.messageId, receiveCount: receiveCount(record), feedbackId: feedback?.feedbackId };
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
  countDeadLettered(outcome.errorName);
  return true;
}

/** The feedback a message carries, or the dead-letter outcome of a message that is not feedback. */
function readMessage(record: SQSRecord): { feedback: Feedback } | { outcome: MessageOutcome } {
  try {
    return { feedback: parseFeedback(parseJson(record.body)) };
  } catch (error) {
    if (!(error instanceof InvalidFeedbackError)) throw error;
    return { outcome: { action: 'dead-letter', errorName: error.name, reason: `${error.name}: ${error.message}` } };
  }
}

/** Handles one message with its own execution; resolves true when SQS may delete it. */
async function handleRecord(record: SQSRecord): Promise<boolean> {
  const message = readMessage(record);
  if ('outcome' in message) return settle(record, message.outcome, undefined);
  return settle(record, await runTriage(record, message.feedback), message.feedback);
}

/** One item of a per-batch execution's input: what a per-message execution gets as its whole input. */
const batchInputItem = (record: SQSRecord, feedback: Feedback) => ({ feedback, messageId: record.messageId });

interface BatchItem {
  record: SQSRecord;
  feedback: Feedback;
}

/** Runs one per-batch execution over some messages; resolves each one's outcome, in order. */
async function runBatchTriage(items: BatchItem[]): Promise<MessageOutcome[]> {
  const maxReceives = config.maxReceiveCount();
  const summaries = items.map(({ record }) => ({ messageId: record.messageId, receiveCount: receiveCount(record) }));
  let execution;
  try {
    execution = await stepFunctions.send(
      new StartSyncExecutionCommand({
        stateMachineArn: config.stateMachineArn(),
        input: JSON.stringify({ items: items.map(({ record, feedback }) => batchInputItem(record, feedback)) }),
      }),
    );
  } catch (error) {
    const name = (error as Error).name ?? 'Error';
    return summaries.map((item) => failureOutcome(name, `StartSyncExecution failed: ${(error as Error).message}`, item.receiveCount, maxReceives));
  }
  logger.debug('Batch execution finished', { executionArn: execution.executionArn, status: execution.status, messages: items.length });
  return batchOutcomes({ ...execution, cause: readableCause(execution.cause) }, summaries, maxReceives);
}

/** Per-batch mode: one execution for all valid messages (more when they exceed the input limit). */
async function processAsBatch(records: SQSRecord[]): Promise<boolean[]> {
  const outcomes = new Array<{ outcome: MessageOutcome; feedback?: Feedback } | undefined>(records.length);
  const valid: Array<BatchItem & { index: number }> = [];
  records.forEach((record, index) => {
    try {
      const message = readMessage(record);
      if ('outcome' in message) outcomes[index] = { outcome: message.outcome };
      else valid.push({ record, feedback: message.feedback, index });
    } catch (error) {
      logger.error('Unexpected failure reading a message', { messageId: record.messageId, error: error as Error });
    }
  });
  const chunks = batchInputs(valid, undefined, ({ record, feedback }) => JSON.stringify(batchInputItem(record, feedback)), DETECTION_RESERVE_BYTES);
  await mapWithConcurrency(chunks, config.executionConcurrency(), async (chunk) => {
    const chunkOutcomes = await runBatchTriage(chunk);
    chunk.forEach((item, position) => {
      outcomes[item.index] = { outcome: chunkOutcomes[position] as MessageOutcome, feedback: item.feedback };
    });
  });
  return mapWithConcurrency(records, config.executionConcurrency(), async (record, index) => {
    const decided = outcomes[index];
    if (!decided) return false;
    try {
      return await settle(record, decided.outcome, decided.feedback);
    } catch (error) {
      logger.error('Unexpected failure handling a message', { messageId: record.messageId, error: error as Error });
      return false;
    }
  });
}

async function processEach(records: SQSRecord[]): Promise<boolean[]> {
  return mapWithConcurrency(records, config.executionConcurrency(), async (record) => {
    try {
      return await handleRecord(record);
    } catch (error) {
      logger.error('Unexpected failure handling a message', { messageId: record.messageId, error: error as Error });
      return false;
    }
  });
}

/**
 * The line each batch ends with; its `failures` (messages returned for a retry) is what serverless/feedback-triage.yml
 * counts with a metric filter: in perBatch mode a failed item leaves its execution SUCCEEDED, so no Step Functions
 * metric sees it.
 */
export const BATCH_PROCESSED_LOG_MESSAGE = 'Batch processed';

export async function processBatch(event: SQSEvent, _context?: Context): Promise<SQSBatchResponse> {
  const records = event?.Records ?? [];
  const mode = config.triageMode();
  const deletable = mode === 'perBatch' ? await processAsBatch(records) : await processEach(records);
  const batchItemFailures: SQSBatchItemFailure[] = records
    .filter((_, index) => !deletable[index])
    .map((record) => ({ itemIdentifier: record.messageId }));
  logger.info(BATCH_PROCESSED_LOG_MESSAGE, { mode, records: records.length, failures: batchItemFailures.length });
  countBatchItemFailures(mode, batchItemFailures.length);
  return { batchItemFailures };
}

export const handler = lambdaHandler(processBatch).use(traceHandler());
