// docs/DOCUMENT-BENCHMARKS.md and the console summary, from a document bench report. Every figure is what the
// run measured, except the cost model's stated assumptions and prices.
import { formatDocumentCostTable } from './document-cost.js';
import type { DocumentBenchReport, ExtractionResult, MapTiming } from './document-bench.js';
import { LAMBDA_MB_PER_VCPU } from './report.js';
import { median } from './stats.js';

const table = (header: string[], rows: string[][], align: string[]) =>
  [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const profileText = (p: { pages: number; imagesPerPage: number; textCharsPerPage: number }) =>
  `${p.pages} pages, ${p.imagesPerPage} images and ${p.textCharsPerPage.toLocaleString('en-US')} characters a page`;

/** Documents a minute when one core runs both extractors on each document, one after the other. */
export const documentsPerMinute = (r: ExtractionResult) => (r.documents * 60_000) / (r.textMs + r.imagesMs);

export function extractionTable(report: DocumentBenchReport): string {
  return table(
    ['documents', 'pages, images, characters', 'MB of PDF', 'extractText ms / pages per s', 'extractImages ms / pages per s / images per s', 'documents per minute (both, one core)', 'CPU ms: text / images'],
    report.extraction.map((r) => [
      `${r.documents} × ${r.label} (${profileText(r.profile)})`,
      `${r.pages}, ${r.images}, ${r.characters.toLocaleString('en-US')}`,
      fixed(r.pdfBytes / 2 ** 20),
      `${fixed(r.textMs, 0)} / ${fixed((r.pages * 1000) / r.textMs)}`,
      `${fixed(r.imagesMs, 0)} / ${fixed((r.pages * 1000) / r.imagesMs)} / ${r.images ? fixed((r.images * 1000) / r.imagesMs) : '–'}`,
      fixed(documentsPerMinute(r)),
      `${fixed(r.textCpuMs, 0)} / ${fixed(r.imagesCpuMs, 0)}`,
    ]),
    ['---', '---:', '---:', '---:', '---:', '---:', '---:'],
  );
}

export function memoryTable(report: DocumentBenchReport): string {
  if (!report.large) return '';
  return table(
    ['function', 'memorySize MB', 'peak RSS MB (Max Memory Used)', 'share of memorySize', 'heap at the end MB', 'wall s (one core here)', 'CPU s', 'what it did'],
    report.large.functions.map((f) => [
      f.functionName,
      String(f.memorySizeMb),
      fixed(f.peakRssMb, 0),
      `${fixed((f.peakRssMb / f.memorySizeMb) * 100, 0)} %`,
      fixed(f.heapUsedMb, 0),
      fixed(f.wallMs / 1000, 2),
      fixed(f.cpuMs / 1000, 2),
      f.error ? `failed: ${f.error}` : f.outcome,
    ]),
    ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---'],
  );
}

function speedups(timings: MapTiming[]): Array<{ latency: number; sequential: MapTiming; concurrent: MapTiming; speedup: number }> {
  const latencies = [...new Set(timings.map((t) => t.addedLatencyMs))];
  return latencies.flatMap((latency) => {
    const sequential = timings.find((t) => t.addedLatencyMs === latency && t.maxConcurrency === 1);
    const concurrent = timings.find((t) => t.addedLatencyMs === latency && t.maxConcurrency !== 1);
    return sequential && concurrent ? [{ latency, sequential, concurrent, speedup: median(sequential.mapMs) / median(concurrent.mapMs) }] : [];
  });
}

export function mapTable(report: DocumentBenchReport): string {
  return table(
    ['latency added to each ModerateImageBatch', 'manifests', 'Map at MaxConcurrency 1: median ms (runs)', `Map at MaxConcurrency ${report.map.configuredMaxConcurrency}: median ms (runs)`, 'speedup', 'execution median ms: 1 / configured'],
    speedups(report.map.timings).map(({ latency, sequential, concurrent, speedup }) => [
      latency ? `${latency} ms` : 'none (the local stack as it is)',
      String(sequential.manifests),
      `${fixed(median(sequential.mapMs), 0)} (${sequential.mapMs.map((v) => v.toFixed(0)).join(', ')})`,
      `${fixed(median(concurrent.mapMs), 0)} (${concurrent.mapMs.map((v) => v.toFixed(0)).join(', ')})`,
      `${fixed(speedup, 2)}×`,
      `${fixed(median(sequential.executionMs), 0)} / ${fixed(median(concurrent.executionMs), 0)}`,
    ]),
    ['---', '---:', '---:', '---:', '---:', '---:'],
  );
}

export function formatDocumentBenchConsole(report: DocumentBenchReport): string {
  const p = report.pipeline;
  return [
    'Extraction (the domain functions, one core):',
    extractionTable(report),
    '',
    report.large ? `Peak memory per function, ${profileText(report.large.profile)}:\n${memoryTable(report)}\n` : 'Peak memory: not measured (--skip-memory).\n',
    `Whole pipeline on the local stack: ${p.documents} documents in ${fixed(p.elapsedMs / 1000)} s = ${fixed((p.documents * 60_000) / p.elapsedMs)} documents per minute, ${fixed((p.pages * 1000) / p.elapsedMs)} pages per second; verdicts ${JSON.stringify(p.statuses)}.`,
    '',
    'The image Map:',
    mapTable(report),
  ].join('\n');
}

/** The whole docs/DOCUMENT-BENCHMARKS.md. */
export function formatDocumentBenchMarkdown(report: DocumentBenchReport): string {
  const m = report.machine;
  const [withImages, textOnly] = report.extraction as [ExtractionResult, ExtractionResult];
  const p = report.pipeline;
  const c = report.extractionCosts;
  const lines = [
    '# Document pipeline benchmarks',
    '',
    `Written by \`${report.command}\` on ${report.date.slice(0, 10)} (${report.date}). Every figure below is what that run measured,`,
    'except the cost model in the last section, which states its assumptions and prices.',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores (nproc), ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}. The machine is shared with other`,
    'work, so absolute times vary from run to run; the ratios carry over better than the values. The PDFs are generated by',
    '`local/bench/document-corpus.ts` with pdf-lib (seeded, never committed): pages of ordinary English prose in Helvetica,',
    'with JPEG textures and PNG charts.',
    '',
    '## 1. Extraction',
    '',
    'The extraction domain functions, `extractText` (functions/document-moderation/extractText/text.ts) and `extractImages`',
    '(functions/document-moderation/extractImages/images.ts), called directly on the PDFs one document after another, with',
    'the limits of serverless/document-moderation.yml. Extracted images are encoded as the function encodes them and then',
    'dropped instead of written to S3, so these are the extractors\' own times. One warm-up document first.',
    '',
    extractionTable(report),
    '',
    `On one core, a document of ${profileText(withImages.profile)} takes ${fixed(withImages.textMs / withImages.documents, 0)} ms for its text and`,
    `${fixed(withImages.imagesMs / withImages.documents, 0)} ms for its images: **${fixed(documentsPerMinute(withImages))} documents per minute** with both extractions on one core`,
    `(on AWS the two run side by side in the Parallel, each in its own function). Text extraction reads **${fixed((withImages.pages * 1000) / withImages.textMs)} pages per second**;`,
    `image extraction **${fixed((withImages.pages * 1000) / withImages.imagesMs)} pages per second** with images (${fixed((withImages.images * 1000) / withImages.imagesMs)} images per second) and`,
    `${fixed((textOnly.pages * 1000) / textOnly.imagesMs)} pages per second without.`,
    '',
    `From the two rows, in CPU time on one core: extractText ${fixed(c.textPerPageMs, 2)} ms a page; extractImages ${fixed(c.imagesPerPageMs, 2)} ms a page`,
    `plus ${fixed(c.imagesPerImageMs, 1)} ms an image (decode, a fingerprint, PNG encoding). The cost model below takes these, scaled by the CPU`,
    `share Lambda gives each function's memorySize (one vCPU at ${LAMBDA_MB_PER_VCPU} MB).`,
    '',
  ];
  if (report.large) {
    const l = report.large;
    lines.push(
      '## 2. Peak memory per function, large image-heavy PDF',
      '',
      `A ${profileText(l.profile)} PDF (${fixed(l.pdfBytes / 2 ** 20)} MB, generated in ${fixed(l.generateMs / 1000)} s), put in the local`,
      'stack\'s documents bucket outside uploads/ (so no execution starts). Each function\'s bundle, built with esbuild as',
      'serverless.yml builds it, runs once in a fresh Node process with the function\'s environment, against the local stack:',
      'the extractors on the PDF, moderateImages on the first manifest ExtractImages wrote, moderateText on the first pass of',
      'the text ExtractText wrote. Peak RSS is the process\'s VmHWM (its peak resident memory, the figure Lambda reports as Max',
      'Memory Used). Not getrusage\'s maxRSS: Linux carries that over fork and exec, so a child of the bench process would',
      'report the bench\'s own size.',
      '',
      memoryTable(report),
      '',
      'Extraction goes page by page (functions/document-moderation/shared/pdf.ts): the PDF\'s bytes, one page\'s decoded images',
      'and the pdfjs document stay in memory, not the whole document\'s images. Wall times are on this machine\'s one core;',
      'a function below 1,769 MB gets a fraction of a vCPU on Lambda and takes longer in proportion.',
      '',
    );
  }
  lines.push(
    `## ${report.large ? 3 : 2}. The whole pipeline on the local stack`,
    '',
    `${p.documents} PDFs of ${profileText(p.profile)} put into the documents bucket under uploads/ together, with the`,
    'S3 client: the local S3 endpoint\'s Object Created events → the EventBridge rule of serverless.yml → the Standard machine',
    '(the real ASL file) on the local Step Functions front → the handlers in the local Lambda runtime → the Comprehend and',
    'Rekognition stand-ins (nsfwjs on tfjs\'s WASM backend classifies every image) → the verdict records. One document first',
    'as a warm-up. Timed from the first upload to the last verdict.',
    '',
    table(
      ['documents', 'pages', 'images', 'first upload → last verdict s', 'documents per minute', 'pages per second', 'execution median / max s', 'verdicts'],
      [[
        String(p.documents),
        String(p.pages),
        String(p.images),
        fixed(p.elapsedMs / 1000),
        fixed((p.documents * 60_000) / p.elapsedMs),
        fixed((p.pages * 1000) / p.elapsedMs),
        `${fixed(median(p.executionMs) / 1000, 2)} / ${fixed(Math.max(...p.executionMs) / 1000, 2)}`,
        Object.entries(p.statuses).map(([status, n]) => `${status} ${n}`).join(', '),
      ]],
      ['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---'],
    ),
    '',
    'Everything here shares one Node process and this machine\'s cores: the executions overlap only where a handler waits',
    'on a local service. On AWS each function has its own CPU, so the documents of a burst run side by side.',
    '',
    `## ${report.large ? 4 : 3}. The Map's speedup over sequential`,
    '',
    `One document whose images fill ${report.map.timings[0]?.manifests ?? 0} manifests, moderated with the image Map at MaxConcurrency 1 and at`,
    `its configured ${report.map.configuredMaxConcurrency} (custom.documents.imageMapConcurrency): the machine's definition is changed through`,
    'UpdateStateMachine on the local front and put back afterwards; runs alternate. The Map\'s time is MapStateEntered to',
    'MapStateExited in the execution\'s history. With latency added, each ModerateImageBatch invocation waits that long first,',
    'as it would on AWS for its DetectModerationLabels calls and S3 reads.',
    '',
    mapTable(report),
    '',
    'As the local stack runs it, the Map gains little: its iterations are CPU in one process (the classifier above all), so',
    'running them at once only interleaves them. With waiting to overlap, as on AWS, the iterations wait side by side.',
    ...speedups(report.map.timings)
      .filter(({ latency }) => latency > 0)
      .map(({ latency, sequential, speedup }) => {
        const rounds = Math.ceil(sequential.manifests / report.map.configuredMaxConcurrency);
        return (
          `With ${latency} ms a batch, one after another the ${sequential.manifests} batches wait ${fixed((sequential.manifests * latency) / 1000)} s; ` +
          `${report.map.configuredMaxConcurrency} at a time they wait ${rounds} rounds, ${fixed((rounds * latency) / 1000)} s. Measured: ${fixed(speedup, 2)}×, ` +
          `the rest being the local CPU every batch still shares here. On AWS each batch runs in its own function, so the speedup ` +
          `tends to ${sequential.manifests} ÷ ${rounds} = ${fixed(sequential.manifests / rounds)}× (less Rekognition throttling, which Retry absorbs).`
        );
      }),
    '',
    `## ${report.large ? 5 : 4}. Cost per 1,000 documents`,
    '',
    'From the model in local/bench/document-cost.ts (`npm run cost` prints it too), with this run\'s extraction times.',
    'State transitions are counted by running the real ASL file with stand-in Tasks; memory sizes and the settings come',
    'from serverless.yml; prices from local/bench/aws-prices.ts, each with its source.',
    '',
    formatDocumentCostTable(report.cost),
    '',
    'Assumed, not measured (AWS-side latencies cannot be measured offline): ' +
      `S3 requests ${report.cost.assumptions.s3RequestMs} ms, DetectModerationLabels ${report.cost.assumptions.rekognitionCallMs} ms, ` +
      `DetectToxicContent ${report.cost.assumptions.toxicityCallMs} ms a call, DetectDominantLanguage ${report.cost.assumptions.dominantLanguageMs} ms, ` +
      `${(report.cost.assumptions.imageBytes / 1000).toFixed(0)} KB an extracted PNG, ${report.cost.assumptions.recordBytes} bytes a verdict record. ` +
      'DetectToxicContent is priced as the NLP APIs are (100-character units, 3 units at least per request); the stored copies',
    'of the pricing page consulted confirm that billing for those APIs but do not show toxicity detection\'s own line.',
    'A retried Task adds one transition per attempt (and its Lambda time); the model counts runs without retries.',
    '',
  );
  return lines.join('\n');
}
