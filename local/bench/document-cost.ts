// What moderating documents costs on AWS, per 1,000 documents of a given profile: the state transitions counted
// on the real ASL file, each function's GB-seconds at its memorySize from serverless.yml, Rekognition per image,
// Comprehend per unit, S3 requests and storage, DynamoDB, SNS, logs. What AWS does not publish (how long a call
// takes, how large a record is) is a stated assumption below; extraction times come from `npm run bench`.
// The calls a text needs are what ModerateText's own segmenter cuts, so the bill follows the code that makes them.
// eslint-disable-next-line no-restricted-imports -- the segmenter is pure and is the one definition of a call's contents
import { SEGMENTS_PER_CALL, chunk, segmentText } from '../../functions/document-moderation/moderateText/segments.js';
import type { ServiceDefinition } from '../service-definition.js';
import { PRICES, PRICES_AS_OF, PRICES_REGION, tieredCost } from './aws-prices.js';
import type { CostLine } from './cost-model.js';
import { prose, seededStream } from './document-corpus.js';
import { DocumentTransitionCounter, type TransitionScenario } from './document-transitions.js';
import { LAMBDA_MB_PER_VCPU } from './report.js';

export interface DocumentProfile {
  pages: number;
  /** Distinct embedded images (each is extracted, stored and sent to Rekognition once). */
  images: number;
  /** Characters of the text layer. */
  textChars: number;
  /** Size of the uploaded PDF. */
  pdfBytes: number;
  /** Share of documents whose text is offensive (of those in English), and whose images are; independent. */
  textOffensiveShare: number;
  imageOffensiveShare: number;
  /** Share of documents in English: DetectToxicContent checks English only, so other text costs one language check. */
  englishShare: number;
}

/** A book club's handout or reading guide: a dozen pages, a few pictures, mostly text. */
export const DEFAULT_PROFILE: DocumentProfile = {
  pages: 12,
  images: 6,
  textChars: 30_000,
  pdfBytes: 1_500_000,
  textOffensiveShare: 0.05,
  imageOffensiveShare: 0.02,
  englishShare: 0.9,
};

export interface DocumentCostAssumptions {
  /**
   * Extraction CPU on one core of the machine `npm run bench -- --documents` ran on (docs/DOCUMENT-BENCHMARKS.md),
   * ms. On Lambda a function gets one vCPU at 1,769 MB and a share below, so these scale by that share.
   */
  extraction: { imagesBaseMs: number; imagesPerPageMs: number; imagesPerImageMs: number; textBaseMs: number; textPerPageMs: number };
  /** Where the extraction figures come from. */
  extractionSource: string;
  /** Calls to AWS from inside a function, in the region, ms each (not measurable offline: assumed). */
  s3RequestMs: number;
  rekognitionCallMs: number;
  dominantLanguageMs: number;
  toxicityCallMs: number;
  /** Handler time around the calls (parsing, logging, SDK), ms per invocation. */
  handlerOverheadMs: number;
  /** DynamoDB conditional writes and SNS Publish, ms. */
  dynamodbWriteMs: number;
  snsPublishMs: number;
  /** UTF-8 bytes per character of the text (1 for English; more for accents or other scripts). */
  bytesPerChar: number;
  /** Mean PNG bytes of an extracted image, and manifest bytes per image listed. */
  imageBytes: number;
  manifestBytesPerImage: number;
  /** Bytes of a verdict record (flagged images, labels, excerpts); the `recent` index projects all of it. */
  recordBytes: number;
  /** Months an upload is kept (current versions do not expire; derived objects do, after derivedExpirationDays). */
  uploadStorageMonths: number;
  /** CloudWatch Logs: Lambda's START/END/REPORT lines, and the handler's INFO lines, per invocation. */
  lambdaLogBytesPerInvocation: number;
  handlerLogBytesPerInvocation: number;
}

export const DEFAULT_DOCUMENT_ASSUMPTIONS: DocumentCostAssumptions = {
  extraction: { imagesBaseMs: 0, imagesPerPageMs: 3, imagesPerImageMs: 18, textBaseMs: 0, textPerPageMs: 10 },
  extractionSource: 'CPU on one core of a 2-core Xeon, measured by `npm run bench -- --documents` on 2026-11-30 (docs/DOCUMENT-BENCHMARKS.md), rounded up',
  s3RequestMs: 20,
  rekognitionCallMs: 250,
  dominantLanguageMs: 60,
  toxicityCallMs: 300,
  handlerOverheadMs: 10,
  dynamodbWriteMs: 15,
  snsPublishMs: 50,
  bytesPerChar: 1,
  imageBytes: 250_000,
  manifestBytesPerImage: 130,
  recordBytes: 1_500,
  uploadStorageMonths: 1,
  lambdaLogBytesPerInvocation: 350,
  handlerLogBytesPerInvocation: 2 * 450,
};

