// The alert the team reads when feedback is negative: plain text, ids and a short excerpt only.
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { excerpt, type Feedback, type SentimentResult } from '../../shared/feedback.js';

export interface Alert {
  subject: string;
  message: string;
  attributes: Record<string, MessageAttributeValue>;
}

const score = (value: number) => value.toFixed(2);

/** The dashboard's address for one item: the list of its sentiment, with the item picked out (dashboard.js reads `item`). */
export function dashboardLink(dashboardUrl: string, feedbackId: string, sentiment: string): string | undefined {
  if (!URL.canParse(dashboardUrl)) return undefined;
  const url = new URL(dashboardUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  url.searchParams.set('sentiment', sentiment === 'MIXED' ? 'MIXED' : 'NEGATIVE');
  url.searchParams.set('item', feedbackId);
  return url.toString();
}

/**
 * The alert for one feedback. `dashboardUrl` (DASHBOARD_URL, the stage's first dashboard address from
 * serverless.yml) adds a link to the item; without it the alert names the item by id only.
 */
export function formatAlert(feedback: Feedback, sentiment: SentimentResult, dashboardUrl: string | undefined = process.env.DASHBOARD_URL): Alert {
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
  const link = dashboardUrl ? dashboardLink(dashboardUrl, feedback.feedbackId, sentiment.sentiment) : undefined;
  if (link) lines.push(`Triage it: ${link}`);
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
