// End to end with SENTIMENT_LANGUAGE=auto on the embedded local stack: feedback in several languages goes through
// the intake, the real detectSentiment handler asks the Comprehend stand-in for each one's language and then its
// sentiment in it, and every stored record says which language it was scored in and why.
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { storedFeedback, waitUntilSettled } from '../../local/triage-ledger.js';

let stack: LocalStack;

const feedback = {
  es: 'Un libro horrible y aburrido, no lo recomiendo.',
  de: 'Eine wunderbare, spannende Geschichte, ich habe sie geliebt.',
  fr: 'Un livre horrible et ennuyeux.',
  en: 'A wonderful, joyful story that I will happily read again.',
  // Russian: Comprehend detects it, but DetectSentiment does not take it.
  ru: 'Очень хорошая книга, спасибо за выбор.',
};

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
  // The handlers read the setting at each invocation: this is what a redeploy with custom.triage.sentimentLanguage auto sets.
  await stack.runtime.setEnvironment({ SENTIMENT_LANGUAGE: 'auto', SENTIMENT_FALLBACK_LANGUAGE: 'en' });
});
afterAll(async () => {
  // Stopped, the stack puts process.env back as it found it.
  await stack?.stop();
});

it('stores each feedback with the language its sentiment was detected in, and falls back where Comprehend cannot', async () => {
  const ids: Record<string, string> = {};
  for (const [language, text] of Object.entries(feedback)) {
    const response = await fetch(`${stack.httpUrl}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bookId: `book-${language}`, text }) });
    expect(response.status).toBe(202);
    ids[language] = ((await response.json()) as { feedbackId: string }).feedbackId;
  }
  expect((await waitUntilSettled(stack, { timeoutMs: 20_000 })).settled).toBe(true);
  const stored = new Map((await storedFeedback(stack)).map((item) => [item.feedbackId, item as typeof item & Record<string, unknown>]));
  expect(stored.size).toBe(5);
  expect(stored.get(ids.es!)).toMatchObject({ sentiment: 'NEGATIVE', language: 'es', languageSource: 'detected', detectedLanguage: 'es', alertStatus: 'SENT' });
  expect(stored.get(ids.de!)).toMatchObject({ sentiment: 'POSITIVE', language: 'de', languageSource: 'detected', detectedLanguage: 'de' });
  expect(stored.get(ids.fr!)).toMatchObject({ sentiment: 'NEGATIVE', language: 'fr', languageSource: 'detected' });
  expect(stored.get(ids.en!)).toMatchObject({ sentiment: 'POSITIVE', language: 'en', languageSource: 'detected' });
  expect(stored.get(ids.ru!)).toMatchObject({ language: 'en', languageSource: 'fallback', detectedLanguage: 'ru' });
  // Each message made both calls: the stand-in counted a DetectDominantLanguage and a DetectSentiment for each.
  expect(stack.comprehend.stats().requests).toBeGreaterThanOrEqual(10);
}, 40_000);
