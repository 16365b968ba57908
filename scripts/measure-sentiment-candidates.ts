/**
 * Compares the npm engines considered for the Comprehend stand-in's languages, on the hand-written labelled set
 * tests/fixtures/sentiment-languages/feedback.tsv: language identification (for DetectDominantLanguage) and
 * sentiment (for DetectSentiment in es, fr, de, it, pt). The candidates are not project dependencies: install them
 * in a scratch folder first and pass it.
 *
 *   mkdir -p /tmp/candidates && cd /tmp/candidates && npm init -y && npm install franc-min@6.2.0 eld@2.1.0 \
 *     tinyld@1.3.4 @nlpjs/language@4.25.0 @nlpjs/core@4.26.1 @nlpjs/sentiment@4.26.1 @nlpjs/lang-es@4.26.1 \
 *     @nlpjs/lang-fr@4.26.1 @nlpjs/lang-de@4.26.1 @nlpjs/lang-it@4.26.1 @nlpjs/lang-pt@4.26.1
 *   npx tsx scripts/measure-sentiment-candidates.ts /tmp/candidates
 *
 * Prints accuracy per engine and split, microseconds per call, and the size each package installs.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { detectDominantLanguage, detectSentiment, loadLanguageDetector } from '../local/comprehend/engine.js';
import { loadLabelledFeedback, scoreLabels, type Gold, type LabelledFeedback } from './sentiment-languages-data.js';

await loadLanguageDetector();

const candidates = path.resolve(process.argv[2] ?? '/tmp/candidates');
const modules = path.join(candidates, 'node_modules');
const requireCandidate = createRequire(path.join(candidates, 'package.json'));
const importCandidate = (file: string) => import(pathToFileURL(path.join(modules, file)).href);

/** ISO 639-3 (franc) to the 639-1 codes Comprehend answers with, for the languages measured. */
const ALPHA3: Record<string, string> = { eng: 'en', spa: 'es', fra: 'fr', deu: 'de', ita: 'it', por: 'pt' };

const items = loadLabelledFeedback();
const splits = ['dev', 'heldout'] as const;

function microsPerCall(fn: (text: string) => unknown, texts: string[], rounds = 5): number {
  for (const text of texts) fn(text);
  const start = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) for (const text of texts) fn(text);
  return Number(process.hrtime.bigint() - start) / 1000 / (rounds * texts.length);
}

function installedSize(...packages: string[]): string {
  const output = execFileSync('du', ['-sck', ...packages.map((name) => path.join(modules, name))], { encoding: 'utf8' });
  const kb = Number(output.trim().split('\n').at(-1)?.split('\t')[0]);
  return kb >= 1024 ? `${(kb / 1024).toFixed(1)} MB` : `${kb} KB`;
}

async function languageDetectors(): Promise<Array<{ name: string; size: string; detect: (text: string) => string }>> {
  const { franc } = (await importCandidate('franc-min/index.js')) as { franc: (text: string) => string };
  const eldLarge = (await importCandidate('eld/src/entries/static.large.js')).eld as { detect: (text: string) => { language: string } };
  const eldSmall = (await importCandidate('eld/src/entries/static.small.js')).eld as { detect: (text: string) => { language: string } };
  const eldExtraSmall = (await importCandidate('eld/src/entries/static.extrasmall.js')).eld as { detect: (text: string) => { language: string } };
  const tinyld = (await importCandidate('tinyld/dist/tinyld.normal.node.mjs')) as { detect: (text: string) => string };
  const tinyldHeavy = (await importCandidate('tinyld/dist/tinyld.heavy.node.mjs')) as { detect: (text: string) => string };
  const { Language } = requireCandidate('@nlpjs/language') as { Language: new () => { guess: (text: string, allow?: null, limit?: number) => Array<{ alpha2: string }> } };
  const nlpjs = new Language();
  const eldSizeOf = (db: string) => installedSize(`eld/src/ngrams/${db}.js`);
  return [
    { name: 'current heuristic (scripts + function words)', size: '0 (in engine.ts)', detect: (text) => detectDominantLanguage(text).Languages[0]?.LanguageCode ?? 'und' },
    { name: 'franc-min 6.2.0 (82 languages)', size: installedSize('franc-min', 'trigram-utils', 'n-gram', 'collapse-white-space'), detect: (text) => ALPHA3[franc(text)] ?? franc(text) },
    { name: 'eld 2.1.0, large database', size: `${eldSizeOf('large')} of ${installedSize('eld')}`, detect: (text) => eldLarge.detect(text).language || 'und' },
    { name: 'eld 2.1.0, small database', size: `${eldSizeOf('small')} of ${installedSize('eld')}`, detect: (text) => eldSmall.detect(text).language || 'und' },
    { name: 'eld 2.1.0, extra-small database', size: `${eldSizeOf('extrasmall')} of ${installedSize('eld')}`, detect: (text) => eldExtraSmall.detect(text).language || 'und' },
    { name: 'tinyld 1.3.4, normal', size: `0.6 MB file of ${installedSize('tinyld')}`, detect: (text) => tinyld.detect(text) || 'und' },
    { name: 'tinyld 1.3.4, heavy', size: `2.1 MB file of ${installedSize('tinyld')}`, detect: (text) => tinyldHeavy.detect(text) || 'und' },
    { name: '@nlpjs/language 4.25.0', size: installedSize('@nlpjs/language'), detect: (text) => nlpjs.guess(text, null, 1)[0]?.alpha2 ?? 'und' },
  ];
}

