// `npm run bench -- --documents`: the document pipeline measured on this machine.
// - Extraction: the extraction domain functions (extractText, extractImages) called directly on generated PDFs:
//   documents per minute, pages and images per second, and the cost per page and per image the cost model uses.
// - Memory: each heavy function's bundle (built as serverless.yml builds it) run once in a fresh process on a
//   large image-heavy PDF in the local stack's bucket: peak RSS, Lambda's "Max Memory Used", against memorySize.
// - The whole pipeline on the local stack: uploads under uploads/ -> EventBridge -> the Standard machine ->
//   the handlers -> verdicts; documents per minute end to end.
// - The Map's speedup: the image Map at MaxConcurrency 1 against its configured value, timed from the execution
//   history, as the local stack runs it and with latency added to each ModerateImageBatch as AWS would have.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, GetExecutionHistoryCommand, UpdateStateMachineCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
// The bench measures the extraction domain functions themselves, without S3 or the runtime around them: the one
// place local/ calls into a function's code rather than its handler through serverless.yml.
// eslint-disable-next-line no-restricted-imports -- measured directly, see above
import { extractImages, type ImageSink } from '../../functions/document-moderation/extractImages/images.js';
// eslint-disable-next-line no-restricted-imports -- measured directly, see above
import { extractText } from '../../functions/document-moderation/extractText/text.js';
import type { DocumentRef, ExtractImagesOutput, ExtractTextOutput } from '../../functions/document-moderation/shared/contract.js';
import { loadServiceDefinition, projectRoot, type ServiceDefinition } from '../service-definition.js';
import { startLocalStack, type LocalStack } from '../stack.js';
import { build } from 'esbuild';
import { buildBundle, esbuildOptions, lambdaLikeEnvironment } from './cold-start.js';
import { generatePdf, type PdfProfile } from './document-corpus.js';
import { documentCostModel, DEFAULT_DOCUMENT_ASSUMPTIONS, type DocumentCostReport } from './document-cost.js';
import { median } from './stats.js';

export interface DocumentBenchOptions {
  /** Documents of `extractionProfile` through both extractors, one after another. */
  extractionDocuments: number;
  extractionProfile: PdfProfile;
  /** The large document whose extraction memory is measured (issue 9: 200 pages, image-heavy). */
  largeProfile: PdfProfile;
  /** Skip the memory measurement (it builds bundles and decodes the large PDF: the longest part). */
  skipMemory?: boolean;
  /** Documents of `pipelineProfile` uploaded together through the whole pipeline. */
  pipelineDocuments: number;
  pipelineProfile: PdfProfile;
  /** The document whose image Map is timed at MaxConcurrency 1 and at the configured value. */
  mapProfile: PdfProfile;
  mapRepeats: number;
  /** Latency added to each ModerateImageBatch invocation, ms (0: the local stack as it is). */
  mapLatenciesMs: number[];
  onProgress?: (line: string) => void;
}

/** The document scenarios of `npm run bench -- --documents`. */
export function defaultDocumentBenchOptions(largePages: number, skipMemory: boolean): DocumentBenchOptions {
  return {
    extractionDocuments: 12,
    extractionProfile: { pages: 10, imagesPerPage: 2, textCharsPerPage: 2500 },
    largeProfile: { pages: largePages, imagesPerPage: 3, textCharsPerPage: 1500 },
    skipMemory,
    pipelineDocuments: 8,
    pipelineProfile: { pages: 10, imagesPerPage: 1, textCharsPerPage: 2500 },
    // 150 images: 6 manifests, more than the configured MaxConcurrency.
    mapProfile: { pages: 50, imagesPerPage: 3, textCharsPerPage: 300 },
    mapRepeats: 3,
    // 3,250 ms: a full manifest on AWS, 25 images two at a time at about 250 ms a DetectModerationLabels call.
    mapLatenciesMs: [0, 3250],
  };
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
}

