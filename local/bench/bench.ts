// `npm run bench`: throughput and latency of the local pipeline, the consumer's batch, the local Step
// Functions front's overhead, cold starts and bundle sizes, each function's memory, and the cost model;
// printed as tables and written to docs/BENCHMARKS.md with the machine, the command and the date.
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { loadServiceDefinition, projectRoot, type ExecutionMode, type ServiceDefinition } from '../service-definition.js';
import { startLocalStack } from '../stack.js';
import { buildBundle, measureInit, type BundleMeasurement, type SdkVariant } from './cold-start.js';
import { costModel, DEFAULT_ASSUMPTIONS, type CostReport } from './cost-model.js';
import { measureFunctionMemory, type FunctionMemory } from './function-memory.js';
import { measureConsumerBatch, measureFrontOverhead, type BatchTiming, type FrontOverhead } from './micro.js';
import { measureHandoff, type HandoffCost } from './handoff.js';
import { BENCH_POLLERS, handlerThreadProfile, runPipelineBench, type PipelineOptions, type PipelineReport } from './pipeline.js';
import { cpuBreakdown, readProfile, type CpuShare } from './profile.js';
import { watchBatchingWindow } from './batching-window.js';
import type { BacklogAnswer } from './backlog-process.js';
import { describeBacklog, type BacklogOptions, type BacklogResult } from './backlog.js';
import type { ScenarioAnswer } from './scenario-process.js';
import { median, summarize, type LatencySummary } from './stats.js';
import { LOCAL_TYPESCRIPT_LOADER } from '../loader/path.js';
import type { HandlerIsolation } from '../split/handler-workers.js';

export interface Scenario {
  label: string;
  options: PipelineOptions;
}

/** What the bench holds the local stack and the bundles to; the report's targets table says which were met. */
export const TARGETS = {
  /** End-to-end throughput of the split stack, msgs/s (the rate the headline scenario offers). */
  throughputMsgsPerSecond: 500,
  /** Split stack's throughput ÷ the single-threaded one's, on the same scenario. */
  splitSpeedup: 1.8,
  /** p99 submission → stored at half the ceiling, ms, on top of the event source's batching window. */
  p99BeyondBatchingWindowMs: 250,
  peakRssMb: 400,
  restedRssOverIdle: 1.25,
  leakedHeapMb: 10,
  frontRatio: 1.5,
  zippedBundleKb: 300,
  coldInitMs: 150,
  memorySizeShareOfPeak: 0.8,
} as const;

/**
 * The functions this bench builds, loads and invokes: the feedback pipeline's and the pages'. The document
 * pipeline's need their documents in S3 (their sample events fail here) and have a bench of their own.
 */
export function feedbackFunctions(service: ServiceDefinition): string[] {
  return Object.entries(service.functions)
    .filter(([, fn]) => fn.modulePath.startsWith('functions/feedback-triage/') || fn.modulePath.startsWith('functions/webPages/'))
    .map(([name]) => name);
}

/** The stack a run used: everything on one thread, or the handlers on threads of their own. */
export type StackWay = 'single' | 'split';

export const wayOf = (options: PipelineOptions): StackWay => (options.split === false ? 'single' : 'split');

export interface HalfCeilingOptions {
  /** Offered for about this long. */
  seconds: number;
  /** At least this many messages. */
  minMessages: number;
}

export interface BenchOptions {
  /** Run on the split stack (the default everywhere). */
  scenarios: Scenario[];
  /** The headline scenario: run single-threaded, then split, each in a process of its own, and compared. */
  headline?: Scenario;
  /** After the headline: a run offered half the split stack's measured throughput (needs headline). */
  halfCeiling?: HalfCeilingOptions;
  /** Handler workers of every split run. */
  handlerWorkers: number;
  /** Processes or threads for the split runs' handlers. */
  handlerIsolation: HandlerIsolation;
  /** Also runs the headline split with the other isolation, to compare the two. */
  compareIsolation?: boolean;
  /** Profiled runs of this scenario, single-threaded and split, give the CPU breakdown per message and thread (none when absent). */
  profileScenario?: Scenario;
  frontExecutions: number;
  batchRepeats: number;
  taskLatenciesMs: number[];
  coldStartRuns: number;
  /** Functions to build and load; the feedback pipeline's (feedbackFunctions) when absent. */
  functions?: string[];
  memoryInvocations: number;
  costMessagesPerMonth: number[];
  /** Runs pipeline scenarios in a fresh process each (true for the real bench; the smoke test runs them in-process). */
  isolateScenarios: boolean;
  /**
   * Backlogs drained under Comprehend's quota (AWS's defaults), each in a process of its own; by default
   * defaultBacklogs(scenarios): the largest scenario size, in each mode the scenarios run.
   */
  backlogs?: BacklogOptions[];
  onProgress?: (line: string) => void;
}

