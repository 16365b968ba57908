// Rekognition's moderation label taxonomy, version 7 (three levels, each label with its parent), and the
// mapping from the local classifier's five classes onto it.

export const MODERATION_MODEL_VERSION = '7.0';

/** Level-1 category -> level-2 label -> its level-3 labels. */
const TAXONOMY_V7: Record<string, Record<string, readonly string[]>> = {
  Explicit: {
    'Explicit Nudity': ['Exposed Male Genitalia', 'Exposed Female Genitalia', 'Exposed Buttocks or Anus', 'Exposed Female Nipple'],
    'Explicit Sexual Activity': [],
    'Sex Toys': [],
  },
  'Non-Explicit Nudity of Intimate parts and Kissing': {
    'Non-Explicit Nudity': ['Bare Back', 'Exposed Male Nipple', 'Partially Exposed Buttocks', 'Partially Exposed Female Breast', 'Implied Nudity'],
    'Obstructed Intimate Parts': ['Obstructed Female Nipple', 'Obstructed Male Genitalia'],
    'Kissing on the Lips': [],
  },
  'Swimwear or Underwear': {
    'Female Swimwear or Underwear': [],
    'Male Swimwear or Underwear': [],
  },
  Violence: {
    Weapons: [],
    'Graphic Violence': ['Weapon Violence', 'Physical Violence', 'Self-Harm', 'Blood & Gore', 'Explosions and Blasts'],
  },
  'Visually Disturbing': {
    'Death and Emaciation': ['Emaciated Bodies', 'Corpses'],
    Crashes: ['Air Crash'],
  },
  'Rude Gestures': { 'Middle Finger': [] },
  'Drugs & Tobacco': {
    Products: ['Pills'],
    'Drugs & Tobacco Paraphernalia & Use': ['Smoking'],
  },
  Alcohol: {
    'Alcohol Use': ['Drinking'],
    'Alcoholic Beverages': [],
  },
  Gambling: { Gambling: [] },
  'Hate Symbols': {
    'Nazi Party': [],
    'White Supremacy': [],
    Extremist: [],
  },
};

export interface TaxonomyEntry {
  name: string;
  /** "" for a level-1 category, as Rekognition answers. */
  parentName: string;
  level: 1 | 2 | 3;
}

/** Every label by its path: "Gambling" is both a level-1 category and its own level-2 label. */
const ENTRIES: TaxonomyEntry[] = Object.entries(TAXONOMY_V7).flatMap(([l1, children]) => [
  { name: l1, parentName: '', level: 1 as const },
  ...Object.entries(children).flatMap(([l2, grandchildren]) => [
    { name: l2, parentName: l1, level: 2 as const },
    ...grandchildren.map((l3) => ({ name: l3, parentName: l2, level: 3 as const })),
  ]),
]);

/** The deepest entry of that name (a leaf names the most specific finding), with its ancestors first. */
export function lineage(name: string): TaxonomyEntry[] {
  const matches = ENTRIES.filter((e) => e.name === name);
  const entry = matches.sort((a, b) => b.level - a.level)[0];
  if (!entry) throw new Error(`"${name}" is not a label of Rekognition's moderation taxonomy v${MODERATION_MODEL_VERSION}`);
  const chain = [entry];
  let current = entry;
  while (current.parentName) {
    const parentName = current.parentName;
    const parent = ENTRIES.find((e) => e.name === parentName && e.level === current.level - 1);
    if (!parent) break;
    chain.unshift(parent);
    current = parent;
  }
  return chain;
}

/** The classifier's classes (nsfwjs): probabilities that sum to 1. */
export interface ClassProbabilities {
  Drawing: number;
  Hentai: number;
  Neutral: number;
  Porn: number;
  Sexy: number;
}

export interface ModerationLabelOut {
  Name: string;
  ParentName: string;
  Confidence: number;
  TaxonomyLevel: number;
}

export interface ContentTypeOut {
  Name: string;
  Confidence: number;
}

const percent = (p: number): number => Math.round(Math.min(1, Math.max(0, p)) * 1e6) / 1e4;

/**
 * nsfwjs's classes onto v7 labels. The classes are exclusive, so the probabilities of classes that land on
 * one label add up:
 * - Porn + Hentai -> Explicit / Explicit Nudity. The classifier cannot tell nudity from sexual activity,
 *   nor point at body parts, so it names neither a level-3 label nor Explicit Sexual Activity.
 * - Sexy -> Non-Explicit Nudity of Intimate parts and Kissing / Non-Explicit Nudity: v7 files revealing
 *   clothes and partial nudity (v6's "Suggestive") there.
 * - Drawing + Hentai -> the content type Illustrated, which v7 reports beside the labels.
 * - Neutral -> nothing. Violence, drugs, hate symbols and the rest are outside what this classifier
 *   knows: only the fixture table can produce them.
 */
export function labelsFromClasses(p: ClassProbabilities): { labels: ModerationLabelOut[]; contentTypes: ContentTypeOut[] } {
  const explicit = percent(p.Porn + p.Hentai);
  const suggestive = percent(p.Sexy);
  const labels: ModerationLabelOut[] = [
    { Name: 'Explicit', ParentName: '', Confidence: explicit, TaxonomyLevel: 1 },
    { Name: 'Explicit Nudity', ParentName: 'Explicit', Confidence: explicit, TaxonomyLevel: 2 },
    { Name: 'Non-Explicit Nudity of Intimate parts and Kissing', ParentName: '', Confidence: suggestive, TaxonomyLevel: 1 },
    {
      Name: 'Non-Explicit Nudity',
      ParentName: 'Non-Explicit Nudity of Intimate parts and Kissing',
      Confidence: suggestive,
      TaxonomyLevel: 2,
    },
  ];
  return { labels, contentTypes: [{ Name: 'Illustrated', Confidence: percent(p.Drawing + p.Hentai) }] };
}

/**
 * A fixture's labels as Rekognition answers them: each named label with its ancestors (an ancestor takes
 * the highest confidence among its descendants, unless the fixture names it itself).
 */
export function labelsFromFixture(named: Array<{ Name: string; Confidence: number }>): ModerationLabelOut[] {
  const byName = new Map<string, ModerationLabelOut>();
  for (const { Name, Confidence } of named) {
    for (const entry of lineage(Name)) {
      const explicit = entry.name === Name;
      const existing = byName.get(entry.name);
      const confidence = explicit ? Confidence : Math.max(existing?.Confidence ?? 0, Confidence);
      if (existing && !explicit && named.some((n) => n.Name === entry.name)) continue;
      byName.set(entry.name, { Name: entry.name, ParentName: entry.parentName, Confidence: confidence, TaxonomyLevel: entry.level });
    }
  }
  return [...byName.values()].sort((a, b) => a.TaxonomyLevel - b.TaxonomyLevel || b.Confidence - a.Confidence);
}
