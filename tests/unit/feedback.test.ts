import { excerpt, isSentiment, needsAlert, parseFeedback, parseJson, parseSubmission, perSentiment, SENTIMENTS, toQueueBody } from '../../functions/shared/feedback.js';
import { InvalidFeedbackError } from '../../functions/shared/errors.js';

const valid = { bookId: 'middlemarch', text: 'Loved it', rating: 4, readerId: 'reader-1' };

function rejection(input: unknown): InvalidFeedbackError {
  try {
    parseSubmission(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFeedbackError);
    return error as InvalidFeedbackError;
  }
  throw new Error('expected the input to be rejected');
}

describe('parseSubmission', () => {
  it('keeps the known fields and drops the rest', () => {
    expect(parseSubmission({ ...valid, admin: true, __proto__: { polluted: 1 } })).toEqual(valid);
  });

  it('trims and NFC-normalises text', () => {
    expect(parseSubmission({ bookId: 'b', text: '  Cafe\u0301 was fine  ' }).text).toBe('Café was fine');
  });

  const invalidSubmissions: Array<[unknown, string | undefined, string]> = [
    [null, undefined, 'feedback must be a JSON object'],
    [[valid], undefined, 'feedback must be a JSON object'],
    ['text', undefined, 'feedback must be a JSON object'],
    [{ text: 'x' }, 'bookId', 'bookId is required'],
    [{ bookId: 7, text: 'x' }, 'bookId', 'bookId must be a string'],
    [{ bookId: 'a b', text: 'x' }, 'bookId', "bookId may contain only"],
    [{ bookId: 'b' }, 'text', 'text is required'],
    [{ bookId: 'b', text: '   \n ' }, 'text', 'text must not be empty'],
    [{ bookId: 'b', text: 'a\u0000b' }, 'text', 'control characters'],
    [{ bookId: 'b', text: 'bad \ud800 surrogate' }, 'text', 'lone surrogate'],
    [{ bookId: 'b', text: 'x'.repeat(10_001) }, 'text', 'at most 10000 characters'],
    [{ bookId: 'b', text: 'x', rating: '5' }, 'rating', 'whole number from 1 to 5'],
    [{ bookId: 'b', text: 'x', rating: 4.5 }, 'rating', 'whole number from 1 to 5'],
    [{ bookId: 'b', text: 'x', rating: 0 }, 'rating', 'whole number from 1 to 5'],
    [{ bookId: 'b', text: 'x', readerId: '' }, 'readerId', 'readerId must not be empty'],
  ];
  it.each(invalidSubmissions.map(([input, field, message]) => [String(field), message, input]))(
    'rejects a bad %s: %s',
    (field, message, input) => {
      const error = rejection(input);
      expect(String(error.field)).toBe(field);
      expect(error.message).toContain(message);
    },
  );

  it('counts characters, not UTF-16 units, against the text limit', () => {
    expect(parseSubmission({ bookId: 'b', text: '😀'.repeat(10_000) }).text).toHaveLength(20_000);
  });
});

describe('parseFeedback', () => {
  const queued = { ...valid, feedbackId: '3f1c9a2e-8b4d-4c6a-9e1f-2a7b5c8d9e01', submittedAt: '2026-11-20T18:04:11Z' };

  it('accepts a queued feedback and normalises the timestamp', () => {
    expect(parseFeedback(queued)).toEqual({ ...queued, submittedAt: '2026-11-20T18:04:11.000Z' });
  });

  it.each([
    [{ ...queued, feedbackId: 'not-a-uuid' }, 'feedbackId'],
    [{ ...queued, feedbackId: undefined }, 'feedbackId'],
    [{ ...queued, submittedAt: 'yesterday' }, 'submittedAt'],
    [{ ...queued, submittedAt: 1763661851000 }, 'submittedAt'],
  ].map(([input, field]) => [field, input]))('rejects a queued message with a bad %s', (field, input) => {
    expect(() => parseFeedback(input)).toThrow(expect.objectContaining({ field }));
  });
});

describe('parseJson', () => {
  it('names a syntax error as invalid feedback', () => {
    expect(() => parseJson('{"bookId": ')).toThrow(/body is not valid JSON/);
  });

  it('never repeats the reader\'s words in the error', () => {
    expect(() => parseJson('my private thoughts on the book')).toThrow(new Error("body is not valid JSON: Unexpected token 'm'"));
  });
});

describe('excerpt', () => {
  it('keeps short text on one line', () => {
    expect(excerpt('one\n two\tthree')).toBe('one two three');
  });

  it('cuts long text on a character boundary with an ellipsis', () => {
    const cut = excerpt('😀'.repeat(200), 10);
    expect(Array.from(cut)).toHaveLength(10);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.isWellFormed()).toBe(true);
  });
});

describe('needsAlert', () => {
  const scores = (positive: number, negative: number) => ({ positive, negative, neutral: 0, mixed: 0 });
  it.each([
    ['NEGATIVE', scores(0.1, 0.8), true],
    ['MIXED', scores(0.2, 0.3), true],
    ['MIXED', scores(0.3, 0.2), false],
    ['MIXED', scores(0.3, 0.3), false],
    ['POSITIVE', scores(0.9, 0.05), false],
    ['NEUTRAL', scores(0.1, 0.1), false],
  ] as const)('%s with %j alerts: %s', (sentiment, s, expected) => {
    expect(needsAlert({ sentiment, scores: s })).toBe(expected);
  });
});

describe('toQueueBody', () => {
  it('escapes every non-ASCII character and parses back to the same feedback', () => {
    const feedback = {
      feedbackId: '3f1c9a2e-8b4d-4c6a-9e1f-2a7b5c8d9e01',
      submittedAt: '2026-11-20T18:04:11.000Z',
      bookId: 'b',
      text: 'Loved it 😊 — שלום, café, 日本',
    };
    const body = toQueueBody(feedback);
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(body)).toEqual(feedback);
  });
});

describe('the sentiments', () => {
  it('are the four Comprehend answers, and nothing else is one', () => {
    expect(SENTIMENTS).toEqual(['POSITIVE', 'NEGATIVE', 'NEUTRAL', 'MIXED']);
    for (const sentiment of SENTIMENTS) expect(isSentiment(sentiment)).toBe(true);
    for (const other of ['positive', 'SAD', '', undefined, null, 1, ['NEGATIVE']]) expect(isSentiment(other)).toBe(false);
  });

  it('give each sentiment its own value', () => {
    const lists = perSentiment((sentiment): string[] => [sentiment]);
    expect(lists).toEqual({ POSITIVE: ['POSITIVE'], NEGATIVE: ['NEGATIVE'], NEUTRAL: ['NEUTRAL'], MIXED: ['MIXED'] });
    lists.NEGATIVE.push('more');
    expect(lists.POSITIVE).toEqual(['POSITIVE']);
  });
});
