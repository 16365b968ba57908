// The pure sentiment / language engine behind the Comprehend stand-in.
import nlpjsCore from '@nlpjs/core';
import nlpjsSentiment from '@nlpjs/sentiment';
import nlpjsLangDe from '@nlpjs/lang-de';
import nlpjsLangEs from '@nlpjs/lang-es';
import nlpjsLangFr from '@nlpjs/lang-fr';
import nlpjsLangIt from '@nlpjs/lang-it';
import nlpjsLangPt from '@nlpjs/lang-pt';
import {
  classify,
  detectDominantLanguage,
  detectSentiment,
  loadLanguageDetector,
  multilingualSignals,
  NLPJS_LANGUAGES,
  nlpjsScore,
  nlpjsSignals,
  SENTIMENT_K,
} from '../../local/comprehend/engine.js';
import { loadLabelledFeedback } from '../../scripts/sentiment-languages-data.js';
import { SENTIMENT_LANGUAGES } from '../../local/comprehend/server.js';

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

describe('detectSentiment in languages other than English', () => {
  // The reports: praise in es / de / ja and Arabic "very bad book" all came back NEUTRAL.
  it.each([
    ['es', 'Me encanta este libro, es maravilloso.', 'POSITIVE'],
    ['de', 'Ich liebe dieses Buch, es ist wunderbar.', 'POSITIVE'],
    ['ja', 'この本が大好きです。素晴らしい！', 'POSITIVE'],
    ['fr', 'Ce livre est nul et ennuyeux.', 'NEGATIVE'],
    ['it', 'Questo libro è terribile e noioso.', 'NEGATIVE'],
    ['zh', '这本书太糟糕了。', 'NEGATIVE'],
    ['ko', '이 책은 정말 좋아요.', 'POSITIVE'],
  ])('%s: %s is %s', (language, text, label) => {
    expect(detectSentiment(text, language).Sentiment).toBe(label);
    // The same text through the English engine: what every language got before routing.
    expect(detectSentiment(text).Sentiment).toBe('NEUTRAL');
  });

  it('negates in the language of the text', () => {
    expect(detectSentiment('Me gustó mucho.', 'es').Sentiment).toBe('POSITIVE');
    expect(detectSentiment('No me gustó.', 'es').Sentiment).toBe('NEGATIVE');
  });

  it('scores zh-TW with the shared Chinese characters', () => {
    expect(detectSentiment('這本書太糟糕了。', 'zh-TW').Sentiment).toBe('NEGATIVE');
  });

  it('answers every language the server accepts, with scores that sum to 1', () => {
    for (const language of SENTIMENT_LANGUAGES) {
      const { SentimentScore } = detectSentiment('ok 123', language);
      const total = SentimentScore.Positive + SentimentScore.Negative + SentimentScore.Neutral + SentimentScore.Mixed;
      expect(total).toBeCloseTo(1, 12);
    }
  });

  it('keeps s in (-1, 1) however long the praise', () => {
    for (const signals of [nlpjsSignals('maravilloso '.repeat(500), 'es'), multilingualSignals('جيد '.repeat(500), 'ar')]) {
      expect(signals.s).toBeGreaterThan(0.99);
      expect(signals.s).toBeLessThan(1);
    }
  });

  it('refuses a language it has no lexicon for', () => {
    expect(() => multilingualSignals('hola', 'xx')).toThrow(/no sentiment lexicon/);
    expect(() => nlpjsScore('hola', 'xx')).toThrow(/no nlp.js sentiment lexicon/);
  });
});

