// POST /feedback: validates a reader's feedback, gives it an id and queues it for triage.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { queues } from '../../shared/clients.js';
import { config } from '../../shared/config.js';
import { isTransientAwsError } from '../../shared/errors.js';
import { toQueueBody, type Feedback } from '../../shared/feedback.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { traceHandler } from '../../shared/tracer.js';
import { readSubmission, RequestRejectedError } from './intake.js';

function answer(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export const handler = lambdaHandler(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  let feedback: Feedback;
  try {
    feedback = { feedbackId: randomUUID(), submittedAt: new Date().toISOString(), ...readSubmission(event) };
  } catch (error) {
    if (error instanceof RequestRejectedError) {
      logger.info('Feedback refused', { statusCode: error.statusCode, code: error.code, reason: error.message });
      return answer(error.statusCode, { message: error.message, ...(error.field ? { field: error.field } : {}) });
    }
    throw error;
  }
  logger.appendKeys({ feedbackId: feedback.feedbackId });
  try {
    await queues.send(
      new SendMessageCommand({
        QueueUrl: config.feedbackQueueUrl(),
        MessageBody: toQueueBody(feedback),
        MessageAttributes: { feedbackId: { DataType: 'String', StringValue: feedback.feedbackId } },
      }),
    );
  } catch (error) {
    logger.error('Could not queue feedback', { error: error as Error });
    return isTransientAwsError(error)
      ? answer(503, { message: 'feedback could not be queued right now; please try again' })
      : answer(500, { message: 'feedback could not be queued' });
  }
  logger.info('Feedback queued', { bookId: feedback.bookId, textChars: Array.from(feedback.text).length });
  return answer(202, { feedbackId: feedback.feedbackId });
}).use(traceHandler());