export interface PipelineRun {
  label: string;
  report: PipelineReport;
  /** How long the measured messages waited in the event source's batching window (batching-window.ts). */
  windowWaitMs: LatencySummary;
}

export interface ThreadCpu {
  thread: string;
  shares: CpuShare[];
}

export interface ProfiledRun {
  way: StackWay;
  messages: number;
  threads: ThreadCpu[];
}

export interface BenchReport {
  date: string;
  command: string;
  machine: { cpu: string; cores: number; memoryGb: number; os: string; node: string };
  /** From serverless.yml, and the handler workers of the split runs. */
  settings: { batchSize: number; maximumBatchingWindowSeconds: number; handlerWorkers: number; handlerIsolation: HandlerIsolation; pollers: number };
  /** Every end-to-end run, the headline's two first. */
  pipeline: PipelineRun[];
  /** The headline scenario both ways; ratio = split ÷ single throughput. */
  comparison?: { label: string; single: PipelineRun; split: PipelineRun; ratio: number; otherIsolation?: PipelineRun };
  /** The split stack offered half its headline throughput. */
  halfCeiling?: PipelineRun & { ceiling: number };
  backlog: BacklogResult[];
  /** What handing one invocation to the handlers costs, a thread's way and a process's way. */
  handoff: HandoffCost[];
  cpu?: { label: string; runs: ProfiledRun[] };
  front: FrontOverhead;
  consumerBatch: BatchTiming[];
  bundles: Array<Omit<BundleMeasurement, 'file'>>;
  memory: FunctionMemory[];
  cost: CostReport[];
  /** The same volumes with the state machines logging at ERROR instead of their configured level. */
  costLoggingErrors: CostReport[];
  targets: Target[];
}

export interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

export const scenarioLabel = (messages: number, rate: number, mode: ExecutionMode) => `${messages.toLocaleString('en-US')} msgs offered at ${rate}/s, ${mode}`;

/**
 * The scenarios of `npm run bench`. The headline: the largest size at the target rate, perMessage (run both ways).
 * The others, on the split stack: every other size and mode at that rate, and the smallest size at a calm rate.
 */
export function defaultScenarios(options: { sizes: number[]; rate: number; calmRate: number; modes: ExecutionMode[] }): { headline: Scenario; scenarios: Scenario[] } {
  const base = { concurrency: 256, warmupMessages: 200, timeoutSeconds: 900 };
  const at = (messages: number, ratePerSecond: number, mode: ExecutionMode): Scenario => ({
    label: scenarioLabel(messages, ratePerSecond, mode),
    options: { ...base, messages, ratePerSecond, mode },
  });
  const headlineMode = options.modes.includes('perMessage') ? 'perMessage' : (options.modes[0] as ExecutionMode);
  const largest = Math.max(...options.sizes);
  const scenarios: Scenario[] = [];
  for (const mode of options.modes) {
    for (const messages of options.sizes) if (mode !== headlineMode || messages !== largest) scenarios.push(at(messages, options.rate, mode));
  }
  scenarios.push(at(Math.min(...options.sizes), options.calmRate, 'perMessage'));
  return { headline: at(largest, options.rate, headlineMode), scenarios };
}

/**
 * The backlog scenarios: as many messages as the largest pipeline scenario, put on the queue at once, in each mode
 * the scenarios run, with Comprehend's quota as AWS sets it by default (serverless/feedback-triage.yml).
 */
export function defaultBacklogs(scenarios: Scenario[]): BacklogOptions[] {
  const messages = Math.max(...scenarios.map((scenario) => scenario.options.messages));
  const modes = [...new Set(scenarios.map((scenario) => scenario.options.mode))];
  // Bounded: well past what the quota needs to drain the backlog (10,000 at 20/s: 500 s).
  return modes.map((mode) => ({ messages, mode, timeoutMs: Math.max(120_000, messages * 100) }));
}