export interface ExtractionResult {
  label: string;
  profile: PdfProfile;
  documents: number;
  pdfBytes: number;
  pages: number;
  images: number;
  characters: number;
  /** Wall time of each extractor over all documents, ms (one thread, one after another). */
  textMs: number;
  imagesMs: number;
  /** CPU time of this process over the same runs, ms. */
  textCpuMs: number;
  imagesCpuMs: number;
}

export interface FunctionPeak {
  functionName: string;
  memorySizeMb: number;
  peakRssMb: number;
  heapUsedMb: number;
  wallMs: number;
  cpuMs: number;
  /** What the invocation did (pages, images, manifests...), or its error. */
  outcome: string;
  error?: string;
  /** The bundle as serverless.yml builds it; or, when that fails to load, one with the pdfjs environment module evaluated first. */
  loadedFrom: { kind: 'bundle' } | { kind: 'environment-first'; bundleError: string };
}

export interface PipelineRun {
  profile: PdfProfile;
  documents: number;
  pages: number;
  images: number;
  /** First upload to last verdict, ms. */
  elapsedMs: number;
  statuses: Record<string, number>;
  /** Each execution's own duration (start to stop), ms. */
  executionMs: number[];
}

export interface MapTiming {
  addedLatencyMs: number;
  maxConcurrency: number;
  manifests: number;
  /** The Map state's time (MapStateEntered to MapStateExited), ms, per run. */
  mapMs: number[];
  executionMs: number[];
}

export interface DocumentBenchReport {
  date: string;
  command: string;
  machine: Machine;
  extraction: ExtractionResult[];
  large?: { profile: PdfProfile; pdfBytes: number; generateMs: number; functions: FunctionPeak[] };
  pipeline: PipelineRun;
  map: { configuredMaxConcurrency: number; timings: MapTiming[] };
  /** Per page and per image, one core, ms: what the cost model's extraction assumptions take. */
  extractionCosts: DocumentCostReport['assumptions']['extraction'];
  cost: DocumentCostReport;
}

