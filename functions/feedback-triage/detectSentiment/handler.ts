// DetectSentiment state: asks Amazon Comprehend for the sentiment of one feedback (DetectSentiment) or, in the
// per-batch machine, of every feedback of a batch (BatchDetectSentiment, one call per 25 documents of one language).
// With SENTIMENT_LANGUAGE=auto it first asks which language each feedback is in (DetectDominantLanguage, or
// BatchDetectDominantLanguage per 25 documents).
import {
  BatchDetectDominantLanguageCommand,
  BatchDetectSentimentCommand,
  DetectDominantLanguageCommand,
  DetectSentimentCommand,
} from '@aws-sdk/client-comprehend';
import { comprehend } from '../../shared/clients.js';
import { parseFeedback, type SentimentResult } from '../../shared/feedback.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { traceHandler } from '../../shared/tracer.js';
import { countComprehendThrottle } from '../../shared/metrics.js';
import type { TriageStateEvent } from '../../shared/state-event.js';
import {
  groupByLanguage,
  inCalls,
  isBatchEvent,
  readBatch,
  readBatchAnswer,
  readLanguageAnswer,
  type BatchSentimentEvent,
  type Detection,
  type Document,
} from './batch.js';
import { classifyComprehendError, DependencyThrottledError, THROTTLED_LOG_MESSAGE } from './comprehend-errors.js';
import { chooseLanguage, configuredLanguage, languageSetting, type LanguageChoice } from './language.js';
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

async function send<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw comprehendFailure(error, operation);
  }
}

/** The sentiment result with the language it was detected in. */
function withLanguage(result: SentimentResult, choice: LanguageChoice): SentimentResult {
  return { ...result, ...choice };
}

async function detectOne(event: TriageStateEvent): Promise<SentimentResult> {
  const feedback = parseFeedback(event?.feedback);
  logger.appendKeys({ feedbackId: feedback.feedbackId, executionArn: event.executionArn });
  const setting = languageSetting();
  // The same cut text for both calls: DetectDominantLanguage takes up to 100 KB, but what decides the language
  // should be what is scored, and each call is billed by the characters it is sent.
  const analyzed = truncateUtf8(feedback.text);
  const choice =
    setting.mode === 'fixed'
      ? configuredLanguage(setting.language)
      : chooseLanguage(await send('DetectDominantLanguage', () => comprehend.send(new DetectDominantLanguageCommand({ Text: analyzed.text }))), setting.fallback);
  const answer = await send('DetectSentiment', () => comprehend.send(new DetectSentimentCommand({ Text: analyzed.text, LanguageCode: choice.language })));
  const result = withLanguage(toSentimentResult(answer, analyzed), choice);
  logger.info('Sentiment detected', {
    sentiment: result.sentiment,
    scores: result.scores,
    analyzedBytes: result.analyzedBytes,
    truncated: result.truncated,
    language: result.language,
    languageSource: result.languageSource,
    detectedLanguage: result.detectedLanguage,
  });
  return result;
}

/** Each document with the language its sentiment is detected in; a document whose language is unknown fails alone. */
async function languagesOf(documents: Document[], detections: Array<Detection | undefined>): Promise<Array<{ document: Document; choice: LanguageChoice }>> {
  const setting = languageSetting();
  if (setting.mode === 'fixed') return documents.map((document) => ({ document, choice: configuredLanguage(setting.language) }));
  const chosen: Array<{ document: Document; choice: LanguageChoice }> = [];
  for (const call of inCalls(documents)) {
    const answer = await send('BatchDetectDominantLanguage', () =>
      comprehend.send(new BatchDetectDominantLanguageCommand({ TextList: call.map((document) => document.analyzed.text) })),
    );
    readLanguageAnswer(answer, call, setting.fallback).forEach((outcome, position) => {
      const document = call[position] as Document;
      if ('failure' in outcome) detections[document.index] = outcome;
      else chosen.push({ document, choice: outcome });
    });
  }
  return chosen;
}

/**
 * One detection per item, in order. A failed call (throttled, refused) fails the whole batch with its name; a
 * document Comprehend refuses on its own (ErrorList of either call) fails alone.
 */
async function detectBatch(event: BatchSentimentEvent): Promise<Detection[]> {
  logger.appendKeys({ executionArn: event.executionArn });
  const { documents, detections } = readBatch(event);
  const groups = groupByLanguage(await languagesOf(documents, detections));
  let sentimentCalls = 0;
  for (const [language, group] of groups) {
    for (const call of inCalls(group)) {
      sentimentCalls++;
      const answer = await send('BatchDetectSentiment', () =>
        comprehend.send(new BatchDetectSentimentCommand({ TextList: call.map(({ document }) => document.analyzed.text), LanguageCode: language })),
      );
      readBatchAnswer(answer, call.map(({ document }) => document)).forEach((detection, position) => {
        const { document, choice } = call[position] as (typeof call)[number];
        detections[document.index] = 'sentiment' in detection ? { sentiment: withLanguage(detection.sentiment, choice) } : detection;
      });
    }
  }
  const failed = detections.filter((detection) => detection && 'failure' in detection).length;
  logger.info('Sentiments detected', { documents: detections.length, languages: [...groups.keys()], sentimentCalls, failed });
  return detections as Detection[];
}

export const handler = lambdaHandler(async (event: TriageStateEvent | BatchSentimentEvent): Promise<SentimentResult | Detection[]> =>
  isBatchEvent(event) ? detectBatch(event) : detectOne(event),
).use(traceHandler());