function runBacklogProcess(options: BacklogOptions): Promise<BacklogResult> {
  const child = fork(fileURLToPath(new URL('./backlog-process.ts', import.meta.url)), ['--backlog'], {
    cwd: projectRoot,
    execArgv: ['--import', LOCAL_TYPESCRIPT_LOADER],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', (answer: BacklogAnswer) => {
      if ('result' in answer) resolve(answer.result);
      else reject(new Error(`backlog failed: ${answer.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`backlog process exited with ${code}`));
    });
    child.send(options);
  });
}

function runScenarioProcess(options: PipelineOptions, onProgress?: (line: string) => void): Promise<Omit<PipelineRun, 'label'>> {
  const child = fork(fileURLToPath(new URL('./scenario-process.ts', import.meta.url)), ['--scenario'], {
    cwd: projectRoot,
    execArgv: ['--import', LOCAL_TYPESCRIPT_LOADER],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', (answer: ScenarioAnswer) => {
      if ('progress' in answer) onProgress?.(`  ${answer.progress}`);
      else if ('report' in answer) resolve({ report: answer.report, windowWaitMs: answer.windowWaitMs });
      else reject(new Error(`scenario failed: ${answer.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`scenario process exited with ${code}`));
    });
    child.send(options);
  });
}

/** One run in this process (the smoke test's way), watched as scenario-process.ts watches it. */
async function runScenarioHere(options: PipelineOptions, onProgress?: (line: string) => void): Promise<Omit<PipelineRun, 'label'>> {
  const window = watchBatchingWindow('bench');
  let waits: number[] = [];
  const report = await runPipelineBench(options, onProgress).finally(() => {
    waits = window.stop();
  });
  return { report, windowWaitMs: summarize(waits) };
}

