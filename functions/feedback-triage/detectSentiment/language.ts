// Which language a feedback's sentiment is detected in: the SENTIMENT_LANGUAGE setting names one language for all,
// or `auto`, in which case Comprehend's dominant-language answer decides, falling back to a configured language when
// Comprehend cannot detect sentiment in the language it found.
import { config } from '../../shared/config.js';
import type { LanguageSource } from '../../shared/feedback.js';

/** The LanguageCode values Comprehend's DetectSentiment and BatchDetectSentiment accept (its API reference). */
export const SENTIMENT_LANGUAGES = ['ar', 'hi', 'ko', 'zh-TW', 'ja', 'zh', 'de', 'pt', 'en', 'it', 'fr', 'es'] as const;

export type SentimentLanguage = (typeof SENTIMENT_LANGUAGES)[number];

/** The SENTIMENT_LANGUAGE value that asks Comprehend which language each feedback is in. */
export const AUTO_LANGUAGE = 'auto';

export function isSentimentLanguage(value: unknown): value is SentimentLanguage {
  return (SENTIMENT_LANGUAGES as readonly unknown[]).includes(value);
}

export type LanguageSetting = { mode: 'fixed'; language: SentimentLanguage } | { mode: 'auto'; fallback: SentimentLanguage };

function sentimentLanguage(variable: string, raw: string, allowAuto: boolean): SentimentLanguage | typeof AUTO_LANGUAGE {
  if (isSentimentLanguage(raw) || (allowAuto && raw === AUTO_LANGUAGE)) return raw;
  const allowed = [...(allowAuto ? [AUTO_LANGUAGE] : []), ...SENTIMENT_LANGUAGES].join(', ');
  throw new Error(`${variable} must be one of ${allowed} (Comprehend DetectSentiment's languages), got "${raw}"`);
}

/**
 * Reads and checks the setting (serverless/feedback-triage.yml, custom.triage.sentimentLanguage and
 * sentimentFallbackLanguage); a bad value fails with a message naming the values allowed.
 */
export function languageSetting(read: Pick<typeof config, 'sentimentLanguage' | 'sentimentFallbackLanguage'> = config): LanguageSetting {
  const language = sentimentLanguage('SENTIMENT_LANGUAGE', read.sentimentLanguage(), true);
  if (language !== AUTO_LANGUAGE) return { mode: 'fixed', language };
  return { mode: 'auto', fallback: sentimentLanguage('SENTIMENT_FALLBACK_LANGUAGE', read.sentimentFallbackLanguage(), false) as SentimentLanguage };
}

/** What DetectDominantLanguage answers (and each result of BatchDetectDominantLanguage). */
export interface DominantLanguageAnswer {
  Languages?: Array<{ LanguageCode?: string; Score?: number }>;
}

/** The language a feedback's sentiment is detected in, and where that language came from. */
export interface LanguageChoice {
  language: SentimentLanguage;
  languageSource: LanguageSource;
  /** Auto mode: Comprehend's dominant language, whether or not sentiment could be detected in it. */
  detectedLanguage?: string;
}

/**
 * The dominant language (Comprehend sorts Languages by score, highest first) if DetectSentiment supports it, else
 * the fallback, recorded as such. Comprehend answers "zh-TW" for traditional Chinese, which DetectSentiment takes.
 */
export function chooseLanguage(answer: DominantLanguageAnswer, fallback: SentimentLanguage): LanguageChoice {
  const detected = answer.Languages?.[0]?.LanguageCode ?? 'und';
  if (isSentimentLanguage(detected)) return { language: detected, languageSource: 'detected', detectedLanguage: detected };
  return { language: fallback, languageSource: 'fallback', detectedLanguage: detected };
}

export function configuredLanguage(language: SentimentLanguage): LanguageChoice {
  return { language, languageSource: 'configured' };
}