describe('detectSentiment in es, fr, de, it, pt (nlp.js lexicons)', () => {
  // Clear sentences outside the measured set (tests/fixtures/sentiment-languages): polarity and routing, not accuracy.
  it.each([
    ['en', 'A brilliant, joyful story that I will happily read again.', 'POSITIVE'],
    ['en', 'Dull and badly edited; I hated the ending.', 'NEGATIVE'],
    ['es', 'Es una historia fantástica y muy emocionante.', 'POSITIVE'],
    ['es', 'Es un libro horrible y aburrido.', 'NEGATIVE'],
    ['fr', 'Une histoire formidable, drôle et touchante.', 'POSITIVE'],
    ['fr', 'Un livre horrible et ennuyeux.', 'NEGATIVE'],
    ['de', 'Eine fantastische, spannende Geschichte.', 'POSITIVE'],
    ['de', 'Das Buch ist schlecht und langweilig.', 'NEGATIVE'],
    ['it', 'Una storia fantastica, divertente e commovente.', 'POSITIVE'],
    ['it', 'Un libro orribile e noioso.', 'NEGATIVE'],
    ['pt', 'Uma história fantástica e muito divertida.', 'POSITIVE'],
    ['pt', 'Um livro horrível e aborrecido.', 'NEGATIVE'],
  ])('%s: %s is %s', (language, text, label) => {
    expect(detectSentiment(text, language).Sentiment).toBe(label);
  });

  it('sums each text as nlp.js does: its score equals the package\'s own, on every labelled text', async () => {
    const container = new nlpjsCore.Container();
    for (const language of [nlpjsLangDe.LangDe, nlpjsLangEs.LangEs, nlpjsLangFr.LangFr, nlpjsLangIt.LangIt, nlpjsLangPt.LangPt]) container.use(language);
    const analyzer = new nlpjsSentiment.SentimentAnalyzer({ container });
    const items = loadLabelledFeedback().filter((item) => NLPJS_LANGUAGES.has(item.language));
    expect(items.length).toBeGreaterThanOrEqual(150);
    let nonZero = 0;
    for (const item of items) {
      const expected = (await analyzer.process({ locale: item.language, text: item.text })).sentiment.score;
      expect({ text: item.text, score: nlpjsScore(item.text, item.language).score }).toEqual({ text: item.text, score: expect.closeTo(expected, 12) });
      if (expected !== 0) nonZero++;
    }
    // The comparison means something only if the lexicons scored most texts.
    expect(nonZero).toBeGreaterThan(items.length / 2);
  });

  it('keeps praise and complaint apart (the shares MIXED is decided on), in the package\'s sum', () => {
    const text = 'Los personajes son maravillosos pero la trama es horrible.';
    const { positive, negative, score } = nlpjsScore(text, 'es');
    expect(positive).toBeGreaterThan(0);
    expect(negative).toBeGreaterThan(0);
    expect(score).toBeCloseTo(positive - negative, 12);
    const { pos, neg } = nlpjsSignals(text, 'es');
    expect(pos).toBeGreaterThan(0);
    expect(neg).toBeGreaterThan(pos);
  });
});

describe('detectDominantLanguage', () => {
  beforeAll(() => loadLanguageDetector());

  it('falls back to und when there are no letters', () => {
    expect(detectDominantLanguage('12345 !!!')).toEqual({ Languages: [{ LanguageCode: 'und', Score: 0 }] });
  });

  it('splits mixed-script text by letter share, highest first', () => {
    const { Languages } = detectDominantLanguage('The book 这是一本书');
    expect(Languages.slice(0, 2).map((l) => l.LanguageCode)).toEqual(['en', 'zh']);
    // zh has its share of letters (5 of 12); eld shares the Latin 7 among en and a tail under 0.01 left out.
    expect(Languages[1]!.Score).toBeCloseTo(5 / 12, 12);
    expect(Languages.reduce((sum, l) => sum + l.Score, 0)).toBeLessThanOrEqual(1 + 1e-12);
  });

  it.each([
    ['en', 'The reading group meets at the library every second Thursday.'],
    ['es', 'El grupo de lectura se reúne en la biblioteca cada dos jueves.'],
    ['fr', 'Le club de lecture se réunit à la bibliothèque un jeudi sur deux.'],
    ['de', 'Der Lesekreis trifft sich jeden zweiten Donnerstag in der Bibliothek.'],
    ['it', 'Il gruppo di lettura si riunisce in biblioteca ogni due giovedì.'],
    ['pt', 'O clube de leitura reúne-se na biblioteca de duas em duas quintas-feiras.'],
    // Short reviews, where neighbouring languages share most n-grams.
    ['es', 'Un libro maravilloso, lo recomiendo.'],
    ['it', 'Questo libro è bellissimo.'],
  ])('tells %s from the other Latin-script languages', (language, text) => {
    const [top, runnerUp] = detectDominantLanguage(text).Languages;
    expect(top?.LanguageCode).toBe(language);
    expect(runnerUp?.Score ?? 0).toBeLessThan(top!.Score);
  });

  it('recognises Japanese by kana even next to kanji', () => {
    expect(detectDominantLanguage('日本の本を読みました').Languages[0]!.LanguageCode).toBe('ja');
  });
});
