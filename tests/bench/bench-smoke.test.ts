// The benchmark code runs and reports what it should, on a small input. Not a timed test: `npm run bench`
// measures; this only checks that every part works and that its numbers are finite and positive.
import { defaultScenarios, runBench, type BenchReport, type ThreadCpu } from '../../local/bench/bench.js';
import { costModel, expectedBatchSize, formatCostTable } from '../../local/bench/cost-model.js';
import { cpuBreakdown } from '../../local/bench/profile.js';
import { formatBenchMarkdown, threadTotals } from '../../local/bench/report.js';
import { percentile, summarize } from '../../local/bench/stats.js';
import { loadServiceDefinition } from '../../local/service-definition.js';

const positive = (value: number) => Number.isFinite(value) && value > 0;
/** The report's rounding of milliseconds. */
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

describe('npm run bench on 50 messages', () => {
  let report: BenchReport;
  const fastest = (messages: number) => ({ messages, ratePerSecond: 0, concurrency: 16, mode: 'perMessage' as const, warmupMessages: 0, timeoutSeconds: 60, restSeconds: 0 });
  const halfCeiling = { seconds: 1, minMessages: 20 };
  // Two, so the split runs exercise more than one handler worker (the bench's default is one).
  const handlerWorkers = 2;

  beforeAll(async () => {
    report = await runBench(
      {
        headline: { label: '50 msgs as fast as possible, perMessage', options: fastest(50) },
        halfCeiling,
        handlerWorkers,
        handlerIsolation: 'process',
        compareIsolation: true,
        scenarios: [],
        profileScenario: { label: '30 msgs as fast as possible, perMessage (profiled)', options: fastest(30) },
        frontExecutions: 10,
        batchRepeats: 1,
        taskLatenciesMs: [0],
        coldStartRuns: 1,
        functions: ['detectSentiment'],
        memoryInvocations: 3,
        costMessagesPerMonth: [1_000_000],
        // The backlog under Comprehend's quota has its own test (tests/e2e/backlog.test.ts).
        backlogs: [],
        // One local stack per process (the handlers' SDK clients keep the first stack's endpoints): each run gets its own.
        isolateScenarios: true,
      },
      'npm test',
    );
  }, 180_000);

  it('triages every message both ways, single-threaded then split, and measures throughput and latency to stored and to alert', () => {
    const [single, split] = report.pipeline.map((run) => run.report);
    expect(single?.options.split).toBe(false);
    expect(single?.handlerLoop).toBeUndefined();
    expect(split?.options).toMatchObject({ split: true, handlerWorkers });
    expect(split?.handlerLoop?.utilization).toBeGreaterThan(0);
    expect(split?.handlerLoop?.utilization).toBeLessThanOrEqual(1);
    expect(positive(split?.handlerLoop?.msPerMessage ?? 0)).toBe(true);
    for (const run of [single!, split!]) {
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
    }
    expect(report.comparison?.single.report).toBe(single);
    expect(report.comparison?.split.report).toBe(split);
    expect(report.comparison?.ratio).toBeCloseTo(split!.throughput / single!.throughput, 10);
  });

  it('offers half the split stack\'s throughput and measures each message\'s wait in the batching window', () => {
    const half = report.halfCeiling!;
    const ceiling = report.comparison!.split.report.throughput;
    expect(half.ceiling).toBe(ceiling);
    expect(half.report.options).toMatchObject({ split: true, handlerWorkers, ratePerSecond: Math.max(1, Math.round(ceiling / 2)) });
    expect(half.report.options.messages).toBe(Math.max(halfCeiling.minMessages, Math.round(half.report.options.ratePerSecond * halfCeiling.seconds)));
    expect(half.report.stored).toBe(half.report.options.messages);
    // Every measured message once (no retries here), and never the warm-up's: the count is the run's.
    expect(half.windowWaitMs.count).toBe(half.report.stored);
    // A message's wait in the window is part of its submission → stored time, so each percentile is below that one's.
    expect(half.windowWaitMs.p50).toBeGreaterThanOrEqual(0);
    expect(half.windowWaitMs.p50).toBeLessThanOrEqual(half.report.storedLatencyMs.p50);
    expect(half.windowWaitMs.p99).toBeLessThanOrEqual(half.report.storedLatencyMs.p99);
    expect(report.settings.maximumBatchingWindowSeconds).toBe(loadServiceDefinition().triage.maximumBatchingWindow);
  });

  it('profiles the run both ways, the split one per thread', () => {
    expect(report.cpu?.runs.map((run) => [run.way, run.threads.map((thread) => thread.thread)])).toEqual([
      ['single', ['the one thread']],
      ['split', ['main thread', 'handler process 1', 'handler process 2']],
    ]);
    for (const run of report.cpu!.runs) {
      expect(run.messages).toBe(30);
      for (const thread of run.threads) {
        expect(thread.shares.reduce((sum, share) => sum + share.share, 0)).toBeCloseTo(1, 6);
        expect(positive(threadTotals(thread.shares).busy)).toBe(true);
      }
    }
    // The handlers run on their threads when split, and nowhere else.
    const handlersOn = (threads: ThreadCpu[]) => threads.filter((thread) => thread.shares.some((share) => share.component === 'handlers (functions/)')).map((thread) => thread.thread);
    expect(handlersOn(report.cpu!.runs[1]!.threads)).not.toContain('main thread');
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

  it('runs the headline split once more with the handlers in threads, and reads each handler process\'s memory', () => {
    const other = report.comparison?.otherIsolation;
    expect(other?.report.options).toMatchObject({ split: true, handlerIsolation: 'thread' });
    expect(other?.report.stored).toBe(other?.report.options.messages);
    expect(other?.report.memory.handlerPeakRssMb).toBeUndefined();
    expect(report.comparison?.split.report.memory.handlerPeakRssMb).toBeGreaterThan(0);
    const markdown = formatBenchMarkdown(report);
    expect(markdown).toContain('### Processes or threads');
    expect(markdown).toContain('| split, 2 handler threads |');
  });

  it('evaluates the targets, all from the run, and writes the report with the machine, the command and the date', () => {
    const windowMs = report.settings.maximumBatchingWindowSeconds * 1000;
    expect(report.targets.map((t) => t.target)).toEqual([
      '≥ 1.8×',
      'toward ≥ 500 msgs/s',
      `< 250 ms + the batching window (maximumBatchingWindow ${report.settings.maximumBatchingWindowSeconds} s in serverless.yml) = ${250 + windowMs} ms`,
      '≤ 400 MB each',
      '≤ idle + 25 %',
      "≤ idle heap + the execution store's growth + 10 MB",
      '≤ 1.5×',
      '≤ 300 KB',
      '≤ 150 ms',
      'peak ≤ 80 % of memorySize',
    ]);
    const markdown = formatBenchMarkdown(report);
    expect(markdown).toContain('# Benchmarks');
    expect(markdown).toContain('Command: `npm test`');
    expect(markdown).toContain(report.machine.cpu);
    expect(markdown).toContain(report.date.slice(0, 10));
    expect(markdown).toContain('| 50 msgs as fast as possible, perMessage | single thread | 50/50 |');
    expect(markdown).toContain('| 50 msgs as fast as possible, perMessage | split, 2 handler processes | 50/50 |');
    expect(markdown).toContain('Cost per month for 1,000,000 messages');
    const { single, split, ratio } = report.comparison!;
    expect(markdown).toContain('### Single-threaded and split');
    expect(markdown).toContain(`| msgs/s end to end | ${single.report.throughput.toFixed(1)} | ${split.report.throughput.toFixed(1)} | ${ratio.toFixed(2)}× |`);
    expect(markdown).toContain(`stack ${split.report.throughput.toFixed(0)} msgs/s: ${ratio.toFixed(2)}×`);
    const half = report.halfCeiling!.report;
    expect(markdown).toContain('### At half the ceiling');
    expect(markdown).toContain(`| ${half.options.ratePerSecond} (${half.stored}) |`);
    expect(markdown).toContain(`p99 < ${250 + windowMs} ms; measured ${ms(half.storedLatencyMs.p99)} ms`);
    expect(markdown).toContain(`(${report.settings.maximumBatchingWindowSeconds} s) bounds how long`);
    expect(markdown).toContain('| component: CPU ms per message (share of the thread) | single: the one thread | split: main thread | split: handler process 1 | split: handler process 2 |');
    for (const target of report.targets) expect(markdown).toContain(`| ${target.met ? 'met' : '**missed**'} | ${target.what} | ${target.target} | ${target.measured} |`);
    // Measured by the run, not written by hand: no approximate figures and none of the retired targets or paragraphs.
    expect(markdown).not.toMatch(/~\s?\$?\d/);
    expect(markdown).not.toContain('minified JS (SDK bundled)');
    expect(markdown).not.toContain('worker thread');
  });
});

describe('the scenarios of npm run bench', () => {
  it('take the largest size perMessage as the headline and run the rest once, with a calm run', () => {
    const { headline, scenarios } = defaultScenarios({ sizes: [1000, 10_000], rate: 500, calmRate: 50, modes: ['perMessage', 'perBatch'] });
    expect(headline.label).toBe('10,000 msgs offered at 500/s, perMessage');
    expect(scenarios.map((scenario) => scenario.label)).toEqual([
      '1,000 msgs offered at 500/s, perMessage',
      '1,000 msgs offered at 500/s, perBatch',
      '10,000 msgs offered at 500/s, perBatch',
      '1,000 msgs offered at 50/s, perMessage',
    ]);
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
