import { ComprehendClient, DetectDominantLanguageCommand, DetectToxicContentCommand, type DetectToxicContentRequest } from '@aws-sdk/client-comprehend';
import { GetObjectCommand, S3Client, type GetObjectCommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, LANGUAGE_SAMPLE_BYTES } from '../../functions/document-moderation/moderateText/handler.js';
import { chunk, SEGMENT_MAX_BYTES, segmentEnd, segmentText } from '../../functions/document-moderation/moderateText/segments.js';
import { advance, foldCall, initialModeration, languageDecision, MAX_EXCERPTS } from '../../functions/document-moderation/moderateText/toxicity.js';
import type { ModerateTextInput, TextModeration } from '../../functions/document-moderation/shared/contract.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const s3 = mockClient(S3Client);
const comprehend = mockClient(ComprehendClient);
const input = sampleEvent<ModerateTextInput>('moderateText');
const context = lambdaContext('moderateText');
const utf8 = new TextEncoder();

/** A deterministic generator, so the mixed-script text below is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
const WORDS = ['the', 'club', 'reads', 'Überraschung', 'naïve', 'café', '読書会', 'книга', '🙂', 'مكتبة', 'end.', 'why?', 'yes!', '\n'];
function mixedText(bytes: number, seed: number): string {
  const next = random(seed);
  let text = '';
  while (utf8.encode(text).length < bytes) text += `${WORDS[Math.floor(next() * WORDS.length)]}${next() < 0.05 ? '' : ' '}`;
  return text;
}

/** S3 GetObject with Range over `text`, as S3 answers it. */
function serveText(text: string) {
  const bytes = utf8.encode(text);
  s3.on(GetObjectCommand).callsFake(async (request: GetObjectCommandInput) => {
    const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(request.Range ?? '') ?? [];
    const slice = bytes.subarray(Number(start), Number(end) + 1);
    return { Body: { transformToByteArray: async () => slice } as never, ContentLength: slice.length };
  });
  return bytes.length;
}

function textInput(bytes: number, toxicity?: TextModeration): ModerateTextInput {
  return { ...input, text: { ...input.text, bytes }, ...(toxicity ? { toxicity } : {}) };
}
const check = (event: unknown) => handler(event as ModerateTextInput, context) as Promise<TextModeration>;
const toxicCalls = () => comprehend.commandCalls(DetectToxicContentCommand).map((call) => call.args[0].input as DetectToxicContentRequest);

beforeAll(() => {
  process.env.DOCUMENTS_BUCKET = 'documents-bucket';
  process.env.DERIVED_PREFIX = 'derived/';
  process.env.TOXICITY_THRESHOLD = '0.5';
  process.env.TOXICITY_CALLS_PER_INVOCATION = '2';
  process.env.MAX_TOXICITY_CALLS = '5';
});
beforeEach(() => {
  s3.reset();
  comprehend.reset();
  comprehend.on(DetectDominantLanguageCommand).resolves({ Languages: [{ LanguageCode: 'en', Score: 0.98 }] });
  comprehend.on(DetectToxicContentCommand).callsFake(async (request: DetectToxicContentRequest) => ({
    ResultList: (request.TextSegments ?? []).map(() => ({ Toxicity: 0.02, Labels: [{ Name: 'PROFANITY', Score: 0.01 }] })),
  }));
});

