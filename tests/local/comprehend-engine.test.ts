// The pure sentiment / language engine behind the Comprehend stand-in.
import { classify, detectDominantLanguage, detectSentiment, SENTIMENT_K } from '../../local/comprehend/engine.js';

describe('detectSentiment', () => {
  it('labels clear book feedback', () => {
    expect(detectSentiment('I loved this book, a wonderful read!').Sentiment).toBe('POSITIVE');
    expect(detectSentiment('Terrible book. Boring and badly written.').Sentiment).toBe('NEGATIVE');
    expect(detectSentiment('The next meeting is on the 14th.').Sentiment).toBe('NEUTRAL');
    expect(detectSentiment('Great characters, awful pacing.').Sentiment).toBe('MIXED');
  });

  it('is deterministic', () => {
    const text = 'The middle dragged, but the last chapter was brilliant.';
    expect(detectSentiment(text)).toEqual(detectSentiment(text));
  });

  it('follows the documented formula', () => {
    // s = 0.3, no mixed signal: z = (k*0.25, -k*0.35, 0, -k*0.15)
    const r = classify({ s: 0.3, pos: 0.4, neg: 0 }, 10);
    const z = [2.5, -3.5, 0, -1.5].map(Math.exp);
    const total = z.reduce((a, b) => a + b, 0);
    expect(r.Sentiment).toBe('POSITIVE');
    expect(r.SentimentScore.Positive).toBeCloseTo(z[0]! / total, 12);
    expect(r.SentimentScore.Negative).toBeCloseTo(z[1]! / total, 12);
    expect(r.SentimentScore.Neutral).toBeCloseTo(z[2]! / total, 12);
    expect(r.SentimentScore.Mixed).toBeCloseTo(z[3]! / total, 12);
  });

  it('k changes the scores but never the label', () => {
    const cases = [
      { s: 0.3, pos: 0.4, neg: 0 },
      { s: -0.02, pos: 0.3, neg: 0.3 },
      { s: 0.04, pos: 0, neg: 0 },
      { s: -0.5, pos: 0.1, neg: 0.4 },
    ];
    for (const c of cases) {
      const labels = new Set([1, 5, SENTIMENT_K, 20, 50].map((k) => classify(c, k).Sentiment));
      expect(labels.size).toBe(1);
    }
    expect(classify({ s: 0.3, pos: 0.4, neg: 0 }, 20).SentimentScore.Positive).toBeGreaterThan(
      classify({ s: 0.3, pos: 0.4, neg: 0 }, 5).SentimentScore.Positive,
    );
  });

  it('treats the neutral band and MIXED threshold as documented', () => {
    expect(classify({ s: 0.05, pos: 0, neg: 0 }).Sentiment).toBe('NEUTRAL');
    expect(classify({ s: 0.051, pos: 0, neg: 0 }).Sentiment).toBe('POSITIVE');
    expect(classify({ s: -0.051, pos: 0, neg: 0 }).Sentiment).toBe('NEGATIVE');
    expect(classify({ s: 0, pos: 0.2, neg: 0.2 }).Sentiment).toBe('MIXED');
    expect(classify({ s: 0, pos: 0.07, neg: 0.07 }).Sentiment).toBe('NEUTRAL');
  });
});

describe('detectDominantLanguage', () => {
  it('falls back to und when there are no letters', () => {
    expect(detectDominantLanguage('12345 !!!')).toEqual({ Languages: [{ LanguageCode: 'und', Score: 0 }] });
  });

  it('splits mixed-script text by letter share, highest first', () => {
    const { Languages } = detectDominantLanguage('The book 这是一本书');
    expect(Languages.map((l) => l.LanguageCode)).toEqual(['en', 'zh']);
    expect(Languages[0]!.Score + Languages[1]!.Score).toBeCloseTo(1, 12);
  });

  it('recognises Japanese by kana even next to kanji', () => {
    expect(detectDominantLanguage('日本の本を読みました').Languages[0]!.LanguageCode).toBe('ja');
  });
});
