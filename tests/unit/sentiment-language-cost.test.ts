// `npm run cost` with sentimentLanguage auto: the DetectDominantLanguage call each message adds is its own line,
// priced per 100-character unit like DetectSentiment, and absent when the language is fixed.
import { DEFAULT_ASSUMPTIONS, costModel, formatCostTable } from '../../local/bench/cost-model.js';
import { PRICES } from '../../local/bench/aws-prices.js';
import { loadServiceDefinition, type ServiceDefinition } from '../../local/service-definition.js';

const fixed = loadServiceDefinition('prod');

function withSentimentLanguage(service: ServiceDefinition, language: string): ServiceDefinition {
  const detectSentiment = service.functions.detectSentiment!;
  return {
    ...service,
    functions: { ...service.functions, detectSentiment: { ...detectSentiment, environment: { ...detectSentiment.environment, SENTIMENT_LANGUAGE: language } } },
  };
}

const languageLine = (report: ReturnType<typeof costModel>, mode: 'perMessage' | 'perBatch') =>
  report.modes.find((m) => m.mode === mode)!.lines.find((line) => line.item.startsWith('DetectDominantLanguage'));

describe('cost of sentimentLanguage auto', () => {
  it('has no language line when serverless.yml fixes the language', () => {
    expect(fixed.functions.detectSentiment!.environment.SENTIMENT_LANGUAGE).not.toBe('auto');
    const report = costModel(fixed, 1_000_000);
    expect(languageLine(report, 'perMessage')).toBeUndefined();
    expect(report.settings.sentimentLanguage).toBe(fixed.functions.detectSentiment!.environment.SENTIMENT_LANGUAGE);
  });

  it('adds one DetectDominantLanguage per message in both modes, as many units as DetectSentiment, at its listed price', () => {
    const before = costModel(fixed, 1_000_000);
    const report = costModel(withSentimentLanguage(fixed, 'auto'), 1_000_000);
    for (const mode of ['perMessage', 'perBatch'] as const) {
      const line = languageLine(report, mode)!;
      const sentiment = report.modes.find((m) => m.mode === mode)!.lines.find((l) => l.item.startsWith('DetectSentiment'))!;
      // 120 characters a message: billed the 3-unit minimum, 3 million units, all in the first tier.
      expect(line).toMatchObject({ service: 'Comprehend', quantity: 3_000_000, unit: 'units' });
      expect(line.quantity).toBe(sentiment.quantity);
      expect(line.monthlyUsd).toBeCloseTo(3_000_000 * (PRICES.comprehendLanguage.perUnit[0]?.price as number), 9);
      const total = (r: typeof report) => r.modes.find((m) => m.mode === mode)!.totalUsd;
      // The call itself, and the longer detectSentiment it makes.
      expect(total(report) - total(before)).toBeGreaterThan(line.monthlyUsd);
    }
    expect(DEFAULT_ASSUMPTIONS.textChars).toBe(120);
    expect(formatCostTable(report)).toMatch(/sentiment language auto \(DetectDominantLanguage first, its own line\)/);
    expect(formatCostTable(report)).toMatch(/\| Comprehend \| DetectDominantLanguage \(sentimentLanguage auto, 3 units per message\) \| 3\.00 M units \| \$300 \|/);
  });
});
