// The text check's running state across DetectToxicContent calls and ModerateText passes: highest scores,
// the offensive verdict, excerpts for the alert, and whether the text's language can be checked at all.
import { excerpt } from '../../shared/feedback.js';
import type { TextModeration, ToxicityLabel } from '../shared/contract.js';
import type { Segment } from './segments.js';

/** DetectToxicContent supports English only (LanguageCode "en"). */
export const TOXICITY_LANGUAGE = 'en';
/** Excerpts an alert and the record carry. */
export const MAX_EXCERPTS = 3;
/** ISO 639-2's code for an undetermined language. */
export const UNDETERMINED_LANGUAGE = 'und';

export interface DetectedLanguage {
  LanguageCode?: string;
  Score?: number;
}

export interface SegmentToxicity {
  Toxicity?: number;
  Labels?: { Name?: string; Score?: number }[];
}

export function initialModeration(): TextModeration {
  return { cursor: 0, done: false, calls: 0, segmentsChecked: 0, truncated: false, toxicity: 0, labels: [], offensive: false, excerpts: [] };
}

/**
 * The dominant language and whether its toxicity can be checked. Only English can: DetectToxicContent
 * refuses other languages, and its English model's scores on other languages would mean nothing. A document
 * in another language is recorded as not checked (languageSupported false), never as checked and clean.
 */
export function languageDecision(languages: readonly DetectedLanguage[]): { language: string; languageSupported: boolean } {
  const dominant = [...languages].sort((a, b) => (b.Score ?? 0) - (a.Score ?? 0))[0]?.LanguageCode;
  const language = dominant || UNDETERMINED_LANGUAGE;
  return { language, languageSupported: language === TOXICITY_LANGUAGE };
}

const rounded = (score: number) => Math.round(score * 10_000) / 10_000;

/** The state after one DetectToxicContent call on `segments`, whose results come in the same order. */
export function foldCall(
  state: TextModeration,
  segments: readonly Segment[],
  results: readonly SegmentToxicity[],
  threshold: number,
): TextModeration {
  const labels = new Map(state.labels.map((label) => [label.name, label.score]));
  const excerpts = [...state.excerpts];
  let { toxicity, offensive } = state;
  segments.forEach((segment, index) => {
    const result = results[index];
    const score = result?.Toxicity ?? 0;
    toxicity = Math.max(toxicity, rounded(score));
    for (const label of result?.Labels ?? []) {
      if (!label.Name) continue;
      labels.set(label.Name, Math.max(labels.get(label.Name) ?? 0, rounded(label.Score ?? 0)));
    }
    if (score >= threshold) {
      offensive = true;
      if (excerpts.length < MAX_EXCERPTS) excerpts.push(excerpt(segment.text));
    }
  });
  const sortedLabels: ToxicityLabel[] = [...labels].map(([name, score]) => ({ name, score })).sort((a, b) => b.score - a.score);
  return {
    ...state,
    calls: state.calls + 1,
    segmentsChecked: state.segmentsChecked + segments.length,
    toxicity,
    labels: sortedLabels,
    offensive,
    excerpts,
  };
}

/**
 * Where the check stands after a pass that moved the cursor to `cursor`: done at the end of the text, or
 * done and truncated when the cap on calls stops it before the end.
 */
export function advance(state: TextModeration, cursor: number, textBytes: number, maxCalls: number): TextModeration {
  const reachedEnd = cursor >= textBytes;
  const capped = !reachedEnd && state.calls >= maxCalls;
  return { ...state, cursor, done: reachedEnd || capped, truncated: capped };
}