export function machine(): Machine {
  const info = cpus();
  return {
    cpu: info[0]?.model.trim() ?? 'unknown',
    cores: info.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

interface DocumentSettings {
  maxDocumentBytes: number;
  maxPages: number;
  maxImages: number;
  imagesPerBatch: number;
  imageMapConcurrency: number;
}

function settingsOf(service: ServiceDefinition): DocumentSettings {
  const raw = service.documents as Record<string, unknown>;
  const read = (name: keyof DocumentSettings) => {
    const value = Number(raw[name]);
    if (!(value > 0)) throw new Error(`serverless/document-moderation.yml settings.${name} is missing`);
    return value;
  };
  return {
    maxDocumentBytes: read('maxDocumentBytes'),
    maxPages: read('maxPages'),
    maxImages: read('maxImages'),
    imagesPerBatch: read('imagesPerBatch'),
    imageMapConcurrency: read('imageMapConcurrency'),
  };
}

const cpuMsSince = (before: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

/** Keeps count of what extraction writes and drops the bytes: the extractor's own work, without S3. */
function countingSink(): ImageSink & { bytes: number } {
  const sink = {
    bytes: 0,
    putImage: async (_key: string, png: Buffer) => {
      sink.bytes += png.length;
    },
    putManifest: async () => undefined,
  };
  return sink;
}

const BENCH_KEYS = { image: (page: number, n: number) => `bench/images/${page}-${n}.png`, manifest: (n: number) => `bench/manifests/${n}.json` };

/** Both extractors over `documents` PDFs of a profile (distinct seeds), one document after another. */
export async function measureExtraction(label: string, profile: PdfProfile, documents: number, settings: DocumentSettings): Promise<ExtractionResult> {
  const pdfs = await Promise.all(Array.from({ length: documents }, (_, n) => generatePdf({ ...profile, seed: (profile.seed ?? 1) * 1000 + n })));
  const limits = { maxDocumentBytes: settings.maxDocumentBytes, maxPages: settings.maxPages, maxImages: settings.maxImages, imagesPerBatch: settings.imagesPerBatch };
  const far = () => Date.now() + 10 * 60_000;
  // One warm-up of each, so the engine's code is loaded and compiled before timing.
  await extractText(pdfs[0]!, limits, far());
  await extractImages(pdfs[0]!, limits, BENCH_KEYS, countingSink(), far());
  const result: ExtractionResult = { label, profile, documents, pdfBytes: 0, pages: 0, images: 0, characters: 0, textMs: 0, imagesMs: 0, textCpuMs: 0, imagesCpuMs: 0 };
  for (const pdf of pdfs) {
    result.pdfBytes += pdf.length;
    let started = performance.now();
    let cpu = process.cpuUsage();
    const text = await extractText(pdf, limits, far());
    result.textMs += performance.now() - started;
    result.textCpuMs += cpuMsSince(cpu);
    started = performance.now();
    cpu = process.cpuUsage();
    const images = await extractImages(pdf, limits, BENCH_KEYS, countingSink(), far());
    result.imagesMs += performance.now() - started;
    result.imagesCpuMs += cpuMsSince(cpu);
    if (text.pages !== profile.pages || images.pages !== profile.pages) throw new Error(`extraction saw ${text.pages} pages, the PDF has ${profile.pages}`);
    result.pages += text.pages;
    result.images += images.imageCount;
    result.characters += text.text.length;
  }
  return result;
}

/** What runs in the fresh process: the bundle's handler once on the event, then the process's peak memory. */
const PEAK_PROBE = `
const timeoutMs = Number(process.env.TIMEOUT_MS);
let started;
const context = {
  callbackWaitsForEmptyEventLoop: true, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, awsRequestId: crypto.randomUUID(), logGroupName: 'bench', logStreamName: 'bench',
  getRemainingTimeInMillis: () => timeoutMs - (performance.now() - started), done() {}, fail() {}, succeed() {},
};
(async () => {
  const handler = require(process.env.BUNDLE)[process.env.HANDLER_EXPORT];
  started = performance.now();
  const cpu = process.cpuUsage();
  let output, error;
  try { output = await handler(JSON.parse(process.env.EVENT), context); } catch (thrown) { error = (thrown && thrown.name) + ': ' + (thrown && thrown.message); }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // VmHWM, not resourceUsage().maxRSS: Linux carries ru_maxrss over fork and exec, so a child of a large process
  // would report its parent's size. VmHWM belongs to this process's own address space.
  const status = require('fs').readFileSync('/proc/self/status', 'utf8');
  const hwm = /VmHWM:\\s+(\\d+) kB/.exec(status);
  process.stdout.write('\\n@@peak' + JSON.stringify({ output, error, wallMs, cpuMs: (used.user + used.system) / 1000,
    peakRssKb: hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS, heapUsed: process.memoryUsage().heapUsed }));
})();
`;

interface PeakAnswer {
  output?: unknown;
  error?: string;
  wallMs: number;
  cpuMs: number;
  peakRssKb: number;
  heapUsed: number;
}

/** The first line of a failed process's stderr that names an error: why the bundle did not load. */
function loadError(error: unknown): string {
  const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message ?? error);
  return (stderr.split('\n').find((line) => /^\w*Error\b/.test(line)) ?? stderr.split('\n')[0] ?? 'unknown error').slice(0, 300);
}

async function runOnce(
  service: ServiceDefinition,
  stack: LocalStack,
  functionName: string,
  bundle: string,
  event: unknown,
): Promise<PeakAnswer> {
  const fn = service.functions[functionName]!;
  const env = {
    ...lambdaLikeEnvironment(service, functionName),
    ...stack.environment,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    BUNDLE: bundle,
    HANDLER_EXPORT: fn.exportName,
    EVENT: JSON.stringify(event),
    TIMEOUT_MS: String(fn.timeoutSeconds * 1000),
  };
  // From the project root, where pdfjs-dist's decoders and CMaps are found as they are beside the bundle on Lambda.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', PEAK_PROBE], { env, cwd: projectRoot, maxBuffer: 64 * 1024 * 1024, timeout: fn.timeoutSeconds * 1000 + 30_000 });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('@@peak') + '@@peak'.length)) as PeakAnswer;
}

function peakOf(service: ServiceDefinition, functionName: string, answer: PeakAnswer, outcome: string, loadedFrom: FunctionPeak['loadedFrom']): FunctionPeak {
  return {
    functionName,
    memorySizeMb: service.functions[functionName]!.memorySize,
    peakRssMb: answer.peakRssKb / 1024,
    heapUsedMb: answer.heapUsed / 2 ** 20,
    wallMs: answer.wallMs,
    cpuMs: answer.cpuMs,
    outcome: answer.error ? 'failed' : outcome,
    loadedFrom,
    ...(answer.error ? { error: answer.error } : {}),
  };
}

/** The module that gives pdfjs-dist the canvas globals it reads when it loads; the sources import it before pdfjs-dist. */
const PDF_ENVIRONMENT = 'functions/document-moderation/shared/pdf-environment.ts';

/** The function's bundle as serverless.yml builds it, but with PDF_ENVIRONMENT evaluated before any other module. */
async function environmentFirstBundle(service: ServiceDefinition, functionName: string, outDir: string): Promise<string> {
  const { outputFileExtension, ...options } = esbuildOptions(service, 'bundled');
  const outfile = join(outDir, 'environment-first', `${functionName}${outputFileExtension}`);
  const entry = join(projectRoot, `${service.functions[functionName]!.modulePath}.ts`);
  await build({ ...options, entryPoints: [entry], inject: [join(projectRoot, PDF_ENVIRONMENT)], outfile, logLevel: 'silent' });
  return outfile;
}

/** Bytes of each part: the local S3 endpoint takes requests of at most 11 MiB, so a large PDF goes up in parts, as the CLI sends it. */
const PART_BYTES = 8 * 2 ** 20;

async function putLarge(stack: LocalStack, key: string, body: Buffer): Promise<void> {
  const Bucket = stack.resources.documentsBucket;
  if (body.length <= PART_BYTES) {
    await stack.clients.s3.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: 'application/pdf' }));
    return;
  }
  const { UploadId } = await stack.clients.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: 'application/pdf' }));
  const parts: Array<{ ETag?: string; PartNumber: number }> = [];
  for (let offset = 0, PartNumber = 1; offset < body.length; offset += PART_BYTES, PartNumber++) {
    const { ETag } = await stack.clients.s3.send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber, Body: body.subarray(offset, offset + PART_BYTES) }));
    parts.push({ ETag, PartNumber });
  }
  await stack.clients.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
}

