// Fitting reader text to Comprehend's limit, and reading Comprehend's answer into our sentiment result.
import { COMPREHEND_MAX_TEXT_BYTES } from '../../shared/config.js';
import { PermanentDependencyError } from '../../shared/errors.js';
import { isSentiment, type SentimentResult } from '../../shared/feedback.js';

const encoder = new TextEncoder();

/** Cuts text to at most maxBytes of UTF-8, never inside a character. */
export function truncateUtf8(text: string, maxBytes: number = COMPREHEND_MAX_TEXT_BYTES) {
  const totalBytes = encoder.encode(text).length;
  if (totalBytes <= maxBytes) return { text, bytes: totalBytes, truncated: false };
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return { text: text.slice(0, end), bytes, truncated: true };
}

export interface ComprehendSentimentAnswer {
  Sentiment?: string;
  SentimentScore?: { Positive?: number; Negative?: number; Neutral?: number; Mixed?: number };
}

export function toSentimentResult(
  answer: ComprehendSentimentAnswer,
  analyzed: { bytes: number; truncated: boolean },
): SentimentResult {
  const sentiment = answer.Sentiment;
  if (!isSentiment(sentiment)) {
    // Comprehend's contract names four sentiments: another answer will not change on a retry.
    throw new PermanentDependencyError(`Comprehend answered an unknown sentiment: ${String(sentiment)}`);
  }
  const score = answer.SentimentScore ?? {};
  return {
    sentiment,
    scores: {
      positive: score.Positive ?? 0,
      negative: score.Negative ?? 0,
      neutral: score.Neutral ?? 0,
      mixed: score.Mixed ?? 0,
    },
    truncated: analyzed.truncated,
    analyzedBytes: analyzed.bytes,
  };
}