interface DocumentSettings {
  imagesPerBatch: number;
  imageModerationConcurrency: number;
  toxicityCallsPerInvocation: number;
  maxToxicityCalls: number;
  derivedExpirationDays: number;
}

export interface DocumentCostReport {
  documentsPerMonth: number;
  profile: DocumentProfile;
  assumptions: DocumentCostAssumptions;
  settings: DocumentSettings & { memoryMb: Record<string, number> };
  /** Per document, as the model derived them. */
  perDocument: {
    manifests: number;
    toxicityCalls: number;
    textPasses: number;
    transitions: number;
    transitionsByCase: Array<{ case: string; share: number; transitions: number }>;
    durationMs: Record<string, number>;
  };
  lines: CostLine[];
  totalUsd: number;
  perThousandUsd: number;
  pricesAsOf: string;
  region: string;
}

const ceilTo = (value: number, step: number) => Math.ceil(value / step) * step;
const units = (chars: number, price: { charsPerUnit: number; minimumUnits: number }) => Math.max(price.minimumUnits, Math.ceil(chars / price.charsPerUnit));

function documentSettings(service: ServiceDefinition): DocumentSettings {
  const raw = service.documents as Record<string, unknown>;
  const number = (name: keyof DocumentSettings) => {
    const value = Number(raw[name]);
    if (!(value > 0)) throw new Error(`serverless/document-moderation.yml settings.${name} is missing or not positive`);
    return value;
  };
  return {
    imagesPerBatch: number('imagesPerBatch'),
    imageModerationConcurrency: number('imageModerationConcurrency'),
    toxicityCallsPerInvocation: number('toxicityCallsPerInvocation'),
    maxToxicityCalls: number('maxToxicityCalls'),
    derivedExpirationDays: number('derivedExpirationDays'),
  };
}

/**
 * The DetectToxicContent calls a text of `textChars` characters needs, and the characters each sends, cut by the
 * real segmenter (moderateText/segments.ts) from generated English prose, capped at maxToxicityCalls.
 */
export function toxicityCalls(textChars: number, maxCalls: number): number[] {
  if (textChars <= 0) return [];
  const bytes = Buffer.from(prose(seededStream(7), textChars), 'utf8');
  const { segments } = segmentText(bytes, Number.MAX_SAFE_INTEGER, true);
  return chunk(segments, SEGMENTS_PER_CALL)
    .slice(0, maxCalls)
    .map((call) => call.reduce((sum, segment) => sum + segment.text.length, 0));
}

function checkProfile(profile: DocumentProfile): void {
  for (const name of ['pages', 'images', 'textChars', 'pdfBytes'] as const) {
    if (!Number.isFinite(profile[name]) || profile[name] < 0) throw new Error(`${name} must be a number of at least 0, got ${profile[name]}`);
  }
  if (profile.pages < 1) throw new Error('a document has at least one page');
  for (const name of ['textOffensiveShare', 'imageOffensiveShare', 'englishShare'] as const) {
    if (!(profile[name] >= 0 && profile[name] <= 1)) throw new Error(`${name} must be between 0 and 1, got ${profile[name]}`);
  }
}