/** The heavy functions on the large PDF, each in a fresh process: the extractors, then one manifest and one text pass. */
export async function measureLargeDocument(
  service: ServiceDefinition,
  stack: LocalStack,
  pdf: Buffer,
  progress: (line: string) => void,
): Promise<FunctionPeak[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'document-bench-'));
  try {
    // Outside uploads/: the bucket's rule starts no execution for it; the functions are invoked directly.
    const key = `bench/${randomUUID()}.pdf`;
    await putLarge(stack, key, pdf);
    const document: DocumentRef = { documentId: `bench${Date.now()}`, bucket: stack.resources.documentsBucket, key, size: pdf.length };
    const peaks: FunctionPeak[] = [];
    const run = async (functionName: string, event: unknown, describe: (output: unknown) => string) => {
      progress(`  ${functionName}: building its bundle and running it once`);
      const bundle = await buildBundle(service, functionName, 'bundled', outDir);
      let answer: PeakAnswer;
      let loadedFrom: FunctionPeak['loadedFrom'] = { kind: 'bundle' };
      try {
        answer = await runOnce(service, stack, functionName, bundle, event);
      } catch (error) {
        // A bundle that cannot load is a finding in itself. Measured again with the pdfjs environment module evaluated
        // first, as the handlers' sources intend: what the function uses once its imports are in that order.
        loadedFrom = { kind: 'environment-first', bundleError: loadError(error) };
        progress(`  ${functionName}: its bundle did not load (${loadedFrom.bundleError}); measuring a bundle with ${PDF_ENVIRONMENT} evaluated first`);
        answer = await runOnce(service, stack, functionName, await environmentFirstBundle(service, functionName, outDir), event);
      }
      const peak = peakOf(service, functionName, answer, answer.error ? '' : describe(answer.output), loadedFrom);
      peaks.push(peak);
      progress(`  ${functionName}: peak RSS ${peak.peakRssMb.toFixed(0)} MB of ${peak.memorySizeMb} MB, ${(peak.wallMs / 1000).toFixed(1)} s${peak.error ? `, failed: ${peak.error}` : ''}`);
      return answer.output;
    };
    const images = (await run('extractImages', { document }, (o) => {
      const out = o as ExtractImagesOutput;
      return `${out.pages} pages, ${out.imageCount} images in ${out.imageBatches.length} manifests`;
    })) as ExtractImagesOutput | undefined;
    const text = (await run('extractText', { document }, (o) => {
      const out = o as ExtractTextOutput;
      return `${out.pages} pages, ${out.characters.toLocaleString('en-US')} characters`;
    })) as ExtractTextOutput | undefined;
    if (images?.imageBatches[0]) {
      await run('moderateImages', { document, manifestKey: images.imageBatches[0] }, (o) => {
        const out = o as { moderated: number; skipped: number };
        return `one manifest: ${out.moderated} images moderated, ${out.skipped} skipped`;
      });
    }
    if (text) {
      await run('moderateText', { document, text }, (o) => {
        const out = o as { calls: number; done: boolean };
        return `one pass: ${out.calls} DetectToxicContent calls${out.done ? ', text covered' : ''}`;
      });
    }
    return peaks;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

async function upload(stack: LocalStack, pdf: Buffer, name: string): Promise<string> {
  const key = `uploads/bench/${randomUUID()}/${name}.pdf`;
  await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.resources.documentsBucket, Key: key, Body: pdf, ContentType: 'application/pdf' }));
  return key;
}

