// What makes an image offensive for a book club: the one place that reads Rekognition's moderation labels
// and decides. Rekognition's taxonomy (model version 7) has three levels; an answer lists each label found
// with its parents up to the top-level category.
// https://docs.aws.amazon.com/rekognition/latest/dg/moderation-api.html
import type { FlaggedImage, ImageRef, ModerateImagesOutput, ModerationLabel } from '../shared/contract.js';

/** Each second-level label and its top-level category, for answers that leave a parent out. */
const TOP_LEVEL_CATEGORY: Readonly<Record<string, string>> = {
  'Explicit Nudity': 'Explicit',
  'Explicit Sexual Activity': 'Explicit',
  'Sex Toys': 'Explicit',
  'Non-Explicit Nudity': 'Non-Explicit Nudity of Intimate parts and Kissing',
  'Obstructed Intimate Parts': 'Non-Explicit Nudity of Intimate parts and Kissing',
  'Kissing on the Lips': 'Non-Explicit Nudity of Intimate parts and Kissing',
  'Female Swimwear or Underwear': 'Swimwear or Underwear',
  'Male Swimwear or Underwear': 'Swimwear or Underwear',
  Weapons: 'Violence',
  'Graphic Violence': 'Violence',
  'Death and Emaciation': 'Visually Disturbing',
  Crashes: 'Visually Disturbing',
  Products: 'Drugs & Tobacco',
  'Drugs & Tobacco Paraphernalia & Use': 'Drugs & Tobacco',
  'Alcohol Use': 'Alcohol',
  'Alcoholic Beverages': 'Alcohol',
  'Middle Finger': 'Rude Gestures',
  Gambling: 'Gambling',
  'Nazi Party': 'Hate Symbols',
  'White Supremacy': 'Hate Symbols',
  Extremist: 'Hate Symbols',
};

/**
 * The top-level categories that make a handout unfit to share unseen. Swimwear or Underwear, Alcohol,
 * Drugs & Tobacco and Gambling are left out: book covers and period illustrations show a glass of wine, a
 * pipe, a beach or a card table all the time, and flagging them would bury the alerts that matter.
 */
export const OFFENSIVE_CATEGORIES: ReadonlySet<string> = new Set([
  'Explicit',
  'Non-Explicit Nudity of Intimate parts and Kissing',
  'Violence',
  'Visually Disturbing',
  'Rude Gestures',
  'Hate Symbols',
]);

/**
 * Labels inside those categories that a book club expects on covers and in classic art: a kiss, a bare
 * back, a sword or a pistol on a thriller. A label under one of these (or the label itself) does not flag.
 */
export const TOLERATED_LABELS: ReadonlySet<string> = new Set(['Kissing on the Lips', 'Bare Back', 'Exposed Male Nipple', 'Weapons']);

/** Labels kept per flagged image: enough for the alert, small enough for the state's 256 KB. */
export const MAX_LABELS_PER_FLAGGED_IMAGE = 5;
/**
 * Flagged images a batch lists (the rest are counted). A listed image takes up to about 450 bytes, so 40
 * batches (1,000 images) list at most about 90 KB, whatever the document holds.
 */
export const MAX_FLAGGED_LISTED_PER_BATCH = 5;

/** The label's ancestry, itself first, up to its top-level category (bounded against a malformed answer). */
function lineage(label: ModerationLabel, byName: ReadonlyMap<string, ModerationLabel>): string[] {
  const names = [label.name];
  let parent = label.parentName;
  while (parent && names.length < 4 && !names.includes(parent)) {
    names.push(parent);
    parent = byName.get(parent)?.parentName;
  }
  const last = names[names.length - 1] as string;
  const topLevel = TOP_LEVEL_CATEGORY[last];
  if (topLevel && !names.includes(topLevel)) names.push(topLevel);
  return names;
}

/**
 * The labels that make the image offensive: the most specific labels found (those no other label names as
 * parent) whose top-level category is offensive and whose ancestry holds no tolerated label. Highest
 * confidence first; empty when the image is fine.
 */
export function offendingLabels(labels: readonly ModerationLabel[]): ModerationLabel[] {
  const byName = new Map(labels.map((label) => [label.name, label]));
  const parents = new Set(labels.map((label) => label.parentName).filter(Boolean));
  return labels
    .filter((label) => !parents.has(label.name))
    .filter((label) => {
      const names = lineage(label, byName);
      return OFFENSIVE_CATEGORIES.has(names[names.length - 1] as string) && !names.some((name) => TOLERATED_LABELS.has(name));
    })
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, MAX_LABELS_PER_FLAGGED_IMAGE);
}

/** Rekognition's label as the contract keeps it: top-level labels have ParentName "", kept as no parent. */
export function toModerationLabel(label: { Name?: string; ParentName?: string; Confidence?: number }): ModerationLabel | undefined {
  if (!label.Name) return undefined;
  return {
    name: label.Name,
    ...(label.ParentName ? { parentName: label.ParentName } : {}),
    confidence: Math.round((label.Confidence ?? 0) * 10) / 10,
  };
}

/** What Rekognition said about one image: its labels, or why it could not look at it. */
export type ImageResult = { image: ImageRef; labels: ModerationLabel[] } | { image: ImageRef; skipped: string };

/** The batch's result from each image's: counts, and the first images whose labels offend, with those labels. */
export function summarize(results: readonly ImageResult[], skippedBeforehand: number): ModerateImagesOutput {
  const flagged: FlaggedImage[] = [];
  let moderated = 0;
  let skipped = skippedBeforehand;
  for (const result of results) {
    if ('skipped' in result) {
      skipped++;
      continue;
    }
    moderated++;
    const labels = offendingLabels(result.labels);
    if (labels.length > 0) flagged.push({ imageKey: result.image.imageKey, page: result.image.page, labels });
  }
  return { moderated, skipped, offensive: flagged.length > 0, flagged: flagged.slice(0, MAX_FLAGGED_LISTED_PER_BATCH), flaggedCount: flagged.length };
}
