// The hand-written labelled feedback per language (tests/fixtures/sentiment-languages/feedback.tsv) and the scores
// reported on it: shared by the measurement scripts so both read and score the set the same way.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Gold = 'POSITIVE' | 'NEGATIVE' | 'NEUTRAL';
export const GOLD_LABELS: readonly Gold[] = ['POSITIVE', 'NEGATIVE', 'NEUTRAL'];

export interface LabelledFeedback {
  /** dev: looked at while choosing engines; heldout: never looked at before the choice, never tuned on. */
  split: 'dev' | 'heldout';
  language: string;
  gold: Gold;
  text: string;
}

export const LABELLED_FEEDBACK_FILE = fileURLToPath(new URL('../tests/fixtures/sentiment-languages/feedback.tsv', import.meta.url));

export function loadLabelledFeedback(file: string = LABELLED_FEEDBACK_FILE): LabelledFeedback[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '' && !line.startsWith('#'))
    .map(({ line, number }) => {
      const [split, language, gold, ...rest] = line.split('\t');
      if ((split !== 'dev' && split !== 'heldout') || !language || !GOLD_LABELS.includes(gold as Gold) || rest.length !== 1) {
        throw new Error(`${file}:${number}: expected split, language, gold and text separated by tabs`);
      }
      return { split, language, gold: gold as Gold, text: rest[0] as string };
    });
}

export interface LabelScores {
  n: number;
  accuracy: number;
  macroF1: number;
  negativeRecall: number;
}

/** Accuracy, macro-F1 over the three labels, and recall of NEGATIVE (the alerts depend on it). */
export function scoreLabels(gold: readonly Gold[], predicted: readonly Gold[]): LabelScores {
  const perLabel = GOLD_LABELS.map((label) => {
    let truePositives = 0;
    let predictedCount = 0;
    let actualCount = 0;
    gold.forEach((g, i) => {
      if (predicted[i] === label) predictedCount++;
      if (g === label) actualCount++;
      if (g === label && predicted[i] === label) truePositives++;
    });
    const precision = predictedCount ? truePositives / predictedCount : 0;
    const recall = actualCount ? truePositives / actualCount : 0;
    return { label, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
  });
  return {
    n: gold.length,
    accuracy: gold.length ? gold.filter((g, i) => g === predicted[i]).length / gold.length : 0,
    macroF1: perLabel.reduce((sum, l) => sum + l.f1, 0) / perLabel.length,
    negativeRecall: perLabel.find((l) => l.label === 'NEGATIVE')?.recall ?? 0,
  };
}
