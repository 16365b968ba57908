// ModerateText state: Comprehend DetectToxicContent over the extracted text, a bounded number of calls per
// invocation. The workflow loops on the returned cursor until `done`; each pass reads only its own stretch
// of the text (a Range GET from the cursor), so a long text never sits whole in memory or in a state.
import { DetectDominantLanguageCommand, DetectToxicContentCommand } from '@aws-sdk/client-comprehend';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { comprehend, objects } from '../../shared/clients.js';
import { classifyAwsError, PermanentDependencyError } from '../../shared/errors.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { documentConfig } from '../shared/config.js';
import { readDocumentRef, type ExtractTextOutput, type ModerateTextInput, type TextModeration } from '../shared/contract.js';
import { characterBoundary, chunk, SEGMENT_MAX_BYTES, SEGMENTS_PER_CALL, segmentText } from './segments.js';
import { advance, foldCall, initialModeration, languageDecision, TOXICITY_LANGUAGE } from './toxicity.js';

/** Bytes of the text's start sent to DetectDominantLanguage: plenty to tell a language, cheap to send. */
export const LANGUAGE_SAMPLE_BYTES = 4_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

export function readModerateTextInput(input: unknown, derivedPrefix: string): ModerateTextInput {
  if (!isRecord(input)) throw new PermanentDependencyError('ModerateText needs { document, text, toxicity? }');
  const document = readDocumentRef(input.document, 'ModerateText');
  const text = input.text;
  if (!isRecord(text) || typeof text.textKey !== 'string' || !text.textKey.startsWith(derivedPrefix) || !isCount(text.bytes)) {
    throw new PermanentDependencyError(`ModerateText needs the extracted text: a textKey under ${derivedPrefix} and its size in bytes`);
  }
  const toxicity = input.toxicity;
  if (toxicity !== undefined && toxicity !== null) {
    if (!isRecord(toxicity) || !isCount(toxicity.cursor) || toxicity.cursor > text.bytes || !isCount(toxicity.calls) || !Array.isArray(toxicity.labels)) {
      throw new PermanentDependencyError('ModerateText got a toxicity state it did not make');
    }
    return { document, text: text as unknown as ExtractTextOutput, toxicity: toxicity as unknown as TextModeration };
  }
  return { document, text: text as unknown as ExtractTextOutput };
}

/** Bytes [start, end) of the text; fewer when the object is shorter than the extraction said. */
async function readRange(bucket: string, key: string, start: number, end: number): Promise<Uint8Array> {
  try {
    const object = await objects.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }));
    return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (error) {
    throw classifyAwsError(error, 'S3 GetObject (extracted text)');
  }
}

async function detectLanguage(sample: string): Promise<{ language: string; languageSupported: boolean }> {
  try {
    const answer = await comprehend.send(new DetectDominantLanguageCommand({ Text: sample }));
    return languageDecision(answer.Languages ?? []);
  } catch (error) {
    throw classifyAwsError(error, 'Comprehend DetectDominantLanguage');
  }
}

async function detectToxicity(texts: string[]) {
  try {
    const answer = await comprehend.send(
      new DetectToxicContentCommand({ LanguageCode: TOXICITY_LANGUAGE, TextSegments: texts.map((Text) => ({ Text })) }),
    );
    return answer.ResultList ?? [];
  } catch (error) {
    throw classifyAwsError(error, 'Comprehend DetectToxicContent');
  }
}

const utf8 = new TextDecoder('utf-8');

export const handler = lambdaHandler(async (input: unknown): Promise<TextModeration> => {
  const { document, text, toxicity } = readModerateTextInput(input, documentConfig.derivedPrefix());
  logger.appendKeys({ documentId: document.documentId });
  const bucket = documentConfig.bucket();
  let state = toxicity ?? initialModeration();
  if (state.done) return state;
  if (text.bytes === 0) return { ...state, done: true };

  const maxCalls = documentConfig.maxToxicityCalls();
  const calls = Math.min(documentConfig.toxicityCallsPerInvocation(), maxCalls - state.calls);
  if (calls <= 0) return advance(state, state.cursor, text.bytes, maxCalls);

  // One byte more than the segments can take, so a full last segment is cut by segmentEnd, not by the read.
  const windowEnd = Math.min(text.bytes, state.cursor + calls * SEGMENTS_PER_CALL * SEGMENT_MAX_BYTES + 1);
  const bytes = await readRange(bucket, text.textKey, state.cursor, windowEnd);
  // A short read means the object ends sooner than the extraction said: what was read is all there is.
  const reachesEnd = state.cursor + bytes.length >= text.bytes || bytes.length < windowEnd - state.cursor;
  const textBytes = reachesEnd ? state.cursor + bytes.length : text.bytes;

  if (!toxicity) {
    const sample = utf8.decode(bytes.subarray(0, characterBoundary(bytes, LANGUAGE_SAMPLE_BYTES))).trim();
    if (sample.length === 0) {
      logger.info('Text holds nothing to check');
      return { ...state, cursor: textBytes, done: true };
    }
    const language = await detectLanguage(sample);
    state = { ...state, ...language };
    if (!language.languageSupported) {
      logger.info('Text not checked: DetectToxicContent supports English only', { language: language.language });
      return { ...state, done: true };
    }
  }

  const { segments, consumed } = segmentText(bytes, calls * SEGMENTS_PER_CALL, reachesEnd);
  const threshold = documentConfig.toxicityThreshold();
  for (const group of chunk(segments, SEGMENTS_PER_CALL)) {
    state = foldCall(state, group, await detectToxicity(group.map((segment) => segment.text)), threshold);
  }
  state = advance(state, state.cursor + consumed, textBytes, maxCalls);
  logger.info('Text checked', {
    cursor: state.cursor,
    bytes: text.bytes,
    calls: state.calls,
    segmentsChecked: state.segmentsChecked,
    toxicity: state.toxicity,
    offensive: state.offensive,
    done: state.done,
    truncated: state.truncated,
  });
  return state;
});
