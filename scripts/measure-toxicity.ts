// Measures the local DetectToxicContent engine on the labelled sets in tests/fixtures/toxicity/ (the set the
// lexicons were tuned on, and a held-out set written afterwards): precision and recall per label. `npm run measure:toxicity` prints the table and the
// misses; `-- --write` also puts the table into docs/TOXICITY.md between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { detectToxicity, TOXICITY_LABELS, type ToxicityLabelName } from '../local/comprehend/toxicity.js';

interface LabelledItem {
  text: string;
  labels: ToxicityLabelName[];
  /** negative, positive, or paraphrase (written without looking at the lexicons). */
  kind: string;
}

const SETS = [
  { title: 'Tuning set (labelled.jsonl: the lexicons were adjusted while looking at it)', file: 'labelled.jsonl' },
  { title: 'Held-out set (heldout.jsonl: written after the last change to the engine, never tuned on)', file: 'heldout.jsonl' },
];
const DOC = new URL('../docs/TOXICITY.md', import.meta.url);
const START = '<!-- measure:toxicity:start -->';
const END = '<!-- measure:toxicity:end -->';

const { values } = parseArgs({
  options: { threshold: { type: 'string', default: '0.5' }, write: { type: 'boolean', default: false } },
});
const threshold = Number(values.threshold);
if (!(threshold > 0 && threshold <= 1)) throw new Error(`--threshold must be in (0, 1], got ${values.threshold}`);

function readSet(file: string): LabelledItem[] {
  return readFileSync(new URL(`../tests/fixtures/toxicity/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const item = JSON.parse(line) as LabelledItem;
      for (const label of item.labels) if (!TOXICITY_LABELS.includes(label)) throw new Error(`${file} line ${i + 1}: unknown label ${label}`);
      return item;
    });
}

type Counts = { tp: number; fp: number; fn: number; support: number };
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');

function measure(title: string, items: LabelledItem[]): { table: string; misses: string[] } {
  const rows = new Map<string, Counts>([...TOXICITY_LABELS, 'ANY (Toxicity score)'].map((l) => [l, { tp: 0, fp: 0, fn: 0, support: 0 }]));
  const misses: string[] = [];
  const started = performance.now();
  for (const item of items) {
    const result = detectToxicity(item.text);
    const predicted = new Set(result.Labels.filter((l) => l.Score >= threshold).map((l) => l.Name));
    const tally = (row: Counts, truth: boolean, guess: boolean) => {
      if (truth) row.support++;
      if (truth && guess) row.tp++;
      else if (guess) row.fp++;
      else if (truth) row.fn++;
    };
    for (const label of TOXICITY_LABELS) tally(rows.get(label) as Counts, item.labels.includes(label), predicted.has(label));
    tally(rows.get('ANY (Toxicity score)') as Counts, item.labels.length > 0, result.Toxicity >= threshold);
    if (TOXICITY_LABELS.some((l) => item.labels.includes(l) !== predicted.has(l))) {
      misses.push(`- [${item.kind}] "${item.text}": expected [${item.labels.join(', ')}], got [${[...predicted].join(', ')}]`);
    }
  }
  const msPerItem = (performance.now() - started) / items.length;
  const kinds = items.reduce<Record<string, number>>((acc, i) => ({ ...acc, [i.kind]: (acc[i.kind] ?? 0) + 1 }), {});
  const table = [
    `### ${title}`,
    '',
    `${items.length} items (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}); threshold ${threshold}; ` +
      `${msPerItem.toFixed(2)} ms per item on this machine.`,
    '',
    '| label | support | TP | FP | FN | precision | recall |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[...rows].map(([label, c]) => `| ${label} | ${c.support} | ${c.tp} | ${c.fp} | ${c.fn} | ${pct(c.tp / (c.tp + c.fp))} | ${pct(c.tp / (c.tp + c.fn))} |`),
  ].join('\n');
  return { table, misses };
}

const results = SETS.map(({ title, file }) => measure(title, readSet(file)));
const report = results.map((r) => `${r.table}\n\nDisagreements (${r.misses.length}):\n\n${r.misses.join('\n')}`).join('\n\n');
console.log(report);

if (values.write) {
  const doc = readFileSync(DOC, 'utf8');
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) throw new Error(`docs/TOXICITY.md lacks the ${START} ... ${END} markers`);
  writeFileSync(DOC, `${doc.slice(0, from + START.length)}\n${report}\n${doc.slice(to)}`);
  console.log('\nwrote docs/TOXICITY.md');
}
