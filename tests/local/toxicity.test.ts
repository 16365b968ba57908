// DetectToxicContent on the Comprehend stand-in, through the real @aws-sdk/client-comprehend: the request and
// response shapes, Comprehend's limits and errors, the engine on clear cases, and DetectDominantLanguage on
// the languages the hostile documents use.
import {
  ComprehendClient,
  DetectDominantLanguageCommand,
  DetectToxicContentCommand,
  type DetectToxicContentCommandInput,
  type LanguageCode,
} from '@aws-sdk/client-comprehend';
import { startComprehendServer, TOXICITY_MAX_SEGMENT_BYTES, type ComprehendServer } from '../../local/comprehend/server.js';
import { detectToxicity, normalise, TOXICITY_LABELS } from '../../local/comprehend/toxicity.js';

let server: ComprehendServer;
let client: ComprehendClient;

beforeAll(async () => {
  server = await startComprehendServer({ port: 0 });
  client = new ComprehendClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

afterEach(() => server.setFaults({}));

const toxic = (texts: string[], LanguageCode = 'en') =>
  client.send(new DetectToxicContentCommand({ TextSegments: texts.map((Text) => ({ Text })), LanguageCode: LanguageCode as LanguageCode }));

async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to be rejected');
}

const scoreOf = (result: { Labels?: Array<{ Name?: string; Score?: number }> } | undefined, name: string) =>
  result?.Labels?.find((l) => l.Name === name)?.Score ?? Number.NaN;

describe('DetectToxicContent shapes', () => {
  it('answers one result per segment, in order, each with all seven labels and a Toxicity in [0, 1]', async () => {
    const out = await toxic(['Thanks for organising, see you next week!', 'You are a complete idiot.', 'I will kill you.']);
    expect(out.ResultList).toHaveLength(3);
    for (const result of out.ResultList ?? []) {
      expect(result.Labels?.map((l) => l.Name)).toEqual([...TOXICITY_LABELS]);
      for (const label of result.Labels ?? []) expect(label.Score).toBeGreaterThanOrEqual(0);
      for (const label of result.Labels ?? []) expect(label.Score).toBeLessThanOrEqual(1);
      expect(result.Toxicity).toBeGreaterThanOrEqual(0);
      expect(result.Toxicity).toBeLessThanOrEqual(1);
    }
    const [clean, insult, threat] = out.ResultList ?? [];
    expect(clean?.Toxicity).toBeLessThan(0.1);
    expect(scoreOf(insult, 'INSULT')).toBeGreaterThan(0.5);
    expect(scoreOf(threat, 'VIOLENCE_OR_THREAT')).toBeGreaterThan(0.5);
    expect(threat?.Toxicity).toBeGreaterThan(0.5);
  });
});

describe("Comprehend's limits and errors", () => {
  it('takes 10 segments and refuses 11 with InvalidRequestException', async () => {
    expect((await toxic(Array.from({ length: 10 }, (_, i) => `segment ${i}`))).ResultList).toHaveLength(10);
    const err = await rejection(toxic(Array.from({ length: 11 }, (_, i) => `segment ${i}`)));
    expect(err.name).toBe('InvalidRequestException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('counts the 1 KB limit in bytes of UTF-8, not characters', async () => {
    expect(TOXICITY_MAX_SEGMENT_BYTES).toBe(1024);
    const exactly = 'é'.repeat(512); // 1,024 bytes
    expect((await toxic([exactly])).ResultList).toHaveLength(1);
    const over = '€'.repeat(342); // 342 characters, 1,026 bytes
    const err = await rejection(toxic(['fine', over]));
    expect(err.name).toBe('TextSizeLimitExceededException');
    expect(err.message).toMatch(/TextSegments\[1\] is 1026 bytes/);
  });

  it('is English only: other languages get UnsupportedLanguageException', async () => {
    for (const code of ['es', 'fr', 'ar', 'zh']) {
      expect((await rejection(toxic(['Bonjour'], code))).name).toBe('UnsupportedLanguageException');
    }
  });

  it.each([
    ['no segments', { TextSegments: [], LanguageCode: 'en' }],
    ['an empty segment', { TextSegments: [{ Text: 'fine' }, { Text: '' }], LanguageCode: 'en' }],
    ['a segment without Text', { TextSegments: [{}], LanguageCode: 'en' }],
    ['no LanguageCode', { TextSegments: [{ Text: 'fine' }] }],
  ])('%s -> InvalidRequestException', async (_name, input) => {
    const err = await rejection(client.send(new DetectToxicContentCommand(input as DetectToxicContentCommandInput)));
    expect(err.name).toBe('InvalidRequestException');
  });

  it('throttles on demand', async () => {
    server.setFaults({ throttleRate: 1 });
    expect((await rejection(toxic(['hello']))).name).toBe('ThrottlingException');
  });
});

describe('the engine on clear cases', () => {
  it.each([
    'We met in Scunthorpe for the reading group.',
    'The assassin in chapter three is the best character.',
    'I had an hour to kill time before the meeting.',
    'Dick Francis wrote thrillers about horse racing.',
    'She graduated summa cum laude.',
    'The cocktail party scene is wonderful.',
    'This book was boring and far too long.',
    'I will kill for a sequel this good.',
  ])('leaves "%s" under 0.5 on every label', (text) => {
    const result = detectToxicity(text);
    expect(result.Labels.filter((l) => l.Score >= 0.5)).toEqual([]);
    expect(result.Toxicity).toBeLessThan(0.5);
  });

  it.each([
    ['PROFANITY', 'This book is fucking brilliant.'],
    ['PROFANITY', 'sh1t plot, honestly'],
    ['PROFANITY', 'f u c k this chapter'],
    ['INSULT', 'You are a complete 1d10t.'],
    ['VIOLENCE_OR_THREAT', 'I know where you live.'],
    ['HARASSMENT_OR_ABUSE', 'k i l l yourself'],
    ['HATE_SPEECH', 'Immigrants are vermin.'],
    ['GRAPHIC', 'His guts spilled out onto the floor.'],
    ['SEXUAL', 'Send nudes.'],
  ])('scores %s at 0.5 or more for "%s"', (label, text) => {
    const result = detectToxicity(text);
    expect(result.Labels.find((l) => l.Name === label)?.Score).toBeGreaterThanOrEqual(0.5);
    expect(result.Toxicity).toBeGreaterThanOrEqual(0.5);
  });

  it('undoes spacing, leetspeak, repeated letters and zero-width characters, and leaves numbers alone', () => {
    expect(normalise('K i l l   y0u')).toBe('kill you');
    expect(normalise('i\u200bdiooooot')).toBe('idioot');
    expect(normalise('4 stars, $20')).toBe('4 stars, $20');
  });
});

describe('DetectDominantLanguage for the hostile documents (right-to-left and non-English text)', () => {
  it.each([
    ['he', 'זה ספר טוב מאוד ואני ממליץ עליו'],
    ['ar', 'هذا الكتاب رائع وأنصح به الجميع'],
    ['fr', 'Le livre est très bon et je le recommande pour le club.'],
    ['de', 'Das Buch ist sehr gut und ich empfehle es dem Lesekreis.'],
    ['ru', 'Эта книга очень хорошая, рекомендую её клубу.'],
    ['el', 'Αυτό το βιβλίο είναι πολύ καλό.'],
    ['th', 'หนังสือเล่มนี้ดีมาก'],
    ['en', 'The handout for Thursday covers chapters four to nine.'],
  ])('names %s first', async (code, Text) => {
    const out = await client.send(new DetectDominantLanguageCommand({ Text }));
    expect(out.Languages?.[0]?.LanguageCode).toBe(code);
  });
});
