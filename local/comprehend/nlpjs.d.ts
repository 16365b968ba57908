/**
 * Minimal typings for the parts of nlp.js 4.26.1 the Comprehend stand-in uses (CommonJS, ships no types):
 * a container that language plugins register their tokenizer, stemmer and sentiment lexicons in, and the
 * sentiment analyzer's tokenizing step.
 */
declare module '@nlpjs/core' {
  export class Container {
    use(plugin: unknown): void;
    get(name: string): unknown;
  }
  const core: { Container: typeof Container };
  export default core;
}

declare module '@nlpjs/sentiment' {
  export class SentimentAnalyzer {
    constructor(settings: { container: unknown });
    /** The text's tokens as the language's tokenizer (and stemmer, when `stemmed`) makes them. */
    prepare(locale: string, text: string, settings: unknown, stemmed: boolean): string[];
    process(input: { locale: string; text: string }): Promise<{ sentiment: { score: number; numWords: number; numHits: number } }>;
  }
  const sentiment: { SentimentAnalyzer: typeof SentimentAnalyzer };
  export default sentiment;
}

declare module '@nlpjs/lang-de' {
  const lang: { LangDe: unknown };
  export default lang;
}
declare module '@nlpjs/lang-es' {
  const lang: { LangEs: unknown };
  export default lang;
}
declare module '@nlpjs/lang-fr' {
  const lang: { LangFr: unknown };
  export default lang;
}
declare module '@nlpjs/lang-it' {
  const lang: { LangIt: unknown };
  export default lang;
}
declare module '@nlpjs/lang-pt' {
  const lang: { LangPt: unknown };
  export default lang;
}
