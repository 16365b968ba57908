// detectSentiment with SENTIMENT_LANGUAGE=auto: the language comes from Comprehend's dominant-language answer,
// falls back (and says so) when DetectSentiment does not support it, and per batch each language gets its own calls.
import {
  BatchDetectDominantLanguageCommand,
  BatchDetectSentimentCommand,
  ComprehendClient,
  DetectDominantLanguageCommand,
  DetectSentimentCommand,
} from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import type { BatchSentimentEvent, Detection } from '../../functions/feedback-triage/detectSentiment/batch.js';
import { handler } from '../../functions/feedback-triage/detectSentiment/handler.js';
import { chooseLanguage, languageSetting, SENTIMENT_LANGUAGES } from '../../functions/feedback-triage/detectSentiment/language.js';
import type { SentimentResult } from '../../functions/shared/feedback.js';
import type { TriageStateEvent } from '../../functions/shared/state-event.js';
import { SENTIMENT_LANGUAGES as STAND_IN_SENTIMENT_LANGUAGES } from '../../local/comprehend/server.js';
import { loadServiceDefinition } from '../../local/service-definition.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const comprehend = mockClient(ComprehendClient);
const event = sampleEvent<TriageStateEvent>('detectSentiment');
const context = lambdaContext('detectSentiment');
const saved = { language: process.env.SENTIMENT_LANGUAGE, fallback: process.env.SENTIMENT_FALLBACK_LANGUAGE };

const negative = { Sentiment: 'NEGATIVE' as const, SentimentScore: { Positive: 0.05, Negative: 0.9, Neutral: 0.03, Mixed: 0.02 } };
const dominant = (LanguageCode: string, Score = 0.98) => ({ Languages: [{ LanguageCode, Score }] });

