/**
 * Reader text masking of the Executions view: by field name at any depth, whatever shape hostile input gives it,
 * without touching the data around it.
 */
import { HIDDEN_VALUE, hiddenText, maskReaderText, readExecutionData } from '../../local/executions-view/mask.js';

const SECRET = 'I hated every page of it';

/** Every string anywhere in a value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, member]) => [key, ...strings(member)]);
  return [];
}

test('feedback.text and items[].feedback.text are hidden; the fields around them are kept', () => {
  const single = { feedback: { feedbackId: 'f-1', bookId: 'b-1', rating: 2, text: SECRET }, sentiment: { sentiment: 'NEGATIVE', scores: { negative: 0.9 } } };
  expect(maskReaderText(single)).toEqual({
    feedback: { feedbackId: 'f-1', bookId: 'b-1', rating: 2, text: hiddenText(SECRET) },
    sentiment: { sentiment: 'NEGATIVE', scores: { negative: 0.9 } },
  });
  const batch = { items: [{ messageId: 'm-1', feedback: { text: SECRET } }, { messageId: 'm-2', feedback: { text: 'fine', rating: 5 } }] };
  expect(maskReaderText(batch)).toEqual({
    items: [
      { messageId: 'm-1', feedback: { text: hiddenText(SECRET) } },
      { messageId: 'm-2', feedback: { text: hiddenText('fine'), rating: 5 } },
    ],
  });
  expect(hiddenText(SECRET)).toBe(`‹reader text hidden: ${SECRET.length} characters›`);
  expect(hiddenText('😀é')).toContain('2 characters');
});

test('hostile shapes: text as an array, nested objects and arrays, numbers and booleans, other cases of the name', () => {
  const hostile = {
    text: [SECRET, [SECRET, { deeper: SECRET }], 42, true, null],
    feedback: { text: { nested: SECRET, list: [SECRET], count: 3 } },
    Text: SECRET,
    TEXT: 12345,
    wrapper: [{ notes: [{ excerpt: SECRET }] }],
    toxicity: { excerpts: [SECRET, SECRET], toxicity: 0.93, labels: [{ name: 'INSULT', score: 0.9 }] },
  };
  const masked = maskReaderText(hostile) as Record<string, unknown>;
  expect(strings(masked).some((value) => value.includes(SECRET))).toBe(false);
  expect(masked.text).toEqual([hiddenText(SECRET), [hiddenText(SECRET), { deeper: hiddenText(SECRET) }], HIDDEN_VALUE, HIDDEN_VALUE, null]);
  // Inside an object under a reader-text field, strings are hidden and measurements kept.
  expect(masked.feedback).toEqual({ text: { nested: hiddenText(SECRET), list: [hiddenText(SECRET)], count: 3 } });
  expect(masked.TEXT).toBe(HIDDEN_VALUE);
  expect(masked.toxicity).toEqual({ excerpts: [hiddenText(SECRET), hiddenText(SECRET)], toxicity: 0.93, labels: [{ name: 'INSULT', score: 0.9 }] });
  // The input is not changed.
  expect(hostile.text[0]).toBe(SECRET);
});

test('a member named __proto__ stays data, and a too-deep value is hidden rather than walked forever', () => {
  const parsed = JSON.parse(`{"__proto__": {"text": "${SECRET}"}, "ok": 1}`) as unknown;
  const masked = maskReaderText(parsed) as Record<string, unknown>;
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  expect(JSON.stringify(masked)).toBe(`{"__proto__":{"text":"${hiddenText(SECRET)}"},"ok":1}`);

  let deep: unknown = { text: SECRET };
  for (let i = 0; i < 500; i++) deep = { next: deep };
  expect(JSON.stringify(maskReaderText(deep))).not.toContain(SECRET);
});

test('execution data as JSON text: parsed and masked, shown only when asked, hidden whole when it is not JSON', () => {
  const json = JSON.stringify({ feedback: { text: SECRET } });
  expect(readExecutionData(json, false)).toEqual({ feedback: { text: hiddenText(SECRET) } });
  expect(readExecutionData(json, true)).toEqual({ feedback: { text: SECRET } });
  expect(readExecutionData(`{"text": "${SECRET}"`, false)).toBe(hiddenText(`{"text": "${SECRET}"`));
  expect(readExecutionData('"just a string"', false)).toBe('just a string');
  expect(readExecutionData(undefined, false)).toBeUndefined();
});
