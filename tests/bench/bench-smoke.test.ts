// The benchmark code runs and reports what it should, on a small input. Not a timed test: `npm run bench`
// measures; this only checks that every part works and that its numbers are finite and positive.
import { runBench, type BenchReport } from '../../local/bench/bench.js';
import { costModel, expectedBatchSize, formatCostTable } from '../../local/bench/cost-model.js';
import { cpuBreakdown } from '../../local/bench/profile.js';
import { formatBenchMarkdown } from '../../local/bench/report.js';
import { percentile, summarize } from '../../local/bench/stats.js';
import { loadServiceDefinition } from '../../local/service-definition.js';

const positive = (value: number) => Number.isFinite(value) && value > 0;

describe('npm run bench on 50 messages', () => {
  let report: BenchReport;

  beforeAll(async () => {
    report = await runBench(
      {
        scenarios: [
          {
            label: '50 msgs as fast as possible, perMessage',
            options: { messages: 50, ratePerSecond: 0, concurrency: 16, mode: 'perMessage', warmupMessages: 0, timeoutSeconds: 60, restSeconds: 0 },
          },
        ],
        frontExecutions: 10,
        batchRepeats: 1,
        taskLatenciesMs: [0],
        coldStartRuns: 1,
        functions: ['detectSentiment'],
        memoryInvocations: 3,
        costMessagesPerMonth: [1_000_000],
        // One local stack per process (the handlers' SDK clients keep the first stack's endpoints): the run gets its own.
        isolateScenarios: true,
      },
      'npm test',
    );
  }, 120_000);

  it('triages every message and measures throughput and latency to stored and to alert', () => {
    const run = report.pipeline[0]!.report;
    expect(run.stored).toBe(50);
    expect(run.accepted).toBe(50);
    expect(run.alertsReceived).toBe(run.alertsExpected);
    expect(run.alertsExpected).toBeGreaterThan(0);
    for (const value of [run.throughput, run.intakeRate, run.elapsedMs, run.cpuMsPerMessage, run.eventLoopUtilization, run.loopMsPerMessage]) expect(positive(value)).toBe(true);
    for (const summary of [run.storedLatencyMs, run.alertLatencyMs]) {
      for (const value of [summary.p50, summary.p95, summary.p99, summary.max]) expect(positive(value)).toBe(true);
      expect(summary.p50).toBeLessThanOrEqual(summary.p99);
    }
    expect(run.executions).toBe(50);
    for (const value of Object.values(run.memory)) expect(positive(value)).toBe(true);
    expect(run.settled).toBe(true);
  });

  it('measures the consumer batch and the Step Functions front in both modes', () => {
    expect(report.consumerBatch.map((b) => b.mode)).toEqual(['perMessage', 'perBatch']);
    for (const batch of report.consumerBatch) for (const value of [batch.oneMs, batch.tenMs, batch.ratio]) expect(positive(value)).toBe(true);
    for (const value of [report.front.directMeanMs, report.front.frontMeanMs, report.front.ratio]) expect(positive(value)).toBe(true);
  });

  it('builds the bundle both ways, loads it in a fresh process and measures its memory', () => {
    expect(report.bundles.map((b) => [b.functionName, b.variant])).toEqual([
      ['detectSentiment', 'bundled'],
      ['detectSentiment', 'external'],
    ]);
    for (const bundle of report.bundles) for (const value of [bundle.bytes, bundle.zippedBytes, bundle.medianInitMs]) expect(positive(value)).toBe(true);
    expect(report.memory).toHaveLength(1);
    expect(report.memory[0]).toMatchObject({ functionName: 'detectSentiment', errors: 0, invocations: 3 });
    expect(positive(report.memory[0]?.maxRssMb ?? 0)).toBe(true);
  });

  it('evaluates the targets and writes the report with the machine, the command and the date', () => {
    expect(report.targets.length).toBeGreaterThan(5);
    const markdown = formatBenchMarkdown(report);
    expect(markdown).toContain('# Benchmarks');
    expect(markdown).toContain('Command: `npm test`');
    expect(markdown).toContain(report.machine.cpu);
    expect(markdown).toContain(report.date.slice(0, 10));
    expect(markdown).toContain('| 50 msgs as fast as possible, perMessage | 50/50 |');
    expect(markdown).toContain('Cost per month for 1,000,000 messages');
  });
});

describe('the cost model', () => {
  const service = loadServiceDefinition('prod');

  it('prices both modes from serverless.yml, the per-batch mode with fewer executions', () => {
    const report = costModel(service, 1_000_000);
    const [perMessage, perBatch] = report.modes;
    expect(report.settings.batchSize).toBe(service.triage.batchSize);
    expect(perMessage?.executions).toBe(1_000_000);
    expect(perBatch?.executions).toBeLessThan(1_000_000);
    for (const mode of report.modes) {
      for (const line of mode.lines) expect(Number.isFinite(line.monthlyUsd) && line.monthlyUsd >= 0).toBe(true);
      expect(positive(mode.totalUsd)).toBe(true);
    }
    // Comprehend: 3 units of 100 characters at least, $0.0001 each.
    expect(perMessage?.lines.find((line) => line.service === 'Comprehend')?.monthlyUsd).toBeCloseTo(300, 6);
    expect(formatCostTable(report)).toContain('| **total** |');
  });

  it('fills batches as the rate grows', () => {
    expect(expectedBatchSize(1_000, 10, 1)).toBeCloseTo(1, 2);
    expect(expectedBatchSize(1_000_000, 10, 1)).toBeGreaterThan(1.3);
    expect(expectedBatchSize(1e9, 10, 1)).toBeCloseTo(10, 2);
    const busy = costModel(service, 100_000_000).modes;
    expect((busy[1]?.executions ?? 0) / (busy[0]?.executions ?? 1)).toBeLessThan(0.15);
  });
});

describe('the statistics and the CPU breakdown', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(summarize([3, 1, 2])).toMatchObject({ count: 3, p50: 2, max: 3, mean: 2 });
  });

  it('charges Node internals to their nearest caller', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 4] },
        { id: 2, callFrame: { functionName: 'send', url: 'file:///x/node_modules/@smithy/core/index.js' }, children: [3] },
        { id: 3, callFrame: { functionName: 'writev', url: 'node:net' } },
        { id: 4, callFrame: { functionName: '(garbage collector)', url: '' } },
      ],
      samples: [3, 3, 4],
      timeDeltas: [1000, 1000, 2000],
    };
    expect(cpuBreakdown(profile, 2)).toEqual([
      { component: 'AWS SDK clients (handlers and stack)', msPerMessage: 1, share: 0.5 },
      { component: 'garbage collection', msPerMessage: 1, share: 0.5 },
    ]);
  });
});