async function historyOf(stack: LocalStack, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await stack.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const spanMs = (events: HistoryEvent[], start: string, end: string) => {
  const from = events.find((event) => event.type === start)?.timestamp;
  const to = events.findLast((event) => event.type === end)?.timestamp;
  return from && to ? to.getTime() - from.getTime() : Number.NaN;
};

/** Uploads the PDFs together and waits for every verdict. */
export async function measurePipeline(stack: LocalStack, pdfs: Buffer[], profile: PdfProfile, timeoutMs: number): Promise<PipelineRun> {
  const started = performance.now();
  const keys = await Promise.all(pdfs.map((pdf, n) => upload(stack, pdf, `document-${n + 1}`)));
  const outcomes = await Promise.all(keys.map((key) => stack.documents.waitFor(key, { timeoutMs })));
  const elapsedMs = performance.now() - started;
  const statuses: Record<string, number> = {};
  const executionMs: number[] = [];
  for (const outcome of outcomes) {
    const status = String(outcome.verdict?.status ?? `no verdict (${outcome.executions.map((e) => e.status).join(', ') || 'no execution'})`);
    statuses[status] = (statuses[status] ?? 0) + 1;
    for (const execution of outcome.executions) {
      const events = await historyOf(stack, execution.executionArn);
      executionMs.push(spanMs(events, 'ExecutionStarted', events.at(-1)?.type ?? 'ExecutionSucceeded'));
    }
  }
  return { profile, documents: pdfs.length, pages: pdfs.length * profile.pages, images: pdfs.length * profile.pages * profile.imagesPerPage, elapsedMs, statuses, executionMs };
}

/** The machine's definition with every Map state's MaxConcurrency set to `value`. */
function withMapConcurrency(definition: string, value: number): string {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node !== 'object' || node === null) return node;
    const copy = Object.fromEntries(Object.entries(node).map(([key, child]) => [key, visit(child)])) as Record<string, unknown>;
    if (copy.Type === 'Map') copy.MaxConcurrency = value;
    return copy;
  };
  return JSON.stringify(visit(JSON.parse(definition)));
}

