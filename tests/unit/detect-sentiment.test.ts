import { BatchDetectSentimentCommand, ComprehendClient, DetectSentimentCommand } from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { jest } from '@jest/globals';
import { THROTTLED_LOG_MESSAGE } from '../../functions/feedback-triage/detectSentiment/comprehend-errors.js';
import { logger } from '../../functions/shared/logger.js';
import { loadServiceDefinition } from '../../local/service-definition.js';
import { inCalls, readBatch, type BatchSentimentEvent, type Detection } from '../../functions/feedback-triage/detectSentiment/batch.js';
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
      language: 'en',
      languageSource: 'configured',
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
    ['ThrottlingException', 400, 'DependencyThrottledError'],
    ['TooManyRequestsException', 429, 'DependencyThrottledError'],
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

  it('refuses an answer with an unknown sentiment, for good (a named permanent error)', async () => {
    comprehend.on(DetectSentimentCommand).resolves({ Sentiment: 'ANGRY' as never });
    await expect(handler(event, context)).rejects.toMatchObject({ name: 'PermanentDependencyError', message: expect.stringMatching(/unknown sentiment/) });
  });
});

describe('detectSentiment handler, given a batch', () => {
  const feedbackFor = (n: number, text = `Feedback number ${n}.`) => ({
    ...event.feedback,
    feedbackId: `7a2d4e6f-1b3c-4d5e-8f9a-0b1c2d3e${String(n).padStart(4, '0')}`,
    text,
  });
  const batchOf = (count: number): BatchSentimentEvent => ({
    items: Array.from({ length: count }, (_, n) => ({ feedback: feedbackFor(n), messageId: `m-${n}` })),
    executionArn: event.executionArn,
  });
  const answer = (index: number, sentiment = 'NEGATIVE') => ({ Index: index, Sentiment: sentiment as 'NEGATIVE', SentimentScore: { Positive: 0.1, Negative: 0.8, Neutral: 0.05, Mixed: 0.05 } });
  const runBatch = (batch: BatchSentimentEvent) => handler(batch, context) as Promise<Detection[]>;

  it('makes one BatchDetectSentiment call for ten feedback and answers one detection per item, in order', async () => {
    comprehend.on(BatchDetectSentimentCommand).callsFake((input: { TextList: string[] }) => ({
      ResultList: input.TextList.map((_, index) => answer(index, index % 2 ? 'POSITIVE' : 'NEGATIVE')).reverse(),
      ErrorList: [],
    }));
    const detections = await runBatch(batchOf(10));
    expect(comprehend.commandCalls(BatchDetectSentimentCommand)).toHaveLength(1);
    expect(comprehend.commandCalls(DetectSentimentCommand)).toHaveLength(0);
    expect(comprehend.commandCalls(BatchDetectSentimentCommand)[0]?.args[0].input).toEqual({
      TextList: batchOf(10).items.map((item) => (item.feedback as { text: string }).text),
      LanguageCode: 'en',
    });
    expect(detections.map((d) => ('sentiment' in d ? d.sentiment.sentiment : d.failure.Error))).toEqual(
      Array.from({ length: 10 }, (_, n) => (n % 2 ? 'POSITIVE' : 'NEGATIVE')),
    );
    expect(detections[0]).toEqual({
      sentiment: {
        sentiment: 'NEGATIVE',
        scores: { positive: 0.1, negative: 0.8, neutral: 0.05, mixed: 0.05 },
        truncated: false,
        analyzedBytes: byteLength('Feedback number 0.'),
        language: 'en',
        languageSource: 'configured',
      },
    });
  });

  it('sends at most 25 documents a call, Comprehend\'s limit', async () => {
    comprehend.on(BatchDetectSentimentCommand).callsFake((input: { TextList: string[] }) => ({ ResultList: input.TextList.map((_, i) => answer(i)), ErrorList: [] }));
    const detections = await runBatch(batchOf(30));
    expect(comprehend.commandCalls(BatchDetectSentimentCommand).map((call) => call.args[0].input.TextList?.length)).toEqual([25, 5]);
    expect(detections).toHaveLength(30);
    expect(detections.every((d) => 'sentiment' in d)).toBe(true);
    expect(inCalls(readBatch(batchOf(51)).documents).map((call) => call.length)).toEqual([25, 25, 1]);
  });

  it('cuts each text to 5,000 bytes, as for one feedback', async () => {
    comprehend.on(BatchDetectSentimentCommand).callsFake((input: { TextList: string[] }) => ({ ResultList: input.TextList.map((_, i) => answer(i)), ErrorList: [] }));
    const batch = { items: [{ feedback: feedbackFor(1, 'ü'.repeat(4000)), messageId: 'm-1' }] };
    const [detection] = await runBatch(batch);
    expect(byteLength(comprehend.commandCalls(BatchDetectSentimentCommand)[0]?.args[0].input.TextList?.[0] ?? '')).toBe(5000);
    expect(detection).toMatchObject({ sentiment: { truncated: true, analyzedBytes: 5000 } });
  });

  it('fails a document in the ErrorList alone, named as DetectSentiment would name that error', async () => {
    comprehend.on(BatchDetectSentimentCommand).resolves({
      ResultList: [answer(0), answer(2)],
      ErrorList: [{ Index: 1, ErrorCode: 'TextSizeLimitExceededException', ErrorMessage: 'Input text size exceeds limit' }],
    });
    const detections = await runBatch(batchOf(4));
    expect(detections[0]).toHaveProperty('sentiment');
    expect(detections[1]).toEqual({
      failure: { Error: 'PermanentDependencyError', Cause: 'Comprehend BatchDetectSentiment failed: TextSizeLimitExceededException: Input text size exceeds limit' },
    });
    expect(detections[2]).toHaveProperty('sentiment');
    // Comprehend said nothing about the fourth: retried, not lost and not dead-lettered.
    expect(detections[3]).toEqual({ failure: { Error: 'TransientDependencyError', Cause: expect.stringContaining('no result and no error') } });
  });

  it('names a per-document internal error transient, and a per-document throttle as throttling', async () => {
    comprehend.on(BatchDetectSentimentCommand).resolves({
      ResultList: [],
      ErrorList: [
        { Index: 0, ErrorCode: 'InternalServerException', ErrorMessage: 'try again' },
        { Index: 1, ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
      ],
    });
    const detections = await runBatch(batchOf(2));
    expect(detections.map((d) => ('failure' in d ? d.failure.Error : 'ok'))).toEqual(['TransientDependencyError', 'DependencyThrottledError']);
  });

  it('fails feedback that is not valid alone, with InvalidFeedbackError, and does not send it', async () => {
    comprehend.on(BatchDetectSentimentCommand).callsFake((input: { TextList: string[] }) => ({ ResultList: input.TextList.map((_, i) => answer(i)), ErrorList: [] }));
    const batch = batchOf(3);
    (batch.items[1] as { feedback: unknown }).feedback = { ...feedbackFor(1), text: '   ' };
    const detections = await runBatch(batch);
    expect(comprehend.commandCalls(BatchDetectSentimentCommand)[0]?.args[0].input.TextList).toHaveLength(2);
    expect(detections.map((d) => ('failure' in d ? d.failure.Error : 'ok'))).toEqual(['ok', 'InvalidFeedbackError', 'ok']);
  });

  it.each([
    ['ThrottlingException', 400, 'DependencyThrottledError'],
    ['InternalServerException', 500, 'TransientDependencyError'],
    ['UnsupportedLanguageException', 400, 'PermanentDependencyError'],
    ['BatchSizeLimitExceededException', 400, 'PermanentDependencyError'],
  ])('fails the whole batch when the call itself fails: %s (HTTP %d) becomes %s', async (name, status, expected) => {
    comprehend.on(BatchDetectSentimentCommand).rejects(awsError(name, status));
    await expect(runBatch(batchOf(3))).rejects.toMatchObject({ name: expected, message: expect.stringContaining('BatchDetectSentiment') });
  });

  it('answers an empty batch without calling Comprehend, and refuses a batch without an items list', async () => {
    await expect(runBatch({ items: [] })).resolves.toEqual([]);
    expect(comprehend.calls()).toHaveLength(0);
    await expect(handler({ items: 'none' } as never, context)).rejects.toMatchObject({ name: 'InvalidFeedbackError', field: 'items' });
  });
});

describe('the throttling alarm', () => {
  it('counts the line the function logs when Comprehend throttles past the SDK\'s retries', async () => {
    const filter = loadServiceDefinition().resources.ComprehendThrottledMetricFilter?.Properties as { FilterPattern: string };
    expect(filter.FilterPattern).toBe(`{ $.message = "${THROTTLED_LOG_MESSAGE}" }`);
    const warn = jest.spyOn(logger, 'warn');
    try {
      comprehend.on(DetectSentimentCommand).rejects(awsError('ThrottlingException', 400));
      await expect(handler(event, context)).rejects.toMatchObject({ name: 'DependencyThrottledError' });
      expect(warn).toHaveBeenCalledWith(THROTTLED_LOG_MESSAGE, { operation: 'DetectSentiment' });
      warn.mockClear();
      comprehend.on(DetectSentimentCommand).rejects(awsError('InternalServerException', 500));
      await expect(handler(event, context)).rejects.toMatchObject({ name: 'TransientDependencyError' });
      expect(warn).not.toHaveBeenCalledWith(THROTTLED_LOG_MESSAGE, expect.anything());
    } finally {
      warn.mockRestore();
    }
  });
});
