// DetectSentiment state: asks Amazon Comprehend for the sentiment of one feedback (DetectSentiment) or, in the
// per-batch machine, of every feedback of a batch (BatchDetectSentiment, one call per 25 documents).
import { BatchDetectSentimentCommand, DetectSentimentCommand, type LanguageCode } from '@aws-sdk/client-comprehend';
import { comprehend } from '../../shared/clients.js';
import { config } from '../../shared/config.js';
import { parseFeedback, type SentimentResult } from '../../shared/feedback.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { traceHandler } from '../../shared/tracer.js';
import { countComprehendThrottle } from '../../shared/metrics.js';
import type { TriageStateEvent } from '../../shared/state-event.js';
import { inCalls, isBatchEvent, readBatch, readBatchAnswer, type BatchSentimentEvent, type Detection } from './batch.js';
import { classifyComprehendError, DependencyThrottledError, THROTTLED_LOG_MESSAGE } from './comprehend-errors.js';
import { toSentimentResult, truncateUtf8 } from './sentiment.js';

/** The error the workflow sees for a failed Comprehend call; throttling is logged so the alarm can count it. */
function comprehendFailure(error: unknown, operation: string): Error {
  const failure = classifyComprehendError(error, `Comprehend ${operation}`);
  if (failure instanceof DependencyThrottledError) {
    logger.warn(THROTTLED_LOG_MESSAGE, { operation });
    countComprehendThrottle(operation);
  }
  return failure;
}

async function detectOne(event: TriageStateEvent): Promise<SentimentResult> {
  const feedback = parseFeedback(event?.feedback);
  logger.appendKeys({ feedbackId: feedback.feedbackId, executionArn: event.executionArn });
  const analyzed = truncateUtf8(feedback.text);
  let answer;
  try {
    answer = await comprehend.send(new DetectSentimentCommand({ Text: analyzed.text, LanguageCode: config.sentimentLanguage() as LanguageCode }));
  } catch (error) {
    throw comprehendFailure(error, 'DetectSentiment');
  }
  const result = toSentimentResult(answer, analyzed);
  logger.info('Sentiment detected', {
    sentiment: result.sentiment,
    scores: result.scores,
    analyzedBytes: result.analyzedBytes,
    truncated: result.truncated,
  });
  return result;
}

/** One detection per item, in order; a failed call (throttled, refused) fails the whole batch with its name. */
async function detectBatch(event: BatchSentimentEvent): Promise<Detection[]> {
  logger.appendKeys({ executionArn: event.executionArn });
  const { documents, detections } = readBatch(event);
  for (const call of inCalls(documents)) {
    let answer;
    try {
      answer = await comprehend.send(
        new BatchDetectSentimentCommand({ TextList: call.map((document) => document.analyzed.text), LanguageCode: config.sentimentLanguage() as LanguageCode }),
      );
    } catch (error) {
      throw comprehendFailure(error, 'BatchDetectSentiment');
    }
    readBatchAnswer(answer, call).forEach((detection, position) => {
      detections[(call[position] as (typeof call)[number]).index] = detection;
    });
  }
  const failed = detections.filter((detection) => detection && 'failure' in detection).length;
  logger.info('Sentiments detected', { documents: detections.length, calls: inCalls(documents).length, failed });
  return detections as Detection[];
}

export const handler = lambdaHandler(async (event: TriageStateEvent | BatchSentimentEvent): Promise<SentimentResult | Detection[]> =>
  isBatchEvent(event) ? detectBatch(event) : detectOne(event),
).use(traceHandler());