/** Adds a wait to every ModerateImages invocation, as the calls to Rekognition and S3 would on AWS. */
function withImageBatchLatency(stack: LocalStack, latencyMs: number): () => void {
  const invoke = stack.runtime.invoke.bind(stack.runtime);
  if (latencyMs <= 0) return () => undefined;
  stack.runtime.invoke = async (name: string, event: unknown) => {
    if (name === 'moderateImages') await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return invoke(name, event);
  };
  return () => {
    stack.runtime.invoke = invoke;
  };
}

export async function measureMapSpeedup(
  stack: LocalStack,
  pdf: Buffer,
  options: { repeats: number; latenciesMs: number[]; configured: number; manifests: number; timeoutMs: number },
  progress: (line: string) => void,
): Promise<MapTiming[]> {
  const arn = stack.resources.documentStateMachineArn;
  const { definition } = await stack.clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
  if (!definition) throw new Error('the document state machine has no definition');
  const timings: MapTiming[] = [];
  try {
    for (const addedLatencyMs of options.latenciesMs) {
      const restore = withImageBatchLatency(stack, addedLatencyMs);
      try {
        const runs = new Map<number, MapTiming>();
        for (const maxConcurrency of [1, options.configured]) runs.set(maxConcurrency, { addedLatencyMs, maxConcurrency, manifests: options.manifests, mapMs: [], executionMs: [] });
        // Alternated, so drift on a shared machine touches both settings alike.
        for (let repeat = 0; repeat < options.repeats; repeat++) {
          for (const [maxConcurrency, timing] of runs) {
            await stack.clients.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: withMapConcurrency(definition, maxConcurrency) }));
            const key = await upload(stack, pdf, `map-${maxConcurrency}`);
            const outcome = await stack.documents.waitFor(key, { timeoutMs: options.timeoutMs });
            const execution = outcome.executions[0];
            if (!execution || execution.status !== 'SUCCEEDED') throw new Error(`the Map run at MaxConcurrency ${maxConcurrency} ended ${execution?.status ?? 'without an execution'}: ${execution?.error ?? ''} ${execution?.cause ?? ''}`);
            const events = await historyOf(stack, execution.executionArn);
            timing.mapMs.push(spanMs(events, 'MapStateEntered', 'MapStateExited'));
            timing.executionMs.push(spanMs(events, 'ExecutionStarted', 'ExecutionSucceeded'));
          }
        }
        for (const timing of runs.values()) {
          timings.push(timing);
          progress(`  Map at MaxConcurrency ${timing.maxConcurrency}, ${addedLatencyMs} ms added per batch: median ${median(timing.mapMs).toFixed(0)} ms`);
        }
      } finally {
        restore();
      }
    }
  } finally {
    await stack.clients.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition }));
  }
  return timings;
}

/** The cost model's extraction figures from two profiles that differ only in their images. */
export function extractionCosts(withImages: ExtractionResult, textOnly: ExtractionResult): DocumentCostReport['assumptions']['extraction'] {
  const perDocument = (ms: number, result: ExtractionResult) => ms / result.documents;
  // pdfjs reads a page's text more slowly when the page also paints images: the larger of the two, as documents have both.
  const textPerPage = Math.max(textOnly.textCpuMs / textOnly.pages, withImages.textCpuMs / withImages.pages);
  const imagesPerPage = textOnly.imagesCpuMs / textOnly.pages;
  const imagesPerImage = withImages.images > 0 ? Math.max(0, (withImages.imagesCpuMs - imagesPerPage * withImages.pages) / withImages.images) : 0;
  return {
    // The per-document part is what a one-page document costs beyond its page; small beside the rest, kept as measured.
    imagesBaseMs: Math.max(0, perDocument(textOnly.imagesCpuMs, textOnly) - imagesPerPage * textOnly.profile.pages),
    imagesPerPageMs: imagesPerPage,
    imagesPerImageMs: imagesPerImage,
    textBaseMs: Math.max(0, perDocument(textOnly.textCpuMs, textOnly) - textPerPage * textOnly.profile.pages),
    textPerPageMs: textPerPage,
  };
}