describe('segmenting', () => {
  it('ends a segment after a sentence in its second half, rather than at the last space', () => {
    const text = `${'a'.repeat(600)}. ${'word '.repeat(100)}`;
    expect(segmentEnd(utf8.encode(text), 0)).toBe(602);
  });

  it('falls back to the last space, then to the last whole character', () => {
    expect(segmentEnd(utf8.encode(`${'x'.repeat(300)} ${'y'.repeat(900)}`), 0)).toBe(301);
    // "€" is 3 bytes: 1,000 bytes would split the 334th.
    expect(segmentEnd(utf8.encode('€'.repeat(500)), 0)).toBe(999);
  });

  it.each([1, 2, 3, 4, 5])('covers mixed-script text (seed %i) in whole characters, each segment at most 1,000 bytes', (seed) => {
    const text = mixedText(30_000, seed);
    const bytes = utf8.encode(text);
    const { segments, consumed } = segmentText(bytes, 1_000, true);
    expect(consumed).toBe(bytes.length);
    for (const [index, segment] of segments.entries()) {
      expect(utf8.encode(segment.text).length).toBeLessThanOrEqual(SEGMENT_MAX_BYTES);
      expect(segment.text).not.toContain('\uFFFD');
      if (index > 0) expect(segment.start).toBe(segments[index - 1]?.end);
    }
    expect(segments.map((segment) => segment.text).join(' ').replace(/\s+/g, ' ')).toBe(text.trim().replace(/\s+/g, ' '));
  });

  it('stops at the number of segments asked for, and leaves a partial tail for the next read', () => {
    const bytes = utf8.encode('word '.repeat(2_000));
    expect(segmentText(bytes, 3, true).segments).toHaveLength(3);
    // Not the end of the text: the last 1,000 bytes or less wait for a read that reaches further.
    const partial = segmentText(bytes.subarray(0, 2_500), 10, false);
    expect(partial.segments).toHaveLength(2);
    expect(partial.consumed).toBe(2_000);
  });

  it('consumes whitespace without sending empty segments', () => {
    expect(segmentText(utf8.encode(' \n\t '.repeat(600)), 10, true)).toEqual({ segments: [], consumed: 2_400 });
  });

  it('groups segments ten to a call', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('the running toxicity state', () => {
  it('checks English only, and records the language it found', () => {
    expect(languageDecision([{ LanguageCode: 'fr', Score: 0.2 }, { LanguageCode: 'en', Score: 0.7 }])).toEqual({ language: 'en', languageSupported: true });
    expect(languageDecision([{ LanguageCode: 'ar', Score: 0.9 }])).toEqual({ language: 'ar', languageSupported: false });
    expect(languageDecision([])).toEqual({ language: 'und', languageSupported: false });
  });

  it('keeps the highest score per label, the highest toxicity, and a few short excerpts of offensive segments', () => {
    const segments = Array.from({ length: 5 }, (_, index) => ({ start: index, end: index + 1, text: `segment ${index} ${'blah '.repeat(60)}` }));
    const results = [0.1, 0.7, 0.9, 0.6, 0.8].map((toxicity, index) => ({ Toxicity: toxicity, Labels: [{ Name: 'INSULT', Score: toxicity }, { Name: index === 0 ? 'SEXUAL' : 'PROFANITY', Score: 0.3 }] }));
    const state = foldCall(initialModeration(), segments, results, 0.5);
    expect(state).toMatchObject({ calls: 1, segmentsChecked: 5, toxicity: 0.9, offensive: true });
    expect(state.labels).toEqual([
      { name: 'INSULT', score: 0.9 },
      { name: 'SEXUAL', score: 0.3 },
      { name: 'PROFANITY', score: 0.3 },
    ]);
    expect(state.excerpts).toHaveLength(MAX_EXCERPTS);
    expect(state.excerpts[0]).toMatch(/^segment 1 blah/);
    expect(state.excerpts.every((excerpt) => Array.from(excerpt).length <= 160)).toBe(true);
    const later = foldCall(state, segments.slice(0, 1), [{ Toxicity: 0.95, Labels: [{ Name: 'INSULT', Score: 0.5 }] }], 0.5);
    expect(later).toMatchObject({ calls: 2, toxicity: 0.95, excerpts: state.excerpts });
    expect(later.labels[0]).toEqual({ name: 'INSULT', score: 0.9 });
  });

  it('is not offensive below the threshold', () => {
    const state = foldCall(initialModeration(), [{ start: 0, end: 1, text: 'fine' }], [{ Toxicity: 0.49, Labels: [] }], 0.5);
    expect(state).toMatchObject({ offensive: false, excerpts: [] });
  });

  it('is done at the end of the text, and done and truncated at the cap on calls', () => {
    expect(advance({ ...initialModeration(), calls: 3 }, 100, 100, 5)).toMatchObject({ done: true, truncated: false });
    expect(advance({ ...initialModeration(), calls: 3 }, 50, 100, 5)).toMatchObject({ done: false, truncated: false });
    expect(advance({ ...initialModeration(), calls: 5 }, 50, 100, 5)).toMatchObject({ done: true, truncated: true, cursor: 50 });
  });
});

describe('moderateText handler', () => {
  it('detects the language on a sample, then checks the text in segments of ten per call', async () => {
    const text = mixedText(4_000, 9).replace(/[^\x20-\x7e\n]/g, 'e');
    const bytes = serveText(text);
    const state = await check(textInput(bytes));
    expect(state).toMatchObject({ done: true, truncated: false, language: 'en', languageSupported: true, cursor: bytes, offensive: false, toxicity: 0.02 });
    const sample = comprehend.commandCalls(DetectDominantLanguageCommand)[0]?.args[0].input.Text ?? '';
    expect(utf8.encode(sample).length).toBeLessThanOrEqual(LANGUAGE_SAMPLE_BYTES);
    const [call] = toxicCalls();
    expect(call?.LanguageCode).toBe('en');
    expect(call?.TextSegments?.length).toBe(state.segmentsChecked);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'documents-bucket', Key: input.text.textKey, Range: `bytes=0-${bytes - 1}` });
  });

  it('records a non-English text as not checked, with its language, and sends none of it to DetectToxicContent', async () => {
    comprehend.on(DetectDominantLanguageCommand).resolves({ Languages: [{ LanguageCode: 'fr', Score: 0.99 }] });
    const bytes = serveText('Le club de lecture se réunit jeudi. '.repeat(50));
    await expect(check(textInput(bytes))).resolves.toMatchObject({ done: true, language: 'fr', languageSupported: false, offensive: false, calls: 0 });
    expect(toxicCalls()).toHaveLength(0);
  });

  it('makes no call for an empty or blank text', async () => {
    await expect(check(textInput(0))).resolves.toMatchObject({ done: true, calls: 0 });
    expect(s3.calls()).toHaveLength(0);
    const bytes = serveText(' \n '.repeat(100));
    await expect(check(textInput(bytes))).resolves.toMatchObject({ done: true, calls: 0, cursor: bytes });
    expect(comprehend.calls()).toHaveLength(0);
  });

  it('hands a cursor back after its calls, and the next pass reads on from it without detecting the language again', async () => {
    const text = 'The club met on Thursday. '.repeat(1_200);
    const bytes = serveText(text);
    const first = await check(textInput(bytes));
    expect(first).toMatchObject({ done: false, calls: 2, segmentsChecked: 20 });
    expect(first.cursor).toBeGreaterThan(18_000);
    expect(first.cursor).toBeLessThanOrEqual(20_000);
    comprehend.resetHistory();
    const second = await check(textInput(bytes, first));
    expect(comprehend.commandCalls(DetectDominantLanguageCommand)).toHaveLength(0);
    expect(s3.commandCalls(GetObjectCommand)[1]?.args[0].input.Range).toMatch(new RegExp(`^bytes=${first.cursor}-`));
    expect(second).toMatchObject({ done: true, truncated: false, cursor: bytes, language: 'en' });
    expect(second.segmentsChecked).toBeGreaterThan(first.segmentsChecked);
  });

  it('stops at the cap on calls with truncated set, and a finished state is returned as it is', async () => {
    const bytes = serveText('A long reading guide. '.repeat(5_000));
    let state = await check(textInput(bytes));
    for (let pass = 0; pass < 5 && !state.done; pass++) state = await check(textInput(bytes, state));
    expect(state).toMatchObject({ done: true, truncated: true, calls: 5 });
    expect(state.cursor).toBeLessThan(bytes);
    comprehend.resetHistory();
    await expect(check(textInput(bytes, state))).resolves.toEqual(state);
    expect(comprehend.calls()).toHaveLength(0);
  });

  it('finds offensive text and keeps its excerpt', async () => {
    const bytes = serveText('You are all idiots and this book is garbage.');
    comprehend.on(DetectToxicContentCommand).resolves({ ResultList: [{ Toxicity: 0.91, Labels: [{ Name: 'INSULT', Score: 0.93 }] }] });
    await expect(check(textInput(bytes))).resolves.toMatchObject({
      offensive: true,
      toxicity: 0.91,
      labels: [{ name: 'INSULT', score: 0.93 }],
      excerpts: ['You are all idiots and this book is garbage.'],
    });
  });

  it.each([
    ['DetectToxicContent', 'ThrottlingException', 400, 'TransientDependencyError'],
    ['DetectToxicContent', 'TooManyRequestsException', 400, 'TransientDependencyError'],
    ['DetectToxicContent', 'InternalServerException', 500, 'TransientDependencyError'],
    ['DetectToxicContent', 'TextSizeLimitExceededException', 400, 'PermanentDependencyError'],
    ['DetectToxicContent', 'UnsupportedLanguageException', 400, 'PermanentDependencyError'],
    ['DetectToxicContent', 'AccessDeniedException', 400, 'PermanentDependencyError'],
    ['DetectDominantLanguage', 'ThrottlingException', 400, 'TransientDependencyError'],
    ['DetectDominantLanguage', 'InvalidRequestException', 400, 'PermanentDependencyError'],
  ])('reports Comprehend %s answering %s (HTTP %d) as %s', async (operation, name, status, expected) => {
    const bytes = serveText('The club met on Thursday.');
    if (operation === 'DetectToxicContent') comprehend.on(DetectToxicContentCommand).rejects(awsError(name, status));
    else comprehend.on(DetectDominantLanguageCommand).rejects(awsError(name, status));
    await expect(check(textInput(bytes))).rejects.toMatchObject({ name: expected, message: expect.stringContaining(operation) });
  });

  it.each([
    ['NoSuchKey', 404, 'PermanentDependencyError'],
    ['SlowDown', 503, 'TransientDependencyError'],
  ])('reports S3 answering %s for the text as %s', async (name, status, expected) => {
    s3.on(GetObjectCommand).rejects(awsError(name, status));
    await expect(check(textInput(100))).rejects.toMatchObject({ name: expected });
  });

  it('treats a text shorter than the extraction said as ending where it ends', async () => {
    const bytes = serveText('Short text.');
    await expect(check(textInput(bytes + 5_000))).resolves.toMatchObject({ done: true, cursor: bytes });
  });

  it.each([
    ['a text key outside derived/', { ...input, text: { ...input.text, textKey: 'uploads/a.pdf' } }],
    ['no document', { text: input.text }],
    ['a cursor past the end', textInput(10, { ...initialModeration(), cursor: 11 })],
  ])('refuses %s with a PermanentDependencyError', async (_case, event) => {
    await expect(check(event)).rejects.toMatchObject({ name: 'PermanentDependencyError' });
    expect(s3.calls()).toHaveLength(0);
  });
});