beforeEach(() => {
  comprehend.reset();
  process.env.SENTIMENT_LANGUAGE = 'auto';
  process.env.SENTIMENT_FALLBACK_LANGUAGE = 'en';
});
afterAll(() => {
  for (const [name, value] of [['SENTIMENT_LANGUAGE', saved.language], ['SENTIMENT_FALLBACK_LANGUAGE', saved.fallback]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the SENTIMENT_LANGUAGE setting', () => {
  const read = (language: string, fallback = 'en') => languageSetting({ sentimentLanguage: () => language, sentimentFallbackLanguage: () => fallback });

  it('takes a language DetectSentiment supports, or auto with a supported fallback', () => {
    expect(read('de')).toEqual({ mode: 'fixed', language: 'de' });
    expect(read('zh-TW')).toEqual({ mode: 'fixed', language: 'zh-TW' });
    expect(read('auto', 'es')).toEqual({ mode: 'auto', fallback: 'es' });
  });

  it('refuses anything else with a message naming the values allowed', () => {
    expect(() => read('ru')).toThrow('SENTIMENT_LANGUAGE must be one of auto, ar, hi, ko, zh-TW, ja, zh, de, pt, en, it, fr, es');
    expect(() => read('EN')).toThrow(/got "EN"/);
    expect(() => read('auto', 'auto')).toThrow(/SENTIMENT_FALLBACK_LANGUAGE must be one of ar, .*, es \(Comprehend DetectSentiment's languages\), got "auto"/);
  });

  it('is valid as serverless/feedback-triage.yml sets it, and the stand-in accepts the same languages', () => {
    const environment = loadServiceDefinition().functions.detectSentiment!.environment;
    expect(() => languageSetting({ sentimentLanguage: () => environment.SENTIMENT_LANGUAGE as string, sentimentFallbackLanguage: () => environment.SENTIMENT_FALLBACK_LANGUAGE as string })).not.toThrow();
    expect([...STAND_IN_SENTIMENT_LANGUAGES].sort()).toEqual([...SENTIMENT_LANGUAGES].sort());
  });

  it('fails the invocation, before any call, when it is not valid', async () => {
    process.env.SENTIMENT_LANGUAGE = 'klingon';
    await expect(handler(event, context)).rejects.toThrow(/SENTIMENT_LANGUAGE must be one of/);
    expect(comprehend.calls()).toHaveLength(0);
  });
});

describe('chooseLanguage', () => {
  it('takes the first (highest-scored) language when DetectSentiment supports it', () => {
    expect(chooseLanguage({ Languages: [{ LanguageCode: 'pt', Score: 0.7 }, { LanguageCode: 'es', Score: 0.2 }] }, 'en')).toEqual({
      language: 'pt',
      languageSource: 'detected',
      detectedLanguage: 'pt',
    });
  });

  it('falls back, and records what was found, for a language it does not support or no answer', () => {
    expect(chooseLanguage(dominant('ru'), 'en')).toEqual({ language: 'en', languageSource: 'fallback', detectedLanguage: 'ru' });
    expect(chooseLanguage({ Languages: [] }, 'fr')).toEqual({ language: 'fr', languageSource: 'fallback', detectedLanguage: 'und' });
  });
});

describe('detectSentiment handler, auto, one feedback', () => {
  it('detects the language first, then the sentiment in it, and records both', async () => {
    comprehend.on(DetectDominantLanguageCommand).resolves(dominant('es'));
    comprehend.on(DetectSentimentCommand).resolves(negative);
    const result = (await handler(event, context)) as SentimentResult;
    expect(comprehend.commandCalls(DetectDominantLanguageCommand)[0]?.args[0].input).toEqual({ Text: event.feedback.text });
    expect(comprehend.commandCalls(DetectSentimentCommand)[0]?.args[0].input).toEqual({ Text: event.feedback.text, LanguageCode: 'es' });
    expect(result).toMatchObject({ sentiment: 'NEGATIVE', language: 'es', languageSource: 'detected', detectedLanguage: 'es' });
  });

  it('scores a language DetectSentiment does not support in the fallback, and says it fell back', async () => {
    process.env.SENTIMENT_FALLBACK_LANGUAGE = 'de';
    comprehend.on(DetectDominantLanguageCommand).resolves(dominant('nl'));
    comprehend.on(DetectSentimentCommand).resolves(negative);
    const result = (await handler(event, context)) as SentimentResult;
    expect(comprehend.commandCalls(DetectSentimentCommand)[0]?.args[0].input.LanguageCode).toBe('de');
    expect(result).toMatchObject({ language: 'de', languageSource: 'fallback', detectedLanguage: 'nl' });
  });

  it('sends both calls the same text, cut to 5,000 bytes', async () => {
    comprehend.on(DetectDominantLanguageCommand).resolves(dominant('de'));
    comprehend.on(DetectSentimentCommand).resolves(negative);
    await handler({ ...event, feedback: { ...event.feedback, text: 'ü'.repeat(4000) } }, context);
    const sent = [comprehend.commandCalls(DetectDominantLanguageCommand)[0]?.args[0].input.Text, comprehend.commandCalls(DetectSentimentCommand)[0]?.args[0].input.Text];
    expect(sent.map((text) => Buffer.byteLength(text ?? '', 'utf8'))).toEqual([5000, 5000]);
  });

  it.each([
    ['ThrottlingException', 400, 'DependencyThrottledError'],
    ['InternalServerException', 500, 'TransientDependencyError'],
    ['TextSizeLimitExceededException', 400, 'PermanentDependencyError'],
  ])('names a failed DetectDominantLanguage (%s) as the workflow handles it, and asks no sentiment', async (name, status, expected) => {
    comprehend.on(DetectDominantLanguageCommand).rejects(awsError(name, status));
    await expect(handler(event, context)).rejects.toMatchObject({ name: expected, message: expect.stringContaining('DetectDominantLanguage') });
    expect(comprehend.commandCalls(DetectSentimentCommand)).toHaveLength(0);
  });

  it('keeps a fixed language as before: one call, no language detection', async () => {
    process.env.SENTIMENT_LANGUAGE = 'fr';
    comprehend.on(DetectSentimentCommand).resolves(negative);
    const result = (await handler(event, context)) as SentimentResult;
    expect(comprehend.commandCalls(DetectDominantLanguageCommand)).toHaveLength(0);
    expect(result).toMatchObject({ language: 'fr', languageSource: 'configured' });
    expect(result).not.toHaveProperty('detectedLanguage');
  });
});

describe('detectSentiment handler, auto, a batch', () => {
  const texts = ['Un libro estupendo.', 'A wonderful book.', 'Ein schreckliches Buch.', 'Otro libro malo.', 'Книга хорошая.', 'A dull book.'];
  const languages = ['es', 'en', 'de', 'es', 'ru', 'en'];
  const batchOf = (count: number, textFor = (n: number) => texts[n % texts.length] as string): BatchSentimentEvent => ({
    items: Array.from({ length: count }, (_, n) => ({
      feedback: { ...event.feedback, feedbackId: `7a2d4e6f-1b3c-4d5e-8f9a-0b1c2d3e${String(n).padStart(4, '0')}`, text: textFor(n) },
      messageId: `m-${n}`,
    })),
  });
  const languageOf = (text: string) => languages[texts.indexOf(text)] ?? 'en';
  const detectLanguages = () =>
    comprehend.on(BatchDetectDominantLanguageCommand).callsFake((input: { TextList: string[] }) => ({
      ResultList: input.TextList.map((text, Index) => ({ Index, ...dominant(languageOf(text)) })),
      ErrorList: [],
    }));
  const scoreAll = () =>
    comprehend.on(BatchDetectSentimentCommand).callsFake((input: { TextList: string[] }) => ({
      ResultList: input.TextList.map((_, Index) => ({ Index, ...negative })),
      ErrorList: [],
    }));
  const runBatch = (batch: BatchSentimentEvent) => handler(batch, context) as Promise<Detection[]>;

  it('groups the documents by language: one BatchDetectSentiment per language, each result in its place', async () => {
    detectLanguages();
    scoreAll();
    const detections = await runBatch(batchOf(6));
    expect(comprehend.commandCalls(BatchDetectDominantLanguageCommand)).toHaveLength(1);
    const calls = comprehend.commandCalls(BatchDetectSentimentCommand).map((call) => [call.args[0].input.LanguageCode, call.args[0].input.TextList]);
    // Russian is not a DetectSentiment language: it joins the fallback's (en) group, in batch order.
    expect(calls).toEqual([
      ['es', ['Un libro estupendo.', 'Otro libro malo.']],
      ['en', ['A wonderful book.', 'Книга хорошая.', 'A dull book.']],
      ['de', ['Ein schreckliches Buch.']],
    ]);
    expect(detections.map((d) => ('sentiment' in d ? [d.sentiment.language, d.sentiment.languageSource, d.sentiment.detectedLanguage] : d.failure.Error))).toEqual([
      ['es', 'detected', 'es'],
      ['en', 'detected', 'en'],
      ['de', 'detected', 'de'],
      ['es', 'detected', 'es'],
      ['en', 'fallback', 'ru'],
      ['en', 'detected', 'en'],
    ]);
  });

  it('keeps Comprehend\'s limit of 25 documents a call in both operations', async () => {
    detectLanguages();
    scoreAll();
    const detections = await runBatch(batchOf(30, (n) => (n < 27 ? 'A wonderful book.' : 'Un libro estupendo.')));
    expect(comprehend.commandCalls(BatchDetectDominantLanguageCommand).map((call) => call.args[0].input.TextList?.length)).toEqual([25, 5]);
    expect(comprehend.commandCalls(BatchDetectSentimentCommand).map((call) => [call.args[0].input.LanguageCode, call.args[0].input.TextList?.length])).toEqual([
      ['en', 25],
      ['en', 2],
      ['es', 3],
    ]);
    expect(detections.every((d) => 'sentiment' in d)).toBe(true);
  });

  it('fails a document in BatchDetectDominantLanguage\'s ErrorList alone, and does not score it', async () => {
    comprehend.on(BatchDetectDominantLanguageCommand).resolves({
      ResultList: [{ Index: 0, ...dominant('es') }, { Index: 2, ...dominant('de') }],
      ErrorList: [{ Index: 1, ErrorCode: 'TextSizeLimitExceededException', ErrorMessage: 'too long' }],
    });
    scoreAll();
    const detections = await runBatch(batchOf(4));
    expect(detections[1]).toEqual({ failure: { Error: 'PermanentDependencyError', Cause: 'Comprehend BatchDetectDominantLanguage failed: TextSizeLimitExceededException: too long' } });
    // Comprehend said nothing about the fourth: transient, retried, not dead-lettered.
    expect(detections[3]).toEqual({ failure: { Error: 'TransientDependencyError', Cause: expect.stringContaining('BatchDetectDominantLanguage gave no result') } });
    expect(comprehend.commandCalls(BatchDetectSentimentCommand).flatMap((call) => call.args[0].input.TextList)).toEqual(['Un libro estupendo.', 'Ein schreckliches Buch.']);
    expect([detections[0], detections[2]].map((d) => d && 'sentiment' in d && d.sentiment.language)).toEqual(['es', 'de']);
  });

  it('fails a document in BatchDetectSentiment\'s ErrorList alone, its language group\'s neighbours scored', async () => {
    detectLanguages();
    comprehend.on(BatchDetectSentimentCommand).callsFake((input: { TextList: string[]; LanguageCode: string }) =>
      input.LanguageCode === 'es'
        ? { ResultList: [{ Index: 1, ...negative }], ErrorList: [{ Index: 0, ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] }
        : { ResultList: input.TextList.map((_, Index) => ({ Index, ...negative })), ErrorList: [] },
    );
    const detections = await runBatch(batchOf(6));
    expect(detections.map((d) => ('failure' in d ? d.failure.Error : 'ok'))).toEqual(['DependencyThrottledError', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('fails the whole batch when BatchDetectDominantLanguage itself is throttled, before any sentiment call', async () => {
    comprehend.on(BatchDetectDominantLanguageCommand).rejects(awsError('ThrottlingException', 400));
    await expect(runBatch(batchOf(3))).rejects.toMatchObject({ name: 'DependencyThrottledError', message: expect.stringContaining('BatchDetectDominantLanguage') });
    expect(comprehend.commandCalls(BatchDetectSentimentCommand)).toHaveLength(0);
  });
});

describe('the stored record', () => {
  it('keeps the language the sentiment was detected in, where it came from and what was found', async () => {
    const { toFeedbackRecord } = await import('../../functions/shared/feedback-store.js');
    const sentiment: SentimentResult = {
      sentiment: 'NEGATIVE',
      scores: { positive: 0.05, negative: 0.9, neutral: 0.03, mixed: 0.02 },
      truncated: false,
      analyzedBytes: 30,
      language: 'en',
      languageSource: 'fallback',
      detectedLanguage: 'ru',
    };
    expect(toFeedbackRecord(event.feedback, sentiment, new Date('2026-11-30T00:00:00Z'), 30)).toMatchObject({ language: 'en', languageSource: 'fallback', detectedLanguage: 'ru' });
  });
});