export async function runDocumentBench(options: DocumentBenchOptions, command: string): Promise<DocumentBenchReport> {
  const progress = options.onProgress ?? (() => undefined);
  const service = loadServiceDefinition();
  const settings = settingsOf(service);

  progress('Extraction: the domain functions on generated PDFs');
  const withImages = await measureExtraction('text and images', options.extractionProfile, options.extractionDocuments, settings);
  progress(`  ${withImages.documents} documents, ${withImages.pages} pages, ${withImages.images} images: text ${withImages.textMs.toFixed(0)} ms, images ${withImages.imagesMs.toFixed(0)} ms`);
  const textOnly = await measureExtraction('text only', { ...options.extractionProfile, imagesPerPage: 0 }, options.extractionDocuments, settings);
  progress(`  the same without images: text ${textOnly.textMs.toFixed(0)} ms, images ${textOnly.imagesMs.toFixed(0)} ms`);
  const costs = extractionCosts(withImages, textOnly);

  const stack = await startLocalStack({ logLevel: 'ERROR' });
  try {
    let large: DocumentBenchReport['large'];
    if (!options.skipMemory) {
      progress(`Memory: a ${options.largeProfile.pages}-page PDF with ${options.largeProfile.imagesPerPage} images a page`);
      const started = performance.now();
      const pdf = await generatePdf(options.largeProfile);
      const generateMs = performance.now() - started;
      progress(`  generated in ${(generateMs / 1000).toFixed(1)} s: ${(pdf.length / 2 ** 20).toFixed(1)} MB`);
      large = { profile: options.largeProfile, pdfBytes: pdf.length, generateMs, functions: await measureLargeDocument(service, stack, pdf, progress) };
    }

    progress(`Pipeline: ${options.pipelineDocuments} documents uploaded together`);
    const pipelinePdfs = await Promise.all(
      Array.from({ length: options.pipelineDocuments }, (_, n) => generatePdf({ ...options.pipelineProfile, seed: 5000 + n })),
    );
    // One document first, so the handlers and the classifier are loaded before timing.
    await measurePipeline(stack, [await generatePdf({ ...options.pipelineProfile, pages: 1, seed: 4999 })], { ...options.pipelineProfile, pages: 1 }, 300_000);
    const pipeline = await measurePipeline(stack, pipelinePdfs, options.pipelineProfile, 600_000);
    progress(`  ${pipeline.documents} documents in ${(pipeline.elapsedMs / 1000).toFixed(1)} s: ${JSON.stringify(pipeline.statuses)}`);

    const mapImages = options.mapProfile.pages * options.mapProfile.imagesPerPage;
    const manifests = Math.ceil(mapImages / settings.imagesPerBatch);
    progress(`Map: ${manifests} manifests (${mapImages} images), MaxConcurrency 1 against ${settings.imageMapConcurrency}`);
    const mapPdf = await generatePdf(options.mapProfile);
    const timings = await measureMapSpeedup(
      stack,
      mapPdf,
      { repeats: options.mapRepeats, latenciesMs: options.mapLatenciesMs, configured: settings.imageMapConcurrency, manifests, timeoutMs: 600_000 },
      progress,
    );

    const cost = await documentCostModel(loadServiceDefinition('prod'), undefined, 10_000, {
      ...DEFAULT_DOCUMENT_ASSUMPTIONS,
      extraction: costs,
      extractionSource: 'measured by this run (one core, CPU time), scaled by the CPU share of memorySize',
    });
    return {
      date: new Date().toISOString(),
      command,
      machine: machine(),
      extraction: [withImages, textOnly],
      ...(large ? { large } : {}),
      pipeline,
      map: { configuredMaxConcurrency: settings.imageMapConcurrency, timings },
      extractionCosts: costs,
      cost,
    };
  } finally {
    await stack.stop();
  }
}