type Scorer = (text: string, language: string) => Promise<Gold> | Gold;

async function sentimentEngines(): Promise<Array<{ name: string; size: string; score: Scorer }>> {
  const { containerBootstrap } = requireCandidate('@nlpjs/core') as { containerBootstrap: () => Promise<{ use: (plugin: unknown) => void }> };
  const { SentimentAnalyzer } = requireCandidate('@nlpjs/sentiment') as {
    SentimentAnalyzer: new (settings: { container: unknown }) => { process: (input: { locale: string; text: string }) => Promise<{ sentiment: { score: number } }> };
  };
  const container = await containerBootstrap();
  for (const language of ['es', 'fr', 'de', 'it', 'pt']) {
    const plugin = requireCandidate(`@nlpjs/lang-${language}`) as Record<string, unknown>;
    container.use(plugin[`Lang${language[0]!.toUpperCase()}${language[1]}`]);
  }
  const analyzer = new SentimentAnalyzer({ container });
  const bySign = (score: number): Gold => (score > 0 ? 'POSITIVE' : score < 0 ? 'NEGATIVE' : 'NEUTRAL');
  const threeClass = (text: string, language: string): Gold => {
    const r = detectSentiment(text, language);
    if (r.Sentiment !== 'MIXED') return r.Sentiment;
    return bySign(r.SentimentScore.Positive - r.SentimentScore.Negative);
  };
  return [
    { name: 'multilang-sentiment 2.0.0 (current engine)', size: '(installed already)', score: threeClass },
    {
      name: '@nlpjs/sentiment 4.26.1 + lang-xx (sign of score)',
      size: installedSize('@nlpjs/sentiment', '@nlpjs/core', '@nlpjs/neural', '@nlpjs/language-min', '@nlpjs/lang-es', '@nlpjs/lang-fr', '@nlpjs/lang-de', '@nlpjs/lang-it', '@nlpjs/lang-pt'),
      score: async (text, language) => bySign((await analyzer.process({ locale: language, text })).sentiment.score),
    },
  ];
}

const pct = (x: number) => (100 * x).toFixed(1);

const detectors = await languageDetectors();
console.log('Language identification: share of texts whose top language is the labelled one');
console.log(`| engine | ${splits.map((s) => `${s} (n=${items.filter((i) => i.split === s).length})`).join(' | ')} | µs per call | installed size |`);
console.log(`| --- | ${splits.map(() => '---:').join(' | ')} | ---: | --- |`);
for (const detector of detectors) {
  const accuracy = splits.map((split) => {
    const part = items.filter((i) => i.split === split);
    return part.filter((i) => detector.detect(i.text) === i.language).length / part.length;
  });
  const wrong = items.filter((i) => i.split === 'dev' && detector.detect(i.text) !== i.language).map((i) => `${i.language}→${detector.detect(i.text)}`);
  console.log(`| ${detector.name} | ${accuracy.map(pct).join(' | ')} | ${microsPerCall(detector.detect, items.map((i) => i.text)).toFixed(0)} | ${detector.size} |`);
  if (wrong.length) console.log(`  dev misses: ${wrong.join(', ')}`);
}

const engines = await sentimentEngines();
const foreign = items.filter((i) => i.language !== 'en');
console.log('\nSentiment in es, fr, de, it, pt (labelled language given): accuracy / macro-F1 / NEGATIVE recall, %');
console.log(`| engine | ${splits.join(' | ')} | µs per call | installed size |`);
console.log(`| --- | ${splits.map(() => '---:').join(' | ')} | ---: | --- |`);
for (const engine of engines) {
  const cells: string[] = [];
  for (const split of splits) {
    const part = foreign.filter((i) => i.split === split);
    const predicted: Gold[] = [];
    for (const item of part) predicted.push(await engine.score(item.text, item.language));
    const m = scoreLabels(part.map((i) => i.gold), predicted);
    cells.push(`${pct(m.accuracy)} / ${pct(m.macroF1)} / ${pct(m.negativeRecall)}`);
  }
  const start = process.hrtime.bigint();
  for (const item of foreign) await engine.score(item.text, item.language);
  const micros = Number(process.hrtime.bigint() - start) / 1000 / foreign.length;
  console.log(`| ${engine.name} | ${cells.join(' | ')} | ${micros.toFixed(0)} | ${engine.size} |`);
  for (const language of ['es', 'fr', 'de', 'it', 'pt']) {
    const part: LabelledFeedback[] = foreign.filter((i) => i.language === language && i.split === 'dev');
    const predicted: Gold[] = [];
    for (const item of part) predicted.push(await engine.score(item.text, item.language));
    console.log(`  dev ${language}: ${pct(scoreLabels(part.map((i) => i.gold), predicted).accuracy)} %`);
  }
}
