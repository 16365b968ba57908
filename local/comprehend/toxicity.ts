// The local engine behind DetectToxicContent: obscenity 0.4.6 for profanity (with its obfuscation handling),
// and hand-written lexicons with context rules for the other six labels. English only; no trained model.
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';

export const TOXICITY_LABELS = [
  'PROFANITY',
  'HATE_SPEECH',
  'INSULT',
  'GRAPHIC',
  'HARASSMENT_OR_ABUSE',
  'SEXUAL',
  'VIOLENCE_OR_THREAT',
] as const;
export type ToxicityLabelName = (typeof TOXICITY_LABELS)[number];

export interface ToxicitySegmentResult {
  Labels: Array<{ Name: ToxicityLabelName; Score: number }>;
  Toxicity: number;
}

/** Score a label gets when nothing in the text points to it. */
const BASELINE = 0.01;

interface Cue {
  label: ToxicityLabelName;
  weight: number;
  pattern: RegExp;
}

// Patterns run on normalised text (lower case, leetspeak undone, letters spaced out joined back): see normalise().
const PERSON = String.raw`(?:you|u|ya|he|she|they|him|her|them|your family|your kids)`;
const SECOND = String.raw`(?:you|u|ya|you're|youre|ur|you are|your)`;
const GROUPS = String.raw`(?:immigrants?|migrants?|refugees?|muslims?|jews?|christians?|blacks?|whites?|asians?|mexicans?|arabs?|gays?|lesbians?|trans(?:gender)? people|women|feminists?|foreigners?|disabled people|africans?|gypsies|roma)`;
const DEHUMANISING = String.raw`(?:animals?|vermin|rats?|cockroach(?:es)?|parasites?|subhuman|savages?|filth|disease|plague|scum|inferior|not (?:even )?human)`;
const INSULT_WORDS = String.raw`(?:idiots?|morons?|imbeciles?|stupid|dumb|dumbass|fools?|losers?|pathetic|worthless|useless|clowns?|cretins?|halfwits?|dimwits?|ignorant|brainless|clueless|incompetent|disgusting|ugly|fat pig|pig|trash|garbage|scum|jerks?|creeps?|freaks?|lowlife|nobody|waste of space|waste of oxygen|dumbest|stupidest|talentless|frauds?|assholes?|dickheads?|pricks?|bastards?|jackass|twats?|wankers?|dumbasses)`;

