// DetectSentiment state: asks Amazon Comprehend for the sentiment of one feedback.
import { DetectSentimentCommand } from '@aws-sdk/client-comprehend';
import { comprehend } from '../../shared/clients.js';
import { config } from '../../shared/config.js';
import { classifyAwsError } from '../../shared/errors.js';
import { parseFeedback, type SentimentResult } from '../../shared/feedback.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import type { TriageStateEvent } from '../../shared/state-event.js';
import { toSentimentResult, truncateUtf8 } from './sentiment.js';

export const handler = lambdaHandler(async (event: TriageStateEvent): Promise<SentimentResult> => {
  const feedback = parseFeedback(event?.feedback);
  logger.appendKeys({ feedbackId: feedback.feedbackId, executionArn: event.executionArn });
  const analyzed = truncateUtf8(feedback.text);
  let answer;
  try {
    answer = await comprehend.send(
      new DetectSentimentCommand({ Text: analyzed.text, LanguageCode: config.sentimentLanguage() as 'en' }),
    );
  } catch (error) {
    throw classifyAwsError(error, 'Comprehend DetectSentiment');
  }
  const result = toSentimentResult(answer, analyzed);
  logger.info('Sentiment detected', {
    sentiment: result.sentiment,
    scores: result.scores,
    analyzedBytes: result.analyzedBytes,
    truncated: result.truncated,
  });
  return result;
});
