// `npm run bench`: throughput and latency of the local pipeline, the consumer's batch, the local Step
// Functions front's overhead, cold starts and bundle sizes, each function's memory, and the cost model;
// printed as tables and written to docs/BENCHMARKS.md with the machine, the command and the date.
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { loadServiceDefinition, projectRoot, type ExecutionMode } from '../service-definition.js';
import { startLocalStack } from '../stack.js';
import { buildBundle, measureInit, type BundleMeasurement, type SdkVariant } from './cold-start.js';
import { costModel, DEFAULT_ASSUMPTIONS, type CostReport } from './cost-model.js';
import { measureFunctionMemory, type FunctionMemory } from './function-memory.js';
import { measureConsumerBatch, measureFrontOverhead, type BatchTiming, type FrontOverhead } from './micro.js';
import { runPipelineBench, type PipelineOptions, type PipelineReport } from './pipeline.js';
import { cpuBreakdown, readProfile, type CpuShare } from './profile.js';
import type { BacklogAnswer } from './backlog-process.js';
import { describeBacklog, type BacklogOptions, type BacklogResult } from './backlog.js';
import type { ScenarioAnswer } from './scenario-process.js';
import { median } from './stats.js';
import { LOCAL_TYPESCRIPT_LOADER } from '../loader/path.js';

export interface Scenario {
  label: string;
  options: PipelineOptions;
}

