/**
 * Measures the local Comprehend stand-in per language on the hand-written labelled set
 * tests/fixtures/sentiment-languages/feedback.tsv: language detection (DetectDominantLanguage's top language),
 * sentiment in the labelled language (DetectSentiment), and both chained as SENTIMENT_LANGUAGE=auto chains them.
 *
 *   npm run measure:sentiment-languages
 *
 * Prints the table; scripts/measure-sentiment.ts puts the same table into docs/SENTIMENT.md. Nothing here feeds back
 * into the engines.
 */
import { fileURLToPath } from 'node:url';
import { detectDominantLanguage, detectSentiment, loadLanguageDetector } from '../local/comprehend/engine.js';
import { SENTIMENT_LANGUAGES } from '../local/comprehend/server.js';
import { loadLabelledFeedback, scoreLabels, type Gold, type LabelledFeedback } from './sentiment-languages-data.js';

await loadLanguageDetector();

/** The fallback the measured auto chain uses for a language DetectSentiment does not take (the shipped setting's). */
const FALLBACK_LANGUAGE = 'en';

/** Comprehend's label folded into three: MIXED counts as the sign of Positive − Negative. */
function threeClass(text: string, language: string): Gold {
  const { Sentiment, SentimentScore } = detectSentiment(text, language);
  if (Sentiment !== 'MIXED') return Sentiment;
  const lean = SentimentScore.Positive - SentimentScore.Negative;
  return lean > 0 ? 'POSITIVE' : lean < 0 ? 'NEGATIVE' : 'NEUTRAL';
}

function row(items: LabelledFeedback[]): string {
  const detected = items.map((item) => detectDominantLanguage(item.text).Languages[0]?.LanguageCode ?? 'und');
  const detection = detected.filter((code, i) => code === items[i]!.language).length / items.length;
  const gold = items.map((item) => item.gold);
  const given = scoreLabels(gold, items.map((item) => threeClass(item.text, item.language)));
  const chained = scoreLabels(
    gold,
    items.map((item, i) => threeClass(item.text, SENTIMENT_LANGUAGES.has(detected[i]!) ? detected[i]! : FALLBACK_LANGUAGE)),
  );
  const pct = (x: number) => (100 * x).toFixed(1);
  return `${items.length} | ${pct(detection)} | ${pct(given.accuracy)} | ${pct(given.macroF1)} | ${pct(given.negativeRecall)} | ${pct(chained.accuracy)} |`;
}

/** The per-language table, each language on its dev and held-out parts, and every language together. */
export function languageTable(items: LabelledFeedback[] = loadLabelledFeedback()): string {
  const languages = [...new Set(items.map((item) => item.language))];
  const rows: string[] = [];
  for (const language of languages) {
    for (const split of ['dev', 'heldout'] as const) {
      rows.push(`| ${language} | ${split} | ${row(items.filter((item) => item.language === language && item.split === split))}`);
    }
  }
  for (const split of ['dev', 'heldout'] as const) rows.push(`| **all** | ${split} | ${row(items.filter((item) => item.split === split))}`);
  return [
    '| language | part | n | language detected % | sentiment accuracy % | macro-F1 % | NEGATIVE recall % | auto (detected, then sentiment) accuracy % |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(languageTable());
