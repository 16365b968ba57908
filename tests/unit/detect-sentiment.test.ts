import { ComprehendClient, DetectSentimentCommand } from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/feedback-triage/detectSentiment/handler.js';
import { truncateUtf8 } from '../../functions/feedback-triage/detectSentiment/sentiment.js';
import type { TriageStateEvent } from '../../functions/shared/state-event.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const comprehend = mockClient(ComprehendClient);
const event = sampleEvent<TriageStateEvent>('detectSentiment');
const context = lambdaContext('detectSentiment');
const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

beforeAll(() => {
  process.env.SENTIMENT_LANGUAGE = 'en';
});
beforeEach(() => comprehend.reset());

describe('truncateUtf8', () => {
  it('leaves text within the limit untouched', () => {
    expect(truncateUtf8('héllo', 6)).toEqual({ text: 'héllo', bytes: 6, truncated: false });
  });

  it.each([
    ['two-byte', 'é'],
    ['three-byte', '€'],
    ['four-byte (surrogate pair)', '😀'],
  ])('never cuts a %s character in two', (_kind, char) => {
    const text = char.repeat(3000);
    const cut = truncateUtf8(text, 5000);
    expect(cut.truncated).toBe(true);
    expect(cut.bytes).toBe(byteLength(cut.text));
    expect(cut.bytes).toBeLessThanOrEqual(5000);
    expect(cut.bytes).toBeGreaterThan(5000 - byteLength(char));
    expect(cut.text.isWellFormed()).toBe(true);
  });

  it('keeps exactly 5,000 bytes of ASCII', () => {
    expect(truncateUtf8('a'.repeat(5000)).truncated).toBe(false);
    expect(truncateUtf8('a'.repeat(5001))).toMatchObject({ bytes: 5000, truncated: true });
  });
});

describe('detectSentiment handler', () => {
  it('returns the sentiment and the four scores', async () => {
    comprehend.on(DetectSentimentCommand).resolves({
      Sentiment: 'NEGATIVE',
      SentimentScore: { Positive: 0.01, Negative: 0.95, Neutral: 0.03, Mixed: 0.01 },
    });
    const result = await handler(event, context);
    expect(result).toEqual({
      sentiment: 'NEGATIVE',
      scores: { positive: 0.01, negative: 0.95, neutral: 0.03, mixed: 0.01 },
      truncated: false,
      analyzedBytes: byteLength(event.feedback.text),
    });
    expect(comprehend.commandCalls(DetectSentimentCommand)[0]?.args[0].input).toEqual({
      Text: event.feedback.text,
      LanguageCode: 'en',
    });
  });

  it('sends at most 5,000 bytes of long text', async () => {
    comprehend.on(DetectSentimentCommand).resolves({ Sentiment: 'NEUTRAL', SentimentScore: { Neutral: 1 } });
    const long = { ...event, feedback: { ...event.feedback, text: 'ü'.repeat(4000) } };
    const result = await handler(long, context);
    const sent = comprehend.commandCalls(DetectSentimentCommand)[0]?.args[0].input.Text ?? '';
    expect(byteLength(sent)).toBe(5000);
    expect(result).toMatchObject({ truncated: true, analyzedBytes: 5000 });
  });

  it.each([
    ['ThrottlingException', 400, 'TransientDependencyError'],
    ['InternalServerException', 500, 'TransientDependencyError'],
    ['UnsupportedLanguageException', 400, 'PermanentDependencyError'],
    ['TextSizeLimitExceededException', 400, 'PermanentDependencyError'],
    ['AccessDeniedException', 400, 'PermanentDependencyError'],
  ])('turns Comprehend %s (HTTP %d) into %s', async (name, status, expected) => {
    comprehend.on(DetectSentimentCommand).rejects(awsError(name, status));
    await expect(handler(event, context)).rejects.toMatchObject({ name: expected });
  });

  it('rejects empty text without calling Comprehend', async () => {
    const empty = { ...event, feedback: { ...event.feedback, text: '  ' } };
    await expect(handler(empty, context)).rejects.toMatchObject({ name: 'InvalidFeedbackError', field: 'text' });
    expect(comprehend.calls()).toHaveLength(0);
  });

  it('rejects an event without feedback', async () => {
    await expect(handler({} as TriageStateEvent, context)).rejects.toMatchObject({ name: 'InvalidFeedbackError' });
  });

  it('refuses an answer with an unknown sentiment', async () => {
    comprehend.on(DetectSentimentCommand).resolves({ Sentiment: 'ANGRY' as never });
    await expect(handler(event, context)).rejects.toThrow(/unknown sentiment/);
  });
});