export interface BenchOptions {
  scenarios: Scenario[];
  /** A profiled run of this scenario gives the CPU breakdown per message (none when absent). */
  profileScenario?: Scenario;
  frontExecutions: number;
  batchRepeats: number;
  taskLatenciesMs: number[];
  coldStartRuns: number;
  /** Functions to build and load; every function of serverless.yml when absent. */
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

export interface BenchReport {
  date: string;
  command: string;
  machine: { cpu: string; cores: number; memoryGb: number; os: string; node: string };
  pipeline: Array<{ label: string; report: PipelineReport }>;
  backlog: BacklogResult[];
  cpu?: { label: string; messages: number; shares: CpuShare[] };
  front: FrontOverhead;
  consumerBatch: BatchTiming[];
  bundles: Array<Omit<BundleMeasurement, 'file'>>;
  memory: FunctionMemory[];
  cost: CostReport[];
  targets: Target[];
}

export interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

/** The scenarios of `npm run bench`: the target rate for 1,000 and 10,000 messages in both modes, and a calm rate. */
export function defaultScenarios(options: { sizes: number[]; rate: number; calmRate: number; modes: ExecutionMode[] }): Scenario[] {
  const base = { concurrency: 256, warmupMessages: 200, timeoutSeconds: 900 };
  const scenarios: Scenario[] = [];
  for (const mode of options.modes) {
    for (const messages of options.sizes) {
      scenarios.push({ label: `${messages.toLocaleString('en-US')} msgs offered at ${options.rate}/s, ${mode}`, options: { ...base, messages, ratePerSecond: options.rate, mode } });
    }
  }
  const calm = Math.min(...options.sizes);
  scenarios.push({
    label: `${calm.toLocaleString('en-US')} msgs offered at ${options.calmRate}/s, perMessage`,
    options: { ...base, messages: calm, ratePerSecond: options.calmRate, mode: 'perMessage' },
  });
  return scenarios;
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

function runScenarioProcess(options: PipelineOptions, onProgress?: (line: string) => void): Promise<PipelineReport> {
  const child = fork(fileURLToPath(new URL('./scenario-process.ts', import.meta.url)), ['--scenario'], {
    cwd: projectRoot,
    execArgv: ['--import', LOCAL_TYPESCRIPT_LOADER],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', (answer: ScenarioAnswer) => {
      if ('progress' in answer) onProgress?.(`  ${answer.progress}`);
      else if ('report' in answer) resolve(answer.report);
      else reject(new Error(`scenario failed: ${answer.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`scenario process exited with ${code}`));
    });
    child.send(options);
  });
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

/** Arrivals per second of a run; as fast as possible counts as the fastest. */
const rateOf = (r: PipelineReport) => (r.options.ratePerSecond > 0 ? r.options.ratePerSecond : Infinity);

function evaluateTargets(report: Omit<BenchReport, 'targets'>): Target[] {
  const targets: Target[] = [];
  const big = report.pipeline
    .filter(({ report: r }) => r.options.mode === 'perMessage')
    .sort((a, b) => b.report.options.messages - a.report.options.messages || rateOf(b.report) - rateOf(a.report))[0];
  if (big) {
    const r = big.report;
    targets.push({
      what: `end-to-end throughput, ${r.options.messages.toLocaleString('en-US')} messages (perMessage)`,
      target: '≥ 500 msgs/s',
      measured: `${r.throughput.toFixed(0)} msgs/s`,
      met: r.throughput >= 500,
    });
    targets.push({ what: 'p99 submission → stored, same run', target: '< 250 ms', measured: `${r.storedLatencyMs.p99.toFixed(0)} ms`, met: r.storedLatencyMs.p99 < 250 });
    targets.push({ what: 'peak RSS of the stack, same run', target: '≤ 400 MB', measured: `${r.memory.peakRssMb.toFixed(0)} MB`, met: r.memory.peakRssMb <= 400 });
    targets.push({
      what: 'RSS back near idle after the run (rested 6 s, after GC, the run\'s records deleted)',
      target: '≤ idle + 25 %',
      measured: `${r.memory.idleRssMb.toFixed(0)} → ${r.memory.cleanedRssMb.toFixed(0)} MB (${r.memory.afterRssMb.toFixed(0)} MB while dynalite still holds the ${r.stored.toLocaleString('en-US')} records)`,
      met: r.memory.cleanedRssMb <= r.memory.idleRssMb * 1.25,
    });
    targets.push({
      what: 'no leak: heap after deleting the run\'s records (after GC)',
      target: '≤ idle heap + 10 MB',
      measured: `${r.memory.idleHeapMb.toFixed(0)} → ${r.memory.cleanedHeapMb.toFixed(0)} MB (${r.memory.afterHeapMb.toFixed(0)} MB with the records)`,
      met: r.memory.cleanedHeapMb <= r.memory.idleHeapMb + 10,
    });
  }
  targets.push({ what: 'local Step Functions front vs the direct chain (mean time)', target: '≤ 1.5×', measured: `${report.front.ratio.toFixed(2)}×`, met: report.front.ratio <= 1.5 });
  const shipped = report.bundles.filter((b) => b.variant === 'bundled');
  const largest = Math.max(...shipped.map((b) => b.bytes));
  const largestZip = Math.max(...shipped.map((b) => b.zippedBytes));
  targets.push({ what: 'largest bundle, minified JS (SDK bundled)', target: '≤ 300 KB', measured: `${(largest / 1024).toFixed(0)} KB`, met: largest <= 300 * 1024 });
  targets.push({ what: 'largest bundle, zipped as deployed (what tests/package checks)', target: '≤ 300 KB', measured: `${(largestZip / 1024).toFixed(0)} KB`, met: largestZip <= 300 * 1024 });
  const slowest = Math.max(...shipped.map((b) => b.medianInitMs));
  targets.push({ what: 'slowest median cold init (SDK bundled)', target: '≤ 150 ms', measured: `${slowest.toFixed(0)} ms`, met: slowest <= 150 });
  const tight = report.memory.filter((m) => m.maxRssMb > m.configuredMb * 0.8);
  targets.push({
    what: 'each memorySize holds its function’s peak RSS with ≥ 20 % headroom',
    target: 'peak ≤ 80 % of memorySize',
    measured: report.memory.map((m) => `${m.functionName} ${m.maxRssMb.toFixed(0)}/${m.configuredMb} MB`).join(', '),
    met: tight.length === 0,
  });
  return targets;
}

export async function runBench(options: BenchOptions, command: string): Promise<BenchReport> {
  const progress = options.onProgress ?? (() => undefined);
  const service = loadServiceDefinition();
  const pipeline: BenchReport['pipeline'] = [];
  for (const scenario of options.scenarios) {
    progress(`Pipeline: ${scenario.label}`);
    const report = options.isolateScenarios ? await runScenarioProcess(scenario.options, progress) : await runPipelineBench(scenario.options, progress);
    pipeline.push({ label: scenario.label, report });
    progress(`  ${report.throughput.toFixed(1)} msgs/s, stored p50/p99 ${report.storedLatencyMs.p50.toFixed(0)}/${report.storedLatencyMs.p99.toFixed(0)} ms, peak RSS ${report.memory.peakRssMb.toFixed(0)} MB`);
  }
  const backlog: BacklogResult[] = [];
  for (const backlogOptions of options.backlogs ?? defaultBacklogs(options.scenarios)) {
    progress(`Backlog under Comprehend's quota: ${backlogOptions.messages.toLocaleString('en-US')} messages at once, ${backlogOptions.mode}`);
    const result = await runBacklogProcess(backlogOptions);
    backlog.push(result);
    progress(`  ${describeBacklog(result)}`);
  }
  let cpu: BenchReport['cpu'];
  if (options.profileScenario) {
    const file = join(tmpdir(), `feedback-triage-bench-${process.pid}.cpuprofile`);
    progress(`CPU profile: ${options.profileScenario.label}`);
    const profiled = { ...options.profileScenario.options, cpuProfile: file };
    const report = options.isolateScenarios ? await runScenarioProcess(profiled, progress) : await runPipelineBench(profiled, progress);
    cpu = { label: options.profileScenario.label, messages: report.stored, shares: cpuBreakdown(readProfile(file), report.stored) };
    rmSync(file, { force: true });
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
    const functions = options.functions ?? Object.keys(service.functions);
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
  const cost = options.costMessagesPerMonth.map((messages) => costModel(loadServiceDefinition('prod'), messages, DEFAULT_ASSUMPTIONS));
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
    pipeline,
    backlog,
    cpu,
    front,
    consumerBatch,
    bundles: bundles.map(({ file: _file, ...rest }) => rest),
    memory,
    cost,
  };
  return { ...partial, targets: evaluateTargets(partial) };
}
