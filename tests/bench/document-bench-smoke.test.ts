// The document benchmark runs and reports sane numbers, on a few small PDFs. Not a timed test: `npm run bench --
// --documents` measures; this checks that every part works, counts what it should, and reports finite figures.
import { runDocumentBench, type DocumentBenchReport } from '../../local/bench/document-bench.js';
import { generatePdf } from '../../local/bench/document-corpus.js';
import { formatDocumentBenchConsole, formatDocumentBenchMarkdown } from '../../local/bench/document-report.js';
import { loadServiceDefinition } from '../../local/service-definition.js';

const positive = (value: number) => Number.isFinite(value) && value > 0;
const { imagesPerBatch } = loadServiceDefinition().documents as { imagesPerBatch: number };

describe('npm run bench -- --documents, on small PDFs', () => {
  let report: DocumentBenchReport;

  beforeAll(async () => {
    report = await runDocumentBench(
      {
        extractionDocuments: 2,
        // Small images (Rekognition takes 80 pixels a side and more): the bench's code paths, at a fraction of the pixels.
        extractionProfile: { pages: 3, imagesPerPage: 2, textCharsPerPage: 1200, imageWidth: 160 },
        largeProfile: { pages: 2, imagesPerPage: 1, textCharsPerPage: 500 },
        // Building four bundles takes longer than the rest: `npm run bench` measures memory.
        skipMemory: true,
        pipelineDocuments: 2,
        pipelineProfile: { pages: 2, imagesPerPage: 1, textCharsPerPage: 800, imageWidth: 160 },
        // One image more than a manifest holds: two manifests, so the Map has two iterations to run at once.
        mapProfile: { pages: imagesPerBatch + 1, imagesPerPage: 1, textCharsPerPage: 100, imageWidth: 160 },
        mapRepeats: 1,
        mapLatenciesMs: [0, 50],
      },
      'npm test',
    );
  }, 120_000);

  it('extracts every page, image and character of the generated PDFs, and times both extractors', () => {
    const [withImages, textOnly] = report.extraction;
    expect(withImages).toMatchObject({ documents: 2, pages: 6, images: 12 });
    expect(textOnly).toMatchObject({ documents: 2, pages: 6, images: 0 });
    expect(withImages!.characters).toBeGreaterThan(2 * 3 * 1000);
    for (const r of report.extraction) for (const value of [r.textMs, r.imagesMs, r.textCpuMs, r.imagesCpuMs, r.pdfBytes]) expect(positive(value)).toBe(true);
    expect(positive(report.extractionCosts.textPerPageMs)).toBe(true);
    expect(positive(report.extractionCosts.imagesPerImageMs)).toBe(true);
  });

  it('moderates every uploaded document through the local stack', () => {
    const p = report.pipeline;
    expect(p.documents).toBe(2);
    expect(Object.values(p.statuses).reduce((sum, n) => sum + n, 0)).toBe(2);
    for (const status of Object.keys(p.statuses)) expect(['CLEAN', 'OFFENSIVE']).toContain(status);
    expect(p.executionMs).toHaveLength(2);
    for (const value of [p.elapsedMs, ...p.executionMs]) expect(positive(value)).toBe(true);
  });

  it('times the Map at MaxConcurrency 1 and at the configured value, with and without added latency, and restores the machine', () => {
    const { timings, configuredMaxConcurrency } = report.map;
    expect(configuredMaxConcurrency).toBeGreaterThan(1);
    expect(timings.map((t) => [t.addedLatencyMs, t.maxConcurrency])).toEqual([
      [0, 1],
      [0, configuredMaxConcurrency],
      [50, 1],
      [50, configuredMaxConcurrency],
    ]);
    for (const timing of timings) {
      expect(timing.manifests).toBe(2);
      for (const value of [...timing.mapMs, ...timing.executionMs]) expect(positive(value)).toBe(true);
      expect(timing.mapMs[0]!).toBeLessThanOrEqual(timing.executionMs[0]!);
    }
    // Two manifests each waiting 50 ms: one after the other takes both waits.
    expect(timings[2]!.mapMs[0]!).toBeGreaterThanOrEqual(100);
  });

  it('prices 1,000 documents with the run\'s extraction figures', () => {
    expect(report.cost.assumptions.extraction).toEqual(report.extractionCosts);
    expect(positive(report.cost.perThousandUsd)).toBe(true);
  });

  it('writes the report from what it measured, with the machine it ran on', () => {
    const markdown = formatDocumentBenchMarkdown(report);
    expect(markdown).toContain(`${report.machine.cores} cores (nproc)`);
    expect(markdown).toContain(report.machine.cpu);
    expect(markdown).toContain(`Node ${process.version}`);
    for (const heading of ['## 1. Extraction', 'The whole pipeline on the local stack', "The Map's speedup over sequential", 'Cost per 1,000 documents']) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).not.toMatch(/NaN|undefined/);
    expect(formatDocumentBenchConsole(report)).toContain('Peak memory: not measured');
  });
});

describe('the generated PDFs', () => {
  it('are the same bytes for the same profile and seed, and differ with the seed', async () => {
    const profile = { pages: 2, imagesPerPage: 2, textCharsPerPage: 300, imageWidth: 160, seed: 3 };
    const [a, b, c] = await Promise.all([generatePdf(profile), generatePdf(profile), generatePdf({ ...profile, seed: 4 })]);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(a.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
