// The Comprehend stand-in, exercised through the real AWS SDK v3 client.
import net from 'node:net';
import os from 'node:os';
import {
  BatchDetectDominantLanguageCommand,
  BatchDetectSentimentCommand,
  ComprehendClient,
  DetectDominantLanguageCommand,
  DetectSentimentCommand,
  type LanguageCode,
} from '@aws-sdk/client-comprehend';
import { startComprehendServer, type ComprehendServer } from '../../local/comprehend/server.js';

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

const sentiment = (Text: string, LanguageCode: string = 'en') =>
  client.send(new DetectSentimentCommand({ Text, LanguageCode: LanguageCode as LanguageCode }));

/** Resolves to the rejection (failing the test if the promise resolves). */
async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to be rejected');
}

const post = (target: string, body: string) =>
  fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });

const errorType = async (res: Response): Promise<unknown> => ((await res.json()) as { __type?: unknown }).__type;

describe('address', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = net.connect(server.port, external.address);
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(outcome).toBe('ECONNREFUSED');
    }
  });
});

describe('DetectSentiment', () => {
  it.each([
    ['POSITIVE', 'Absolutely loved this novel, the characters were wonderful and the ending made me cry happy tears.'],
    ['NEGATIVE', 'This was the worst book I have read this year: boring, badly written and far too long.'],
    ['NEUTRAL', 'The book club meets on Thursday at 7pm in the library to discuss chapters 4 to 9.'],
    ['MIXED', 'Great characters, awful pacing.'],
  ])('labels %s book feedback', async (label, text) => {
    const out = await sentiment(text);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.Sentiment).toBe(label);
    const scores = out.SentimentScore!;
    const byLabel: Record<string, number> = {
      POSITIVE: scores.Positive!,
      NEGATIVE: scores.Negative!,
      NEUTRAL: scores.Neutral!,
      MIXED: scores.Mixed!,
    };
    expect(byLabel[label]).toBe(Math.max(...Object.values(byLabel)));
  });

  it('returns four scores in [0, 1] that sum to 1', async () => {
    for (const text of ['Loved it!', 'Hated it.', 'Chapter 3.', 'Great characters, awful pacing.', 'ok']) {
      const { SentimentScore: s } = await sentiment(text);
      const values = [s!.Positive!, s!.Negative!, s!.Neutral!, s!.Mixed!];
      for (const v of values) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(Math.abs(values.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
    }
  });

  it('accepts exactly 5,000 bytes of UTF-8 and rejects 5,001', async () => {
    await expect(sentiment('a'.repeat(5000))).resolves.toMatchObject({ Sentiment: 'NEUTRAL' });
    const err = await rejection(sentiment('a'.repeat(5001)));
    expect(err.name).toBe('TextSizeLimitExceededException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('measures bytes, not characters', async () => {
    // 'é' is 2 bytes, '€' 3 bytes, '📚' 4 bytes (2 UTF-16 code units).
    await expect(sentiment('é'.repeat(2500))).resolves.toBeDefined();
    await expect(sentiment('📚'.repeat(1250))).resolves.toBeDefined();
    expect((await rejection(sentiment('é'.repeat(2500) + 'a'))).name).toBe('TextSizeLimitExceededException');
    // 1,667 characters, 5,001 bytes.
    expect((await rejection(sentiment('€'.repeat(1667)))).name).toBe('TextSizeLimitExceededException');
  });

  it('rejects empty text with InvalidRequestException', async () => {
    const err = await rejection(sentiment(''));
    expect(err.name).toBe('InvalidRequestException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('rejects languages DetectSentiment does not support', async () => {
    for (const code of ['ru', 'xx', 'EN']) {
      expect((await rejection(sentiment('A fine book.', code))).name).toBe('UnsupportedLanguageException');
    }
    await expect(sentiment('Un libro estupendo.', 'es')).resolves.toBeDefined();
    await expect(sentiment('一本好书', 'zh-TW')).resolves.toBeDefined();
  });
});

describe('BatchDetectSentiment', () => {
  it('reports an oversize item in ErrorList and scores the others', async () => {
    const out = await client.send(
      new BatchDetectSentimentCommand({
        LanguageCode: 'en',
        TextList: ['I adored this book.', 'x'.repeat(5001), 'A dreadful, tedious read.', ''],
      }),
    );
    expect(out.ResultList!.map((r) => [r.Index, r.Sentiment])).toEqual([
      [0, 'POSITIVE'],
      [2, 'NEGATIVE'],
    ]);
    expect(out.ErrorList).toEqual([
      expect.objectContaining({ Index: 1, ErrorCode: 'TextSizeLimitExceededException' }),
      expect.objectContaining({ Index: 3, ErrorCode: 'InvalidRequestException' }),
    ]);
  });

  it('accepts 25 documents and rejects 26', async () => {
    const batch = (n: number) =>
      client.send(new BatchDetectSentimentCommand({ LanguageCode: 'en', TextList: Array(n).fill('Nice book.') }));
    expect((await batch(25)).ResultList).toHaveLength(25);
    expect((await rejection(batch(26))).name).toBe('BatchSizeLimitExceededException');
  });

  it('rejects an unsupported language for the whole batch', async () => {
    const err = await rejection(
      client.send(new BatchDetectSentimentCommand({ LanguageCode: 'ru' as LanguageCode, TextList: ['Хорошая книга'] })),
    );
    expect(err.name).toBe('UnsupportedLanguageException');
  });
});

describe('DetectDominantLanguage', () => {
  it.each([
    ['en', 'I really enjoyed this book and the discussion that followed.'],
    ['es', 'Me encanta este libro, es muy bueno y la historia es preciosa.'],
    ['fr', 'Nous avons beaucoup aimé ce roman et la discussion qui a suivi.'],
    ['de', 'Wir haben diesen Roman und das Gespräch danach sehr genossen.'],
    ['it', 'Abbiamo apprezzato molto questo romanzo e la discussione che ne è seguita.'],
    ['pt', 'Gostámos muito deste romance e da conversa que se seguiu.'],
    ['ar', 'هذا كتاب جيد جدا'],
    ['ja', 'この本はとても面白かったです。'],
    ['zh', '这是一本很好的书。'],
    ['ko', '이 책은 정말 좋았어요.'],
    ['hi', 'यह बहुत अच्छी किताब है।'],
    ['ru', 'Это очень хорошая книга.'],
  ])('guesses %s', async (code, Text) => {
    const out = await client.send(new DetectDominantLanguageCommand({ Text }));
    expect(out.Languages![0]!.LanguageCode).toBe(code);
    expect(out.Languages![0]!.Score).toBeGreaterThan(0.5);
  });

  it('rejects empty text', async () => {
    expect((await rejection(client.send(new DetectDominantLanguageCommand({ Text: '' })))).name).toBe(
      'InvalidRequestException',
    );
  });
});

describe('BatchDetectDominantLanguage', () => {
  const batch = (TextList: string[]) => client.send(new BatchDetectDominantLanguageCommand({ TextList }));

  it('answers each document with its Index and languages, highest score first', async () => {
    const out = await batch(['Un roman magnifique, je le recommande.', 'Ein wunderbares Buch, sehr empfehlenswert.', 'This book was a delight.']);
    expect(out.ResultList!.map((r) => [r.Index, r.Languages![0]!.LanguageCode])).toEqual([
      [0, 'fr'],
      [1, 'de'],
      [2, 'en'],
    ]);
    expect(out.ErrorList).toEqual([]);
  });

  it('takes 25 documents and refuses 26 for the whole call', async () => {
    expect((await batch(Array(25).fill('A fine book for the club.'))).ResultList).toHaveLength(25);
    expect((await rejection(batch(Array(26).fill('A fine book for the club.')))).name).toBe('BatchSizeLimitExceededException');
    expect((await rejection(batch([]))).name).toBe('InvalidRequestException');
  });

  it('fails a document over 5,000 bytes, or empty, alone in the ErrorList', async () => {
    const out = await batch(['Un libro estupendo.', 'é'.repeat(2500) + 'a', '']);
    expect(out.ResultList!.map((r) => r.Index)).toEqual([0]);
    expect(out.ErrorList).toEqual([
      expect.objectContaining({ Index: 1, ErrorCode: 'TextSizeLimitExceededException', ErrorMessage: expect.stringContaining('5001') }),
      expect.objectContaining({ Index: 2, ErrorCode: 'InvalidRequestException' }),
    ]);
    await expect(batch(['é'.repeat(2500)])).resolves.toMatchObject({ ErrorList: [] });
  });

  it('is throttled under its own quota', async () => {
    const limited = await startComprehendServer({ quotas: { BatchDetectDominantLanguage: 1 }, now: () => 0 });
    const limitedClient = new ComprehendClient({ endpoint: limited.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    try {
      await expect(limitedClient.send(new BatchDetectDominantLanguageCommand({ TextList: ['A fine book.'] }))).resolves.toBeDefined();
      expect((await rejection(limitedClient.send(new BatchDetectDominantLanguageCommand({ TextList: ['A fine book.'] })))).name).toBe('ThrottlingException');
      await expect(limitedClient.send(new DetectDominantLanguageCommand({ Text: 'A fine book.' }))).resolves.toBeDefined();
    } finally {
      limitedClient.destroy();
      await limited.close();
    }
  });
});

describe('fault injection', () => {
  it('throttleRate 1 fails every request with ThrottlingException', async () => {
    server.setFaults({ throttleRate: 1 });
    for (let i = 0; i < 3; i++) {
      const err = await rejection(sentiment('A lovely book.'));
      expect(err.name).toBe('ThrottlingException');
      expect(err.$metadata?.httpStatusCode).toBe(400);
    }
    server.setFaults({ throttleRate: 0 });
    await expect(sentiment('A lovely book.')).resolves.toMatchObject({ Sentiment: 'POSITIVE' });
  });

  it('uses the injected random source to decide', async () => {
    const draws = [0.2, 0.7, 0.49, 0.5];
    server.setFaults({ throttleRate: 0.5, random: () => draws.shift()! });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(await sentiment('A lovely book.').then((r) => r.Sentiment!, (e: Error) => e.name));
    }
    expect(outcomes).toEqual(['ThrottlingException', 'POSITIVE', 'ThrottlingException', 'POSITIVE']);
    expect(draws).toHaveLength(0);
  });

  it('accepts faults at start-up and validates them', async () => {
    await expect(startComprehendServer({ faults: { throttleRate: 1.5 } })).rejects.toThrow(RangeError);
    const throttled = await startComprehendServer({ faults: { throttleRate: 1, random: () => 0 } });
    try {
      const res = await fetch(throttled.url, {
        method: 'POST',
        headers: { 'x-amz-target': 'Comprehend_20171127.DetectSentiment' },
        body: JSON.stringify({ Text: 'Nice', LanguageCode: 'en' }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ __type: 'ThrottlingException', message: expect.any(String) });
    } finally {
      await throttled.close();
    }
  });
});

describe('protocol', () => {
  it('answers with the JSON 1.1 error body', async () => {
    const res = await post('Comprehend_20171127.DetectSentiment', JSON.stringify({ Text: 'x'.repeat(5001), LanguageCode: 'en' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await res.json()).toEqual({ __type: 'TextSizeLimitExceededException', message: expect.stringContaining('5001') });
  });

  it('rejects bad JSON, unknown operations and oversized bodies', async () => {
    const bad = await post('Comprehend_20171127.DetectSentiment', '{"Text": ');
    expect(bad.status).toBe(400);
    expect(await errorType(bad)).toBe('InvalidRequestException');

    for (const target of ['Comprehend_20171127.DetectEntities', 'Comprehend_20171127.toString', 'Other.DetectSentiment', '']) {
      const res = await post(target, '{}');
      expect(res.status).toBe(400);
      expect(await errorType(res)).toBe('UnknownOperationException');
    }

    const huge = await post('Comprehend_20171127.DetectSentiment', JSON.stringify({ Text: 'x'.repeat(2 * 1024 * 1024), LanguageCode: 'en' }));
    expect(huge.status).toBe(413);
    expect(await errorType(huge)).toBe('RequestEntityTooLargeException');
  });
});
