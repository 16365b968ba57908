// The alert the team reads when feedback is negative: plain text, ids and a short excerpt only.
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { excerpt, type Feedback, type SentimentResult } from '../../shared/feedback.js';

export interface Alert {
  subject: string;
  message: string;
  attributes: Record<string, MessageAttributeValue>;
}

const score = (value: number) => value.toFixed(2);

export function formatAlert(feedback: Feedback, sentiment: SentimentResult): Alert {
  const { scores } = sentiment;
  const rating = feedback.rating === undefined ? 'no rating' : `rated ${feedback.rating}/5`;
  const lines = [
    `${sentiment.sentiment} feedback on book ${feedback.bookId} (${rating})`,
    '',
    `Sentiment: ${sentiment.sentiment} (negative ${score(scores.negative)}, positive ${score(scores.positive)}, ` +
      `neutral ${score(scores.neutral)}, mixed ${score(scores.mixed)})`,
    `Excerpt: "${excerpt(feedback.text)}"`,
    '',
    `Feedback id: ${feedback.feedbackId}`,
    `Submitted at: ${feedback.submittedAt}`,
  ];
  if (feedback.readerId) lines.push(`Reader id: ${feedback.readerId}`);
  const attributes: Record<string, MessageAttributeValue> = {
    sentiment: { DataType: 'String', StringValue: sentiment.sentiment },
    bookId: { DataType: 'String', StringValue: feedback.bookId },
    feedbackId: { DataType: 'String', StringValue: feedback.feedbackId },
  };
  if (feedback.rating !== undefined) attributes.rating = { DataType: 'Number', StringValue: String(feedback.rating) };
  return {
    // SNS subjects: ASCII, no line breaks, at most 100 characters; bookId is validated to fit.
    subject: `${sentiment.sentiment === 'NEGATIVE' ? 'Negative' : 'Mixed, mostly negative'} feedback on ${feedback.bookId}`.slice(0, 100),
    message: lines.join('\n'),
    attributes,
  };
}
