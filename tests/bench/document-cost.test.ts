// The document pipeline's cost model: state transitions counted on the real ASL file match the workflow's
// structure counted by hand, and every line of the bill follows from the document, serverless.yml and the prices.
import { PRICES } from '../../local/bench/aws-prices.js';
import { DEFAULT_PROFILE, documentCostModel, formatDocumentCostTable, toxicityCalls, type DocumentProfile } from '../../local/bench/document-cost.js';
import { DocumentTransitionCounter } from '../../local/bench/document-transitions.js';
import { loadServiceDefinition } from '../../local/service-definition.js';

const service = loadServiceDefinition();
const settings = service.documents as { imagesPerBatch: number; toxicityCallsPerInvocation: number; maxToxicityCalls: number };
const counter = new DocumentTransitionCounter(service);

/**
 * Counted by hand from statemachines/document-moderation.asl.json: AcceptDocument, AcceptOutcome, ExtractAndModerate,
 * RecordVerdict, Moderated (5); the images branch ExtractImages, ModerateImages, one ModerateImageBatch per manifest,
 * AnyImageBatch, then NoImageToModerate (no manifest) or CombineImageVerdicts, ImagesOffensive and ImagesClean or
 * NotifyImages; the text branch ExtractText, ModerateText and TextCovered per pass, TextModerated, TextOffensive,
 * TextClean or NotifyText.
 */
const byHand = (manifests: number, passes: number) => 5 + (manifests === 0 ? 4 : 6 + manifests) + (4 + 2 * passes);

describe('state transitions of the document workflow, on the ASL file', () => {
  it('enters each state of a clean document with two manifests and one text pass once, and the batch state per manifest', async () => {
    const { total, byState } = await counter.count({ manifests: 2, textPasses: 1, imagesOffensive: false, textOffensive: false });
    expect(byState).toEqual({
      AcceptDocument: 1,
      AcceptOutcome: 1,
      ExtractAndModerate: 1,
      ExtractImages: 1,
      ModerateImages: 1,
      ModerateImageBatch: 2,
      AnyImageBatch: 1,
      CombineImageVerdicts: 1,
      ImagesOffensive: 1,
      ImagesClean: 1,
      ExtractText: 1,
      ModerateText: 1,
      TextCovered: 1,
      TextModerated: 1,
      TextOffensive: 1,
      TextClean: 1,
      RecordVerdict: 1,
      Moderated: 1,
    });
    expect(total).toBe(19);
  });

  it.each([
    [0, 1],
    [1, 1],
    [3, 2],
    [40, 10],
  ])('counts %i manifests and %i text passes as the structure says', async (manifests, passes) => {
    for (const [imagesOffensive, textOffensive] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const { total, byState } = await counter.count({ manifests, textPasses: passes, imagesOffensive, textOffensive });
      expect(total).toBe(byHand(manifests, passes));
      expect(byState.ModerateImageBatch ?? 0).toBe(manifests);
      expect(byState.ModerateText).toBe(passes);
      expect(byState.NotifyImages ?? 0).toBe(imagesOffensive && manifests > 0 ? 1 : 0);
      expect(byState.NotifyText ?? 0).toBe(textOffensive ? 1 : 0);
    }
  });

  it('refuses a scenario the workflow cannot take', async () => {
    await expect(counter.count({ manifests: -1, textPasses: 1, imagesOffensive: false, textOffensive: false })).rejects.toThrow(/manifests/);
    await expect(counter.count({ manifests: 1, textPasses: 0, imagesOffensive: false, textOffensive: false })).rejects.toThrow(/textPasses/);
  });
});

describe('the DetectToxicContent calls of a text', () => {
  it('makes none for no text, and calls of at most 10 segments of at most 1,000 bytes for long text', () => {
    expect(toxicityCalls(0, 200)).toEqual([]);
    expect(toxicityCalls(150, 200)).toEqual([150]);
    const calls = toxicityCalls(50_000, 200);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(calls.length).toBeLessThanOrEqual(6);
    for (const chars of calls) expect(chars).toBeLessThanOrEqual(10 * 1000);
    // Whitespace between segments is not sent: the calls carry nearly all of the text.
    expect(calls.reduce((sum, chars) => sum + chars, 0)).toBeGreaterThan(49_000);
  });

  it('stops at the cap on calls', () => {
    expect(toxicityCalls(3_000_000, settings.maxToxicityCalls)).toHaveLength(settings.maxToxicityCalls);
  });
});

