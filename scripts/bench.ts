// `npm run bench`: throughput, latency, the consumer's batch, the Step Functions front's overhead, cold starts,
// memory per function and cost; prints the tables and writes docs/BENCHMARKS.md. Then the document pipeline, in
// a process of its own (one local stack per process): docs/DOCUMENT-BENCHMARKS.md. `npm run bench -- --help`.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultScenarios, runBench, scenarioLabel, TARGETS, type Scenario } from '../local/bench/bench.js';
import { defaultDocumentBenchOptions, runDocumentBench } from '../local/bench/document-bench.js';
import { formatDocumentBenchConsole, formatDocumentBenchMarkdown } from '../local/bench/document-report.js';
import { formatBenchConsole, formatBenchMarkdown } from '../local/bench/report.js';
import type { ExecutionMode } from '../local/service-definition.js';
import { projectRoot } from '../local/service-definition.js';
import { LOCAL_TYPESCRIPT_LOADER } from '../local/loader/path.js';

const usage = `Usage: npm run bench -- [options]

  --sizes N,N          messages per end-to-end run (default 1000,10000); the largest, perMessage, is the headline,
                       run single-threaded and split and compared, then split at half its throughput
  --rate N             reader arrivals per second (default ${TARGETS.throughputMsgsPerSecond}, the target)
  --handler-workers N  handler workers of the split stack's runs (default 1)
  --handler-isolation process|thread
                       the split runs' handler workers: processes (default) or threads; the headline's split
                       run is also run the other way, to compare
  --calm-rate N        arrivals per second of the run below capacity (default 50)
  --modes M,M          execution modes to run end to end (default perMessage,perBatch)
  --cold-runs N        fresh processes per bundle for the init time (default 15)
  --quick              sizes 1000, perMessage only, fewer repetitions (a few minutes less)
  --no-profile         skip the profiled runs (single and split) that give the CPU breakdown
  --out FILE           where to write the report (default docs/BENCHMARKS.md)
  --no-write           print only

  --documents          the document pipeline only: extraction, memory on a large PDF, the pipeline, the Map's
                       speedup, cost; writes docs/DOCUMENT-BENCHMARKS.md (--out to change) (~5 min)
  --no-documents       the feedback pipeline only
  --skip-memory        with --documents: leave out the large PDF's memory measurement
  --large-pages N      with --documents: pages of the large image-heavy PDF (default 200)
  --help               this text`;

function list(raw: string | undefined, fallback: number[]): number[] {
  if (!raw) return fallback;
  const values = raw.split(',').map((part) => Number(part.replace(/_/g, '')));
  if (values.some((value) => !Number.isInteger(value) || value < 1)) throw new Error(`--sizes must be whole numbers, got "${raw}"`);
  return values;
}

/** The headline scenario cut to `messages`, labelled as profiled. */
function profiled(headline: Scenario, messages: number): Scenario {
  const options = { ...headline.options, messages };
  return { label: `${scenarioLabel(messages, options.ratePerSecond, options.mode)} (profiled)`, options };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      rate: { type: 'string' },
      'calm-rate': { type: 'string' },
      modes: { type: 'string' },
      'cold-runs': { type: 'string' },
      'handler-workers': { type: 'string' },
      'handler-isolation': { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-profile': { type: 'boolean', default: false },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      documents: { type: 'boolean', default: false },
      'no-documents': { type: 'boolean', default: false },
      'skip-memory': { type: 'boolean', default: false },
      'large-pages': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (values.documents) return documentBench(values);
  const quick = values.quick;
  const sizes = list(values.sizes, quick ? [1000] : [1000, 10_000]);
  const rate = Number(values.rate ?? TARGETS.throughputMsgsPerSecond);
  const handlerIsolation = values['handler-isolation'] ?? 'process';
  if (handlerIsolation !== 'process' && handlerIsolation !== 'thread') throw new Error(`--handler-isolation is process or thread, got "${handlerIsolation}"`);
  const handlerWorkers = Number(values['handler-workers'] ?? 1);
  if (!Number.isInteger(handlerWorkers) || handlerWorkers < 1) throw new Error(`--handler-workers must be a whole number ≥ 1, got "${values['handler-workers']}"`);
  const calmRate = Number(values['calm-rate'] ?? 50);
  const modes = (values.modes ?? (quick ? 'perMessage' : 'perMessage,perBatch')).split(',') as ExecutionMode[];
  if (modes.some((mode) => mode !== 'perMessage' && mode !== 'perBatch')) throw new Error('--modes takes perMessage and perBatch');
  if (!(rate > 0) || !(calmRate > 0)) throw new Error('--rate and --calm-rate must be positive');
  const { headline, scenarios } = defaultScenarios({ sizes, rate, calmRate, modes });
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const started = performance.now();
  const report = await runBench(
    {
      headline,
      // About 20 s of arrivals at half the ceiling, enough for a p99 over thousands of messages.
      halfCeiling: { seconds: 20, minMessages: 2000 },
      handlerWorkers,
      handlerIsolation,
      // The headline's split run once more with the handlers isolated the other way: the choice, measured.
      compareIsolation: true,
      scenarios,
      // The smallest size at the target rate: saturated, and short enough to profile.
      profileScenario: values['no-profile'] ? undefined : profiled(headline, Math.min(...sizes)),
      frontExecutions: quick ? 100 : 300,
      batchRepeats: quick ? 5 : 15,
      taskLatenciesMs: [0, 25, 100],
      coldStartRuns: Number(values['cold-runs'] ?? (quick ? 7 : 15)),
      memoryInvocations: quick ? 100 : 300,
      costMessagesPerMonth: [1_000_000, 100_000_000],
      isolateScenarios: true,
      onProgress: (line) => console.log(line),
    },
    command,
  );
  console.log(`\n${formatBenchConsole(report)}\n`);
  if (!values['no-write']) {
    const out = values.out ?? join(projectRoot, 'docs/BENCHMARKS.md');
    writeFileSync(out, formatBenchMarkdown(report));
    console.log(`Wrote ${relative(process.cwd(), out)} (${((performance.now() - started) / 1000).toFixed(0)} s).`);
  }
  if (values['no-documents']) return 0;
  // The document bench starts a local stack of its own: in a fresh process, as the handlers' SDK clients keep the first one's endpoints.
  const child = fork(fileURLToPath(import.meta.url), ['--documents', ...(values['no-write'] ? ['--no-write'] : [])], {
    execArgv: ['--import', LOCAL_TYPESCRIPT_LOADER],
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

async function documentBench(values: { out?: string; 'no-write': boolean; 'skip-memory': boolean; 'large-pages'?: string }): Promise<number> {
  const largePages = Number(values['large-pages'] ?? 200);
  if (!Number.isInteger(largePages) || largePages < 1) throw new Error(`--large-pages must be a whole number, got "${values['large-pages']}"`);
  const started = performance.now();
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  const report = await runDocumentBench({ ...defaultDocumentBenchOptions(largePages, values['skip-memory']), onProgress: (line) => console.log(line) }, command);
  console.log(`\n${formatDocumentBenchConsole(report)}\n`);
  if (!values['no-write']) {
    const out = values.out ?? join(projectRoot, 'docs/DOCUMENT-BENCHMARKS.md');
    writeFileSync(out, formatDocumentBenchMarkdown(report));
    console.log(`Wrote ${relative(process.cwd(), out)} (${((performance.now() - started) / 1000).toFixed(0)} s).`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`npm run bench failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