export async function documentCostModel(
  service: ServiceDefinition,
  profile: DocumentProfile = DEFAULT_PROFILE,
  documentsPerMonth = 10_000,
  assumptions: DocumentCostAssumptions = DEFAULT_DOCUMENT_ASSUMPTIONS,
  counter: DocumentTransitionCounter = new DocumentTransitionCounter(service),
): Promise<DocumentCostReport> {
  checkProfile(profile);
  if (!(documentsPerMonth > 0)) throw new Error(`documents per month must be positive, got ${documentsPerMonth}`);
  // The sample's size has its one home in the handler. Imported here, not above: the handler module creates its SDK
  // clients when it loads, and in a process that runs a local stack they must see the stack's environment.
  const { LANGUAGE_SAMPLE_BYTES } = await import('../../functions/document-moderation/moderateText/handler.js');
  const settings = documentSettings(service);
  const memoryMb = Object.fromEntries(Object.entries(service.functions).map(([name, fn]) => [name, fn.memorySize]));
  const memoryOf = (fn: string) => {
    const mb = memoryMb[fn];
    if (!mb) throw new Error(`serverless.yml has no function ${fn}`);
    return mb;
  };
  const a = assumptions;
  const N = documentsPerMonth;
  // A document without images has none to offend.
  const pImages = profile.images > 0 ? profile.imageOffensiveShare : 0;
  const pText = profile.textOffensiveShare * profile.englishShare;
  const english = profile.englishShare;

  // The text check: calls and passes for English text; other languages stop after the language check.
  const callChars = toxicityCalls(profile.textChars, settings.maxToxicityCalls);
  const passesEnglish = Math.max(1, Math.ceil(callChars.length / settings.toxicityCallsPerInvocation));
  const manifests = Math.ceil(profile.images / settings.imagesPerBatch);

  // Transitions: every combination of outcomes, each counted on the ASL file, weighted by its share.
  const cases: Array<{ case: string; share: number; scenario: TransitionScenario }> = [];
  for (const [imagesOffensive, imageShare] of [[true, pImages], [false, 1 - pImages]] as const) {
    for (const [language, languageShare] of [['English', english], ['not English', 1 - english]] as const) {
      const textCases = language === 'English' ? ([[true, profile.textOffensiveShare], [false, 1 - profile.textOffensiveShare]] as const) : ([[false, 1]] as const);
      for (const [textOffensive, textShare] of textCases) {
        const share = imageShare * languageShare * textShare;
        if (share <= 0) continue;
        cases.push({
          case: `images ${imagesOffensive ? 'offensive' : 'clean'}, text ${language}${language === 'English' ? `, ${textOffensive ? 'offensive' : 'clean'}` : ''}`,
          share,
          scenario: { manifests, textPasses: language === 'English' ? passesEnglish : 1, imagesOffensive, textOffensive },
        });
      }
    }
  }
  const transitionsByCase: DocumentCostReport['perDocument']['transitionsByCase'] = [];
  for (const entry of cases) {
    const { total } = await counter.count(entry.scenario);
    transitionsByCase.push({ case: entry.case, share: entry.share, transitions: total });
  }
  const transitions = transitionsByCase.reduce((sum, entry) => sum + entry.share * entry.transitions, 0);

  // Function durations on AWS.
  const cpuShare = (fn: string) => Math.max(1, LAMBDA_MB_PER_VCPU / memoryOf(fn));
  const x = a.extraction;
  const textBytes = profile.textChars * a.bytesPerChar;
  const imagesPerManifest = (n: number) => Math.min(settings.imagesPerBatch, profile.images - n * settings.imagesPerBatch);
  const rekognitionRounds = Array.from({ length: manifests }, (_, n) => Math.ceil(imagesPerManifest(n) / settings.imageModerationConcurrency));
  const passes = english * passesEnglish + (1 - english);
  const invocations: Record<string, number> = {
    acceptDocument: 1,
    extractImages: 1,
    extractText: 1,
    moderateImages: manifests,
    moderateText: passes,
    notifyOffensive: pImages + pText,
    recordVerdict: 1,
  };
  const textCheckMs = profile.textChars > 0 ? a.dominantLanguageMs + english * callChars.length * a.toxicityCallMs + passes * a.s3RequestMs : 0;
  /** Each function's time per document, all its invocations together, ms. */
  const msPerDocument: Record<string, number> = {
    acceptDocument: a.handlerOverheadMs + a.s3RequestMs + a.dynamodbWriteMs,
    extractImages:
      a.handlerOverheadMs +
      (x.imagesBaseMs + x.imagesPerPageMs * profile.pages + x.imagesPerImageMs * profile.images) * cpuShare('extractImages') +
      a.s3RequestMs * (1 + profile.images + manifests),
    extractText: a.handlerOverheadMs + (x.textBaseMs + x.textPerPageMs * profile.pages) * cpuShare('extractText') + 2 * a.s3RequestMs,
    // Each manifest: its GET, then its images a few at a time.
    moderateImages: manifests * (a.handlerOverheadMs + a.s3RequestMs) + rekognitionRounds.reduce((sum, rounds) => sum + rounds, 0) * a.rekognitionCallMs,
    moderateText: passes * a.handlerOverheadMs + textCheckMs,
    notifyOffensive: (pImages + pText) * (a.handlerOverheadMs + 2 * a.dynamodbWriteMs + a.snsPublishMs),
    recordVerdict: a.handlerOverheadMs + a.dynamodbWriteMs,
  };
  /** Mean time of one invocation, ms. */
  const durationMs = Object.fromEntries(
    Object.entries(msPerDocument).map(([fn, ms]) => [fn, (invocations[fn] ?? 0) > 0 ? ms / (invocations[fn] as number) : 0]),
  );
  const timeouts = Object.fromEntries(Object.entries(service.functions).map(([name, fn]) => [name, fn.timeoutSeconds * 1000]));
  for (const [fn, ms] of Object.entries(durationMs)) {
    if (ms > (timeouts[fn] ?? Infinity)) throw new Error(`the modelled duration of ${fn} (${ms.toFixed(0)} ms) passes its timeout: the document is beyond what the pipeline is sized for`);
  }
  const lambdaRequests = N * Object.values(invocations).reduce((sum, n) => sum + n, 0);
  const gbSeconds =
    N * Object.entries(invocations).reduce((sum, [fn, n]) => sum + n * (memoryOf(fn) / 1024) * (ceilTo(durationMs[fn] ?? 0, PRICES.lambda.durationStepMs) / 1000), 0);

  // Comprehend: one language check of the text's start, then the toxicity calls of English text.
  const sampleChars = Math.min(profile.textChars, Math.floor(LANGUAGE_SAMPLE_BYTES / a.bytesPerChar));
  const languageUnits = profile.textChars > 0 ? N * units(sampleChars, PRICES.comprehend) : 0;
  const toxicityUnits = N * english * callChars.reduce((sum, chars) => sum + units(chars, PRICES.comprehendToxicity), 0);
  const images = N * profile.images;

  // S3: the upload; the extractors' reads and writes; the Map's manifest reads and Rekognition's image reads; the text passes' range reads.
  const puts = N * (1 + profile.images + manifests + 1);
  const gets = N * (1 + 2 + manifests + profile.images + (profile.textChars > 0 ? passes : 0));
  const derivedBytes = profile.images * (a.imageBytes + a.manifestBytesPerImage) + textBytes;
  const storageGbMonths = (N * (profile.pdfBytes * a.uploadStorageMonths + derivedBytes * (settings.derivedExpirationDays / 30))) / 2 ** 30;

  // DynamoDB: the claim, the verdict, and two writes per alert (claimed, sent); the `recent` index takes each again.
  const writeUnits = N * (2 + 2 * (pImages + pText)) * 2 * Math.ceil(a.recordBytes / 1024);
  const alerts = N * (pImages + pText);
  const logBytes = lambdaRequests * (a.lambdaLogBytesPerInvocation + a.handlerLogBytesPerInvocation);

  const lines: CostLine[] = [
    { service: 'Step Functions', item: `Standard state transitions (${transitions.toFixed(1)} per document, counted on the ASL file)`, quantity: N * transitions, unit: 'transitions', monthlyUsd: N * transitions * PRICES.stepFunctionsStandard.perStateTransition },
    { service: 'Lambda', item: 'requests (7 state functions)', quantity: lambdaRequests, unit: 'requests', monthlyUsd: lambdaRequests * PRICES.lambda.perRequest },
    { service: 'Lambda', item: 'duration, arm64, memory from serverless.yml', quantity: gbSeconds, unit: 'GB-s', monthlyUsd: tieredCost(gbSeconds, PRICES.lambda.perGbSecondArm64) },
    { service: 'Rekognition', item: 'DetectModerationLabels (one per image)', quantity: images, unit: 'images', monthlyUsd: tieredCost(images, PRICES.rekognition.perModerationImage) },
    { service: 'Comprehend', item: `DetectToxicContent (${callChars.length} calls per English document, 3 units at least each)`, quantity: toxicityUnits, unit: 'units', monthlyUsd: tieredCost(toxicityUnits, PRICES.comprehendToxicity.perUnit) },
    { service: 'Comprehend', item: 'DetectDominantLanguage (the text\'s start, once)', quantity: languageUnits, unit: 'units', monthlyUsd: tieredCost(languageUnits, PRICES.comprehend.perUnit) },
    { service: 'S3', item: 'PUT (upload, images, manifests, text)', quantity: puts, unit: 'requests', monthlyUsd: puts * PRICES.s3.perPutRequest },
    { service: 'S3', item: 'GET and HEAD (extractors, manifests, Rekognition\'s image reads, text passes)', quantity: gets, unit: 'requests', monthlyUsd: gets * PRICES.s3.perGetRequest },
    { service: 'S3', item: `storage (uploads ${a.uploadStorageMonths} month, derived objects ${settings.derivedExpirationDays} days)`, quantity: storageGbMonths, unit: 'GB-months', monthlyUsd: storageGbMonths * PRICES.s3.perGbMonth },
    { service: 'DynamoDB', item: 'on-demand writes (claim, verdict, alert claims; index included)', quantity: writeUnits, unit: 'WRU', monthlyUsd: writeUnits * PRICES.dynamodb.perWriteRequestUnit },
    { service: 'SNS', item: 'Publish (alerts)', quantity: alerts, unit: 'requests', monthlyUsd: alerts * PRICES.sns.perPublish },
    { service: 'SNS', item: 'email deliveries (1 subscriber)', quantity: alerts, unit: 'emails', monthlyUsd: alerts * PRICES.sns.perEmail },
    { service: 'EventBridge', item: 'Object Created events from S3 (AWS service events are free)', quantity: N, unit: 'events', monthlyUsd: N * PRICES.eventBridge.perAwsServiceEvent },
    { service: 'CloudWatch Logs', item: 'ingestion (handlers at INFO; executions log errors only)', quantity: logBytes / 2 ** 30, unit: 'GB', monthlyUsd: (logBytes / 2 ** 30) * PRICES.cloudwatchLogs.perGbIngested },
  ];
  const totalUsd = lines.reduce((sum, line) => sum + line.monthlyUsd, 0);
  return {
    documentsPerMonth: N,
    profile,
    assumptions,
    settings: { ...settings, memoryMb },
    perDocument: { manifests, toxicityCalls: callChars.length, textPasses: passesEnglish, transitions, transitionsByCase, durationMs },
    lines,
    totalUsd,
    perThousandUsd: (totalUsd / N) * 1000,
    pricesAsOf: PRICES_AS_OF,
    region: PRICES_REGION,
  };
}

