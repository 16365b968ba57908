/**
 * Minimal typings for vader-sentiment 1.1.3 (CommonJS, ships no types).
 * Under Node ESM / tsx / jest ESM, `import vader from 'vader-sentiment'` yields `module.exports`.
 */
declare module 'vader-sentiment' {
  export interface VaderPolarityScores {
    /** Proportion of the text that is negative, 0..1. */
    neg: number;
    /** Proportion of the text that is neutral, 0..1. */
    neu: number;
    /** Proportion of the text that is positive, 0..1. */
    pos: number;
    /** Normalised, weighted composite score, -1..1. */
    compound: number;
  }

  export interface SentimentIntensityAnalyzerStatic {
    polarity_scores(text: string): VaderPolarityScores;
  }

  const vader: { SentimentIntensityAnalyzer: SentimentIntensityAnalyzerStatic };
  export default vader;
}