describe('the cost of 1,000 documents', () => {
  const profile: DocumentProfile = {
    pages: 40,
    images: 60,
    textChars: 250_000,
    pdfBytes: 5_000_000,
    textOffensiveShare: 0.5,
    imageOffensiveShare: 0.25,
    englishShare: 1,
  };

  it('bills the transitions the ASL file takes for the document', async () => {
    const report = await documentCostModel(service, profile, 1000, undefined, counter);
    const manifests = Math.ceil(60 / settings.imagesPerBatch);
    expect(report.perDocument.manifests).toBe(manifests);
    expect(report.perDocument.textPasses).toBe(Math.ceil(report.perDocument.toxicityCalls / settings.toxicityCallsPerInvocation));
    expect(report.perDocument.textPasses).toBe(2);
    const transitions = byHand(manifests, 2);
    expect(report.perDocument.transitions).toBeCloseTo(transitions, 9);
    const line = report.lines.find((l) => l.service === 'Step Functions')!;
    expect(line.quantity).toBeCloseTo(1000 * transitions, 6);
    expect(line.monthlyUsd).toBeCloseTo(1000 * transitions * 0.000025, 9);
  });

  it('bills Rekognition per image, Comprehend per unit with its minimum, and the functions at their memorySize', async () => {
    const report = await documentCostModel(service, profile, 1000, undefined, counter);
    const rekognition = report.lines.find((l) => l.service === 'Rekognition')!;
    expect(rekognition.quantity).toBe(60_000);
    expect(rekognition.monthlyUsd).toBeCloseTo(60_000 * 0.001, 9);
    const toxicity = report.lines.find((l) => l.item.startsWith('DetectToxicContent'))!;
    const units = toxicityCalls(250_000, settings.maxToxicityCalls).reduce((sum, chars) => sum + Math.max(3, Math.ceil(chars / 100)), 0);
    expect(toxicity.quantity).toBe(1000 * units);
    const language = report.lines.find((l) => l.item.startsWith('DetectDominantLanguage'))!;
    expect(language.quantity).toBe(1000 * 40);
    // 7 functions: one each for accept, both extractions and the verdict, one per manifest, one per pass, one per alert.
    const requests = report.lines.find((l) => l.item.startsWith('requests'))!;
    expect(requests.quantity).toBeCloseTo(1000 * (4 + 3 + 2 + 0.25 + 0.5), 6);
    expect(report.settings.memoryMb.extractImages).toBe(service.functions.extractImages!.memorySize);
    const gbSeconds = report.lines.find((l) => l.unit === 'GB-s')!.quantity;
    const expected =
      1000 *
      Object.entries(report.perDocument.durationMs).reduce((sum, [fn, ms]) => {
        const invocations = { moderateImages: 3, moderateText: 2, notifyOffensive: 0.75 }[fn] ?? 1;
        return sum + invocations * (service.functions[fn]!.memorySize / 1024) * (Math.ceil(ms) / 1000);
      }, 0);
    expect(gbSeconds).toBeCloseTo(expected, 3);
  });

  it('counts S3 requests from what the functions read and write', async () => {
    const report = await documentCostModel(service, profile, 1000, undefined, counter);
    const puts = report.lines.find((l) => l.item.startsWith('PUT'))!;
    // The upload, 60 images, 3 manifests, the text.
    expect(puts.quantity).toBe(1000 * (1 + 60 + 3 + 1));
    const gets = report.lines.find((l) => l.item.startsWith('GET'))!;
    // HEAD, the PDF twice, 3 manifests, Rekognition's 60 image reads, 2 text passes.
    expect(gets.quantity).toBe(1000 * (1 + 2 + 3 + 60 + 2));
    expect(puts.monthlyUsd).toBeCloseTo(puts.quantity * PRICES.s3.perPutRequest, 12);
  });

  it('costs one language check and no toxicity call for text that is not English', async () => {
    const report = await documentCostModel(service, { ...profile, englishShare: 0, images: 0 }, 1000, undefined, counter);
    expect(report.lines.find((l) => l.item.startsWith('DetectToxicContent'))!.quantity).toBe(0);
    expect(report.lines.find((l) => l.item.startsWith('DetectDominantLanguage'))!.quantity).toBe(1000 * 40);
    expect(report.perDocument.transitions).toBe(byHand(0, 1));
  });

  it('prints a table whose total per 1,000 documents is the sum of its lines', async () => {
    const report = await documentCostModel(service, DEFAULT_PROFILE, 20_000, undefined, counter);
    expect(report.perThousandUsd).toBeCloseTo((report.lines.reduce((sum, l) => sum + l.monthlyUsd, 0) / 20_000) * 1000, 9);
    const table = formatDocumentCostTable(report);
    expect(table).toContain('| Step Functions | Standard state transitions');
    expect(table).toContain(`**$${report.perThousandUsd.toFixed(2)}**`);
  });

  it('refuses a profile that is no document', async () => {
    await expect(documentCostModel(service, { ...profile, pages: 0 }, 1000, undefined, counter)).rejects.toThrow(/at least one page/);
    await expect(documentCostModel(service, { ...profile, textOffensiveShare: 2 }, 1000, undefined, counter)).rejects.toThrow(/between 0 and 1/);
    await expect(documentCostModel(service, profile, 0, undefined, counter)).rejects.toThrow(/documents per month/);
  });

  it('names the source of every price it uses', () => {
    for (const key of ['stepFunctionsStandard', 'rekognition', 'comprehendToxicity', 'comprehend', 's3', 'lambda', 'eventBridge'] as const) {
      expect(PRICES[key].source).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z0-9-]+\/pricing\//);
    }
  });
});