const usd = (value: number) => (value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`);
const amount = (value: number) =>
  value >= 1e6 ? `${(value / 1e6).toFixed(2)} M` : value >= 1e3 ? `${(value / 1e3).toFixed(1)} k` : value >= 10 ? value.toFixed(0) : value.toFixed(2);

/** "43 for 90 % of documents, 41 for 10 %": the cases grouped by their count. */
function transitionShares(cases: DocumentCostReport['perDocument']['transitionsByCase']): string {
  const shares = new Map<number, number>();
  for (const entry of cases) shares.set(entry.transitions, (shares.get(entry.transitions) ?? 0) + entry.share);
  return [...shares]
    .sort((a, b) => b[1] - a[1])
    .map(([transitions, share], index) => `${transitions} for ${(share * 100).toFixed(share * 100 >= 9.95 ? 0 : 1)} %${index === 0 ? ' of documents' : ''}`)
    .join(', ');
}

export function formatDocumentCostTable(report: DocumentCostReport): string {
  const p = report.profile;
  const d = report.perDocument;
  const per = (value: number) => usd((value / report.documentsPerMonth) * 1000);
  return [
    `Document moderation: cost of ${report.documentsPerMonth.toLocaleString('en-US')} documents a month, and per 1,000 documents (${report.region}, list prices as known to the author in ${report.pricesAsOf}, not fetched live; free tiers not counted).`,
    `Document: ${p.pages} pages, ${p.images} images, ${p.textChars.toLocaleString('en-US')} characters of text, ${(p.pdfBytes / 1e6).toFixed(1)} MB; ` +
      `${(p.englishShare * 100).toFixed(0)} % in English, text offensive in ${(p.textOffensiveShare * 100).toFixed(0)} % of those, images offensive in ${(p.imageOffensiveShare * 100).toFixed(0)} %.`,
    `Per document: ${d.manifests} image manifest(s) (${report.settings.imagesPerBatch} images each), ${d.toxicityCalls} DetectToxicContent call(s) in ${d.textPasses} pass(es) of ModerateText, ` +
      `${d.transitions.toFixed(1)} state transitions on average (${transitionShares(d.transitionsByCase)}).`,
    `Modelled duration per invocation on AWS: ${Object.entries(d.durationMs).map(([fn, ms]) => `${fn} ${ms.toFixed(0)} ms at ${report.settings.memoryMb[fn]} MB`).join(', ')}. ` +
      `Extraction times: ${report.assumptions.extractionSource}.`,
    '',
    '| service | what | quantity a month | $ a month | $ per 1,000 documents |',
    '| --- | --- | ---: | ---: | ---: |',
    ...report.lines.map((line) => `| ${line.service} | ${line.item} | ${amount(line.quantity)} ${line.unit} | ${usd(line.monthlyUsd)} | ${per(line.monthlyUsd)} |`),
    `| **total** | | | **${usd(report.totalUsd)}** | **${usd(report.perThousandUsd)}** |`,
  ].join('\n');
}