async function measureBundles(functions: string[], runs: number, onProgress?: (line: string) => void) {
  const service = loadServiceDefinition();
  const outDir = join(tmpdir(), `feedback-triage-bench-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  const bundles: BundleMeasurement[] = [];
  for (const functionName of functions) {
    for (const variant of ['bundled', 'external'] as SdkVariant[]) {
      const file = await buildBundle(service, functionName, variant, outDir);
      const initMs = await measureInit(service, functionName, file, runs);
      const bytes = statSync(file).size;
      const zippedBytes = deflateRawSync(readFileSync(file), { level: 9 }).length;
      bundles.push({ functionName, variant, file, bytes, zippedBytes, initMs, medianInitMs: median(initMs) });
      onProgress?.(`  ${functionName}, SDK ${variant}: ${(bytes / 1024).toFixed(0)} KB, init ${median(initMs).toFixed(1)} ms`);
    }
  }
  return { bundles, outDir };
}

/** What the split stack is, for the report's words: its processes, or one process with its handler threads. */
export const splitStackName = (handlerWorkers: number, isolation: HandlerIsolation) =>
  isolation === 'process'
    ? `${handlerWorkers + 1} processes: the stack's and ${handlerWorkers === 1 ? 'one handler process' : `${handlerWorkers} handler processes`}`
    : `one process: the main thread and ${handlerWorkers} handler thread${handlerWorkers === 1 ? '' : 's'}`;

/** The main thread's heap came back to idle, but for the finished executions the Step Functions front keeps on purpose. */
export const leakFree = (r: PipelineReport): boolean => r.memory.cleanedHeapMb <= r.memory.idleHeapMb + r.memory.executionStoreGrowthMb + TARGETS.leakedHeapMb;

function evaluateTargets(report: Omit<BenchReport, 'targets'>): Target[] {
  const targets: Target[] = [];
  const comparison = report.comparison;
  if (comparison) {
    const split = comparison.split.report;
    const single = comparison.single.report;
    targets.push({
      what: `split ÷ single-threaded throughput, ${comparison.label}`,
      target: `≥ ${TARGETS.splitSpeedup}×`,
      measured: `${comparison.ratio.toFixed(2)}× (${split.throughput.toFixed(0)} ÷ ${single.throughput.toFixed(0)} msgs/s)`,
      met: comparison.ratio >= TARGETS.splitSpeedup,
    });
    targets.push({
      what: `end-to-end throughput of the split stack, ${comparison.label}`,
      target: `toward ≥ ${TARGETS.throughputMsgsPerSecond} msgs/s`,
      measured: `${split.throughput.toFixed(0)} msgs/s`,
      met: split.throughput >= TARGETS.throughputMsgsPerSecond,
    });
  }
  const half = report.halfCeiling;
  if (half) {
    const windowMs = report.settings.maximumBatchingWindowSeconds * 1000;
    const bound = TARGETS.p99BeyondBatchingWindowMs + windowMs;
    targets.push({
      what: `p99 submission → stored at half the ceiling (${half.report.options.ratePerSecond} msgs/s offered, split)`,
      target: `< ${TARGETS.p99BeyondBatchingWindowMs} ms + the batching window (maximumBatchingWindow ${report.settings.maximumBatchingWindowSeconds} s in serverless.yml) = ${bound} ms`,
      measured: `${half.report.storedLatencyMs.p99.toFixed(0)} ms`,
      met: half.report.storedLatencyMs.p99 < bound,
    });
  }
  if (comparison) {
    const r = comparison.split.report;
    targets.push({
      what: `peak RSS per process, split (${splitStackName(report.settings.handlerWorkers, report.settings.handlerIsolation)}), ${comparison.label}`,
      target: `≤ ${TARGETS.peakRssMb} MB each`,
      measured:
        r.memory.handlerPeakRssMb === undefined
          ? `${r.memory.peakRssMb.toFixed(0)} MB`
          : `${r.memory.peakRssMb.toFixed(0)} MB (the stack's), ${r.memory.handlerPeakRssMb.toFixed(0)} MB (the largest handler process)`,
      met: Math.max(r.memory.peakRssMb, r.memory.handlerPeakRssMb ?? 0) <= TARGETS.peakRssMb,
    });
    targets.push({
      what: 'RSS back near idle after that run (rested, after GC, the run\'s records deleted)',
      target: `≤ idle + ${Math.round((TARGETS.restedRssOverIdle - 1) * 100)} %`,
      measured: `${r.memory.idleRssMb.toFixed(0)} → ${r.memory.cleanedRssMb.toFixed(0)} MB (${r.memory.afterRssMb.toFixed(0)} MB while dynalite still holds the ${r.stored.toLocaleString('en-US')} records)`,
      met: r.memory.cleanedRssMb <= r.memory.idleRssMb * TARGETS.restedRssOverIdle,
    });
    targets.push({
      what: "no leak: heap of the main thread after deleting that run's records (after GC), beside what the execution store keeps by design",
      target: `≤ idle heap + the execution store's growth + ${TARGETS.leakedHeapMb} MB`,
      measured: `${r.memory.idleHeapMb.toFixed(0)} → ${r.memory.cleanedHeapMb.toFixed(0)} MB (${r.memory.afterHeapMb.toFixed(0)} MB with the records; the store of finished executions grew ${r.memory.executionStoreGrowthMb.toFixed(0)} MB, estimated)`,
      met: leakFree(r),
    });
  }
  targets.push({
    what: 'local Step Functions front vs the direct chain (mean time)',
    target: `≤ ${TARGETS.frontRatio}×`,
    measured: `${report.front.ratio.toFixed(2)}×`,
    met: report.front.ratio <= TARGETS.frontRatio,
  });
  const shipped = report.bundles.filter((b) => b.variant === 'bundled');
  if (shipped.length > 0) {
    const largestZip = Math.max(...shipped.map((b) => b.zippedBytes));
    targets.push({
      what: `largest bundle of ${shipped.length === 1 ? shipped[0]!.functionName : `the ${shipped.length} functions measured`}, SDK bundled, deflated at level 9 (tests/package checks the zips \`serverless package\` writes)`,
      target: `≤ ${TARGETS.zippedBundleKb} KB`,
      measured: `${(largestZip / 1024).toFixed(0)} KB`,
      met: largestZip <= TARGETS.zippedBundleKb * 1024,
    });
    const slowest = Math.max(...shipped.map((b) => b.medianInitMs));
    targets.push({ what: 'slowest median cold init (SDK bundled)', target: `≤ ${TARGETS.coldInitMs} ms`, measured: `${slowest.toFixed(0)} ms`, met: slowest <= TARGETS.coldInitMs });
  }
  const tight = report.memory.filter((m) => m.maxRssMb > m.configuredMb * TARGETS.memorySizeShareOfPeak);
  // A peak measured on failing invocations says nothing about the function's real work.
  const failing = report.memory.filter((m) => m.errors > 0);
  targets.push({
    what: `each memorySize holds its function’s peak RSS with ≥ ${Math.round((1 - TARGETS.memorySizeShareOfPeak) * 100)} % headroom`,
    target: `peak ≤ ${Math.round(TARGETS.memorySizeShareOfPeak * 100)} % of memorySize`,
    measured: report.memory.map((m) => `${m.functionName} ${m.maxRssMb.toFixed(0)}/${m.configuredMb} MB${m.errors > 0 ? ` (${m.errors} of ${m.invocations} invocations failed)` : ''}`).join(', '),
    met: tight.length === 0 && failing.length === 0,
  });
  return targets;
}

/** Reads the profiles a run wrote (the main thread's, and each handler worker's when split) and removes them. */
function readRunProfiles(file: string, report: PipelineReport, handlerWorkers: number): ProfiledRun {
  const way = wayOf(report.options);
  const files: Array<[string, string]> =
    way === 'single'
      ? [['the one thread', file]]
      : [['main thread', file], ...Array.from({ length: handlerWorkers }, (_, index): [string, string] => [`handler ${report.options.handlerIsolation ?? 'process'} ${index + 1}`, handlerThreadProfile(file, index)])];
  const threads = files.map(([thread, path]) => ({ thread, shares: cpuBreakdown(readProfile(path), report.stored) }));
  for (const [, path] of files) rmSync(path, { force: true });
  return { way, messages: report.stored, threads };
}

const describeRun = (r: PipelineReport) =>
  `${r.throughput.toFixed(1)} msgs/s, stored p50/p99 ${r.storedLatencyMs.p50.toFixed(0)}/${r.storedLatencyMs.p99.toFixed(0)} ms, peak RSS ${r.memory.peakRssMb.toFixed(0)} MB`;

export async function runBench(options: BenchOptions, command: string): Promise<BenchReport> {
  const progress = options.onProgress ?? (() => undefined);
  const service = loadServiceDefinition();
  const asRun = (scenario: Scenario, way: StackWay): PipelineOptions =>
    way === 'single' ? { ...scenario.options, split: false } : { ...scenario.options, split: true, handlerWorkers: options.handlerWorkers, handlerIsolation: options.handlerIsolation };
  const run = async (label: string, pipelineOptions: PipelineOptions): Promise<PipelineRun> => {
    progress(`Pipeline: ${label}, ${wayOf(pipelineOptions)}`);
    const measured = options.isolateScenarios ? await runScenarioProcess(pipelineOptions, progress) : await runScenarioHere(pipelineOptions, progress);
    progress(`  ${describeRun(measured.report)}`);
    return { label, ...measured };
  };

  const pipeline: PipelineRun[] = [];
  let comparison: BenchReport['comparison'];
  let halfCeiling: BenchReport['halfCeiling'];
  if (options.headline) {
    const single = await run(options.headline.label, asRun(options.headline, 'single'));
    const split = await run(options.headline.label, asRun(options.headline, 'split'));
    // The same split run with the handlers isolated the other way, which is how the default was chosen.
    const otherIsolation = options.compareIsolation
      ? await run(options.headline.label, { ...asRun(options.headline, 'split'), handlerIsolation: options.handlerIsolation === 'process' ? 'thread' : 'process' })
      : undefined;
    pipeline.push(single, split, ...(otherIsolation ? [otherIsolation] : []));
    comparison = { label: options.headline.label, single, split, ratio: split.report.throughput / single.report.throughput, ...(otherIsolation ? { otherIsolation } : {}) };
    if (options.halfCeiling) {
      const ceiling = split.report.throughput;
      const ratePerSecond = Math.max(1, Math.round(ceiling / 2));
      const messages = Math.max(options.halfCeiling.minMessages, Math.round(ratePerSecond * options.halfCeiling.seconds));
      const label = `${scenarioLabel(messages, ratePerSecond, options.headline.options.mode)} (half the split stack's ${ceiling.toFixed(0)} msgs/s)`;
      halfCeiling = { ...(await run(label, { ...asRun(options.headline, 'split'), messages, ratePerSecond })), ceiling };
      pipeline.push(halfCeiling);
    }
  }
  for (const scenario of options.scenarios) pipeline.push(await run(scenario.label, asRun(scenario, 'split')));

  const backlog: BacklogResult[] = [];
  for (const backlogOptions of options.backlogs ?? defaultBacklogs([...(options.headline ? [options.headline] : []), ...options.scenarios])) {
    progress(`Backlog under Comprehend's quota: ${backlogOptions.messages.toLocaleString('en-US')} messages at once, ${backlogOptions.mode}`);
    const result = await runBacklogProcess(backlogOptions);
    backlog.push(result);
    progress(`  ${describeBacklog(result)}`);
  }
  let cpu: BenchReport['cpu'];
  if (options.profileScenario) {
    const runs: ProfiledRun[] = [];
    for (const way of ['single', 'split'] as const) {
      const file = join(tmpdir(), `feedback-triage-bench-${process.pid}-${way}.cpuprofile`);
      progress(`CPU profile: ${options.profileScenario.label}, ${way}`);
      const profiled = { ...asRun(options.profileScenario, way), cpuProfile: file };
      const { report } = options.isolateScenarios ? await runScenarioProcess(profiled, progress) : await runScenarioHere(profiled, progress);
      runs.push(readRunProfiles(file, report, options.handlerWorkers));
    }
    cpu = { label: options.profileScenario.label, runs };
  }

  progress('Consumer batch and Step Functions front');
  // Overheads, not the quota: Comprehend answers every call here.
  const stack = await startLocalStack({ logLevel: 'ERROR', comprehendRequestsPerSecond: {} });
  let front: FrontOverhead;
  let consumerBatch: BatchTiming[];
  const memory: FunctionMemory[] = [];
  let bundles: BundleMeasurement[] = [];
  let outDir: string | undefined;
  try {
    front = await measureFrontOverhead(stack, options.frontExecutions);
    consumerBatch = await measureConsumerBatch(stack, { repeats: options.batchRepeats, taskLatenciesMs: options.taskLatenciesMs });
    progress('Bundles and cold starts');
    const functions = options.functions ?? feedbackFunctions(service);
    ({ bundles, outDir } = await measureBundles(functions, options.coldStartRuns, progress));
    progress('Memory per function');
    // notifyNegative's sample event needs its record stored and waiting for its alert.
    const notifyEvent = JSON.parse(readFileSync(join(projectRoot, 'events/notifyNegative.json'), 'utf8')) as unknown;
    await stack.runtime.invoke('storeFeedback', notifyEvent).catch(() => undefined);
    for (const functionName of functions) {
      const bundle = bundles.find((b) => b.functionName === functionName && b.variant === 'bundled');
      if (!bundle) continue;
      const measured = await measureFunctionMemory(service, stack, functionName, bundle.file, options.memoryInvocations);
      if (measured) memory.push(measured);
      if (measured) progress(`  ${functionName}: peak RSS ${measured.maxRssMb.toFixed(0)} MB of ${measured.configuredMb} MB`);
    }
  } finally {
    await stack.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }
  const prod = loadServiceDefinition('prod');
  const cost = options.costMessagesPerMonth.map((messages) => costModel(prod, messages, DEFAULT_ASSUMPTIONS));
  const costLoggingErrors = options.costMessagesPerMonth.map((messages) => costModel(prod, messages, { ...DEFAULT_ASSUMPTIONS, executionLogLevel: 'ERROR' }));
  progress('Handing an invocation over: thread and process');
  const handoff = await measureHandoff();
  const cpuInfo = cpus();
  const partial: Omit<BenchReport, 'targets'> = {
    date: new Date().toISOString(),
    command,
    machine: {
      cpu: cpuInfo[0]?.model.trim() ?? 'unknown',
      cores: cpuInfo.length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    settings: { batchSize: service.triage.batchSize, maximumBatchingWindowSeconds: service.triage.maximumBatchingWindow, handlerWorkers: options.handlerWorkers, handlerIsolation: options.handlerIsolation, pollers: BENCH_POLLERS },
    pipeline,
    comparison,
    halfCeiling,
    backlog,
    handoff,
    cpu,
    front,
    consumerBatch,
    bundles: bundles.map(({ file: _file, ...rest }) => rest),
    memory,
    cost,
    costLoggingErrors,
  };
  return { ...partial, targets: evaluateTargets(partial) };
}