const CUES: Cue[] = [
  // INSULT: an insult word aimed at someone weighs more than one about a thing ("a stupid plot").
  { label: 'INSULT', weight: 0.85, pattern: new RegExp(String.raw`\b${SECOND}\b(?: \w+){0,3} \b${INSULT_WORDS}\b`) },
  { label: 'INSULT', weight: 0.8, pattern: new RegExp(String.raw`\b(?:what an?|such an?|total|complete|absolute|utter) ${INSULT_WORDS}\b`) },
  { label: 'INSULT', weight: 0.8, pattern: new RegExp(String.raw`\b(?:author|writer|host|organi[sz]er|moderator|reviewer|reader|member|people|everyone|he|she|they) (?:is|are|was|were) (?:an? )?(?:\w+ )?${INSULT_WORDS}\b`) },
  { label: 'INSULT', weight: 0.8, pattern: new RegExp(String.raw`\bonly an? (?:\w+ )?${INSULT_WORDS}\b`) },
  { label: 'INSULT', weight: 0.35, pattern: new RegExp(String.raw`\b${INSULT_WORDS}\b`) },

  // VIOLENCE_OR_THREAT: harm aimed at a person, or an intent to harm; not "kill time" or a novel's "assassin".
  { label: 'VIOLENCE_OR_THREAT', weight: 0.9, pattern: new RegExp(String.raw`\b(?:kill|murder|stab|shoot|strangle|choke|hang|burn|beat|punch|hurt|smash|slit|gut|bury|drown|destroy) ${PERSON}\b`) },
  // An intent needs a victim: "I will kill for a sequel" is not a threat.
  { label: 'VIOLENCE_OR_THREAT', weight: 0.9, pattern: /\b(?:i|we)(?:'ll| will| am going to| are going to|'m going to| gonna| am gonna| shall) (?:\w+ ){0,3}(?:kill|murder|stab|shoot|hurt|beat|find|burn|break|end|smash|destroy) (?:you|u|ya|him|her|them|your|everyone|all of you)\b/ },
  { label: 'VIOLENCE_OR_THREAT', weight: 0.85, pattern: /\b(?:i know where you live|watch your back|you(?:'ll| will) regret|you(?:'re| are) (?:dead|going to die|gonna die)|you will die|deserves? to die|should be (?:shot|killed|hanged|hung|executed)|put a bullet|slit your throat|break your (?:neck|legs|face))\b/ },
  { label: 'VIOLENCE_OR_THREAT', weight: 0.6, pattern: /\b(?:beat (?:him|her|them|you) up|bomb the|shoot up|blow up the)\b/ },

  // HARASSMENT_OR_ABUSE: telling someone to go, to die, to shut up; shaming; self-harm urging.
  { label: 'HARASSMENT_OR_ABUSE', weight: 0.95, pattern: /\b(?:kill yourself|kys|go die|go and die|drop dead|hang yourself|end yourself)\b/ },
  { label: 'HARASSMENT_OR_ABUSE', weight: 0.75, pattern: /\b(?:shut (?:up|your mouth)|nobody (?:likes|wants|cares about) you|no one (?:likes|wants|cares about) you|get lost|go away and never come back|nobody wants to hear from you|no one wants to hear from you|you should be ashamed|everyone hates you|leave the club|you don't belong|stay away from|i will find you|i'll find you|i am watching you|i'm watching you)\b/ },
  { label: 'HARASSMENT_OR_ABUSE', weight: 0.55, pattern: new RegExp(String.raw`\b${SECOND}\b(?: \w+){0,3} \b(?:ugly|fat|disgusting|worthless|pathetic|a joke|a disgrace)\b`) },

  // HATE_SPEECH: a protected group joined to a dehumanising word or an exclusion; slurs (from the profanity dataset).
  { label: 'HATE_SPEECH', weight: 0.9, pattern: new RegExp(String.raw`\b${GROUPS}\b(?: \w+){0,3} \b(?:are|is|r) (?:\w+ ){0,2}${DEHUMANISING}\b`) },
  { label: 'HATE_SPEECH', weight: 0.85, pattern: new RegExp(String.raw`\b(?:all|those|these|the|filthy|dirty) ${GROUPS} (?:should|must|need to|ought to) (?:\w+ ){0,2}(?:die|be killed|be deported|go back|be removed|be banned|be exterminated|burn|leave)\b`) },
  { label: 'HATE_SPEECH', weight: 0.8, pattern: new RegExp(String.raw`\b(?:i hate|we hate|death to|get rid of(?: all)?(?: the| these| those)?|no more) ${GROUPS}\b`) },
  { label: 'HATE_SPEECH', weight: 0.75, pattern: new RegExp(String.raw`\b${DEHUMANISING} like (?:all |the )?${GROUPS}\b`) },

  // GRAPHIC: vivid injury and gore.
  { label: 'GRAPHIC', weight: 0.8, pattern: /\b(?:guts? (?:spilled|spilling|hanging)|entrails|disembowel\w*|decapitat\w*|dismember\w*|mutilat\w*|brains? (?:splattered|blown out|spilled)|skull (?:crushed|caved|split)|blood (?:everywhere|gushing|spurting|pouring)|severed (?:head|arm|leg|hand|limbs?)|gouged out|flayed|skinned alive|rotting corpse|maggots|skinned (?:\w+ )?alive|(?:torn|ripped|blown) apart|limbs torn)\b/ },
  { label: 'GRAPHIC', weight: 0.45, pattern: /\b(?:gore|gory|bloodbath|torture[ds]?|corpses?|carcass)\b/ },

  // SEXUAL: explicit terms; mild words ("sex", "kiss") alone stay under the line.
  { label: 'SEXUAL', weight: 0.85, pattern: /\b(?:porn\w*|blowjobs?|handjobs?|orgasms?|orgy|orgies|masturbat\w*|dildos?|vibrators?|erections?|genitals?|nipples?|horny|naked pics|nudes|send nudes|sexting|cumshot|anal sex|oral sex|have sex with (?:you|me)|sleep with (?:you|me)|sexual favou?rs?)\b/ },
  // Mild words, each its own cue: one stays under the line, two together cross it.
  ...['sexy', 'naked', 'nude', 'erotic', 'lust', 'seductive', 'stripper', 'striptease'].map((word) => ({
    label: 'SEXUAL' as const,
    weight: 0.4,
    pattern: new RegExp(String.raw`\b${word}\b`),
  })),
];

/** Words of obscenity's English dataset that are slurs against a group: hate speech first. */
const SLURS: ReadonlySet<string> = new Set(['abo', 'abeed', 'africoon', 'arabush', 'boonga', 'chingchong', 'chink', 'dyke', 'fag', 'kike', 'negro', 'nigger', 'retard', 'spastic', 'tranny']);
/** Words of the dataset that name sex plainly, not vulgarly: sexual, not profane. */
const SEXUAL_TERMS: ReadonlySet<string> = new Set(['anal', 'bestiality', 'deepthroat', 'dildo', 'double penetration', 'ejaculate', 'fellatio', 'gangbang', 'hentai', 'incest', 'masturbate', 'orgasm', 'orgy', 'penis', 'porn', 'semen', 'vagina']);
/** Vulgar words for sex or sexual anatomy: profane and sexual. */
const VULGAR_SEXUAL: ReadonlySet<string> = new Set(['blowjob', 'boob', 'buttplug', 'cock', 'cum', 'doggystyle', 'finger bang', 'fisting', 'handjob', 'jerk off', 'jizz', 'pussy', 'tit', 'wank']);

/** The labels and weights one word of the profanity dataset contributes. */
function profanityEvidence(word: string): Array<[ToxicityLabelName, number]> {
  if (SLURS.has(word)) return [['HATE_SPEECH', 0.85], ['PROFANITY', 0.6]];
  if (SEXUAL_TERMS.has(word)) return [['SEXUAL', 0.6]];
  // "The sex scenes were tasteful" is a book review, not sexual content.
  if (word === 'sex') return [['SEXUAL', 0.4]];
  if (VULGAR_SEXUAL.has(word)) return [['PROFANITY', 0.8], ['SEXUAL', 0.6]];
  // Named in a book discussion as often as used against someone: evidence, not a verdict.
  if (word === 'rape') return [['VIOLENCE_OR_THREAT', 0.4], ['SEXUAL', 0.4]];
  return [['PROFANITY', 0.8]];
}

/** Places and phrases that contain a listed word and are harmless (the Scunthorpe problem). */
const HARMLESS_TERMS = ['penistone', 'cum laude', 'magna cum laude', 'summa cum laude', 'cocktail', 'cockpit', 'dickens'];
/** Listed words that are also names: capitalised inside a sentence or before another capitalised word ("Moby Dick", "Dick Francis"). */
const NAME_WORDS: ReadonlySet<string> = new Set(['dick', 'willy', 'fanny']);

const englishTerms = englishDataset.build();
const profanityMatcher = new RegExpMatcher({
  ...englishTerms,
  ...englishRecommendedTransformers,
  whitelistedTerms: [...(englishTerms.whitelistedTerms ?? []), ...HARMLESS_TERMS],
});

function isName(text: string, start: number, end: number): boolean {
  const first = text[start];
  if (!first || first === first.toLowerCase()) return false;
  const before = text.slice(0, start).trimEnd();
  const insideSentence = before.length > 0 && !/[.!?]$/.test(before);
  return insideSentence || /^\s+\p{Lu}/u.test(text.slice(end + 1));
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/**
 * Lower case, compatibility forms folded, zero-width characters dropped, leetspeak inside words undone,
 * letters repeated three times or more cut to two, and spelled-out words ("k i l l", "k.i.l.l") joined.
 */
export function normalise(text: string): string {
  let t = text.normalize('NFKC').toLowerCase().replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '');
  t = t.replace(/[’‘`]/g, "'");
  // Leetspeak only between letters, so "4 stars" and "$20" stay as they are.
  t = t.replace(/(?<=\p{L})[013457@$!]+(?=\p{L})|(?<![\p{L}\d])[013457@$]+(?=\p{L})/gu, (m) => [...m].map((c) => LEET[c] ?? c).join(''));
  t = t.replace(/(\p{L})\1{2,}/gu, '$1$1');
  // Three or more single letters separated by one space, dot, dash, star or underscore form one word.
  t = t.replace(/\b\p{L}(?:[ .\-*_]\p{L}\b){2,}/gu, (m) => m.replace(/[ .\-*_]/g, ''));
  return t.replace(/\s+/g, ' ').trim();
}

function combine(weights: number[]): number {
  // Independent cues: the chance that at least one is right.
  return 1 - weights.reduce((keep, w) => keep * (1 - w), 1);
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

/** Which cues fired for each label (for the measurement script and for explaining a score). */
export function toxicityEvidence(text: string): Record<ToxicityLabelName, number[]> {
  const evidence = Object.fromEntries(TOXICITY_LABELS.map((l) => [l, [] as number[]])) as Record<ToxicityLabelName, number[]>;
  const normalised = normalise(text);
  for (const cue of CUES) {
    if (cue.pattern.test(normalised)) evidence[cue.label].push(cue.weight);
  }
  const words = new Set<string>();
  const names = new Set<string>();
  for (const candidate of new Set([text, normalised])) {
    for (const match of profanityMatcher.getAllMatches(candidate)) {
      const word = englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord;
      if (!word) continue;
      // Only the original text keeps its capitals; a name found there is dropped from both passes.
      if (NAME_WORDS.has(word) && candidate === text && isName(text, match.startIndex, match.endIndex)) {
        names.add(word);
        continue;
      }
      words.add(word);
    }
  }
  for (const name of names) words.delete(name);
  for (const word of words) {
    for (const [label, weight] of profanityEvidence(word)) evidence[label].push(weight);
  }
  return evidence;
}

/** Scores one segment the way DetectToxicContent does: every label with a score, and an overall Toxicity. */
export function detectToxicity(text: string): ToxicitySegmentResult {
  const evidence = toxicityEvidence(text);
  const Labels = TOXICITY_LABELS.map((Name) => ({ Name, Score: round(Math.max(BASELINE, combine(evidence[Name]))) }));
  // Toxicity: the strongest label, raised a little when several labels agree.
  const scores = Labels.map((l) => l.Score).sort((a, b) => b - a);
  const [first = BASELINE, second = BASELINE] = scores;
  const Toxicity = round(Math.min(1, first + (1 - first) * second * 0.5));
  return { Labels, Toxicity };
}
