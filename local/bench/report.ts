// docs/BENCHMARKS.md and the console tables, from a bench report. Every figure in the text comes from the report:
// what the run measured, the settings it read from serverless.yml, the targets, the cost model's assumptions and prices.
import { PRICES } from './aws-prices.js';
import { formatCostTable, type ModeCost } from './cost-model.js';
import { leakFree, TARGETS, wayOf, type BenchReport, type ProfiledRun } from './bench.js';
import type { PipelineReport } from './pipeline.js';
import type { HandlerIsolation } from '../split/handler-workers.js';

/** Lambda gives a function one vCPU at 1,769 MB and CPU in proportion to memory below that. */
export const LAMBDA_MB_PER_VCPU = 1769;

const ms = (value: number) => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value.toFixed(1)) : '–');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)}`;
const percent = (share: number) => (Number.isFinite(share) ? `${(share * 100).toFixed(0)} %` : '–');
const triple = (s: { p50: number; p95: number; p99: number }) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`;
const table = (header: string[], rows: string[][], align?: string[]) =>
  [`| ${header.join(' | ')} |`, `| ${(align ?? header.map(() => '---')).join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

/** What a split run's handlers ran on: processes of their own (the default) or threads of the stack's process. */
export const isolationOf = (r: PipelineReport): HandlerIsolation => r.options.handlerIsolation ?? 'process';

/** The stack a run used, in the tables' words. */
export function stackOf(r: PipelineReport): string {
  return wayOf(r.options) === 'single' ? 'single thread' : `split, ${plural(r.options.handlerWorkers ?? 1, `handler ${isolationOf(r)}`)}`;
}

/** Busy share and ms per message of a run's event loops: the one thread's, or the main thread's and the handler threads'. */
function loops(r: PipelineReport): string {
  const main = `${(r.eventLoopUtilization * 100).toFixed(0)} % (${r.loopMsPerMessage.toFixed(1)})`;
  return r.handlerLoop ? `main ${main}, handlers ${(r.handlerLoop.utilization * 100).toFixed(0)} % (${r.handlerLoop.msPerMessage.toFixed(1)})` : main;
}

export function pipelineTable(report: BenchReport): string {
  return table(
    ['scenario', 'stack', 'triaged', 'msgs/s end to end', 'intake msgs/s', 'submit → stored p50 / p95 / p99 ms', 'waited in the batching window p50 / p99 ms', 'submit → alert in inbox p50 / p95 / p99 ms', 'executions', 'stack CPU ms/msg', 'event loops busy (ms/msg)', 'RSS idle → peak → rested → records deleted, MB', 'main heap idle → rested → records deleted, MB'],
    report.pipeline.map(({ label, report: r, windowWaitMs }) => [
      label,
      stackOf(r),
      `${r.stored}/${r.accepted}`,
      r.throughput.toFixed(1),
      r.intakeRate.toFixed(0),
      triple(r.storedLatencyMs),
      `${ms(windowWaitMs.p50)} / ${ms(windowWaitMs.p99)}`,
      `${triple(r.alertLatencyMs)} (${r.alertsReceived}/${r.alertsExpected})`,
      String(r.executions),
      r.cpuMsPerMessage.toFixed(1),
      loops(r),
      `${r.memory.idleRssMb.toFixed(0)} → ${r.memory.peakRssMb.toFixed(0)} → ${r.memory.afterRssMb.toFixed(0)} → ${r.memory.cleanedRssMb.toFixed(0)}`,
      `${r.memory.idleHeapMb.toFixed(0)} → ${r.memory.afterHeapMb.toFixed(0)} → ${r.memory.cleanedHeapMb.toFixed(0)}`,
    ]),
    ['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
  );
}

/** The headline scenario single-threaded and split, side by side, with split ÷ single. */
/** Processes or threads for the handlers: what a handover costs, and what the headline measured each way. */
function handoffSection(report: BenchReport): string[] {
  const c = report.comparison;
  const chosen = c?.split.report;
  const other = c?.otherIsolation?.report;
  const lines = ['### Processes or threads', ''];
  if (chosen && other) {
    const [processRun, threadRun] = isolationOf(chosen) === 'process' ? [chosen, other] : [other, chosen];
    lines.push(
      `The handlers can run in processes of their own or in threads of the stack's process. Split both ways, the headline`,
      `triaged ${processRun.throughput.toFixed(0)} msgs/s with a handler process and ${threadRun.throughput.toFixed(0)} with a handler thread (table above), at ${processRun.cpuMsPerMessage.toFixed(2)} and`,
      `${threadRun.cpuMsPerMessage.toFixed(2)} ms of CPU per message: two isolates in one process share its allocator, its GC helper threads and`,
      `its memory, and the peak RSS per process was ${peakRss(processRun)} MB against ${peakRss(threadRun)} MB in one. ${processRun.throughput >= threadRun.throughput ? 'Processes are' : 'Threads are'}`,
      `the default (\`--handler-isolation\` picks the other). Either way one PID stops everything: a handler process ignores Ctrl-C`,
      "and leaves when the stack stops it or its channel to the stack closes.",
      '',
    );
  }
  if (report.handoff.length > 0) {
    lines.push(
      "What it costs the stack's thread to hand one invocation over and take its answer back (a state event as JSON text,",
      'all round trips in flight at once), beside a message\'s ' +
        `${chosen ? `${chosen.invocationsPerMessage.toFixed(1)} invocations and ${chosen.cpuMsPerMessage.toFixed(2)} ms of CPU` : 'CPU'}:`,
      '',
      table(
        ['way', 'wall µs per round trip', "stack side's CPU µs per round trip"],
        report.handoff.map((h) => [h.way, h.wallMicros.toFixed(1), h.cpuMicros.toFixed(1)]),
      ),
      '',
    );
  }
  return lines.length > 2 ? lines : [];
}

export function comparisonTable(report: BenchReport): string {
  const c = report.comparison;
  if (!c) return '';
  const single = c.single.report;
  const split = c.split.report;
  const ratio = (a: number, b: number) => (Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');
  const other = c.otherIsolation?.report;
  const rows: string[][] = [
    ['msgs/s end to end', single.throughput.toFixed(1), split.throughput.toFixed(1), ratio(split.throughput, single.throughput)],
    ['stack CPU ms per message (every process and thread)', single.cpuMsPerMessage.toFixed(2), split.cpuMsPerMessage.toFixed(2), ratio(split.cpuMsPerMessage, single.cpuMsPerMessage)],
    [
      'main thread busy (ms per message)',
      `${(single.eventLoopUtilization * 100).toFixed(0)} % (${single.loopMsPerMessage.toFixed(2)})`,
      `${(split.eventLoopUtilization * 100).toFixed(0)} % (${split.loopMsPerMessage.toFixed(2)})`,
      ratio(split.loopMsPerMessage, single.loopMsPerMessage),
    ],
    [
      'handler workers busy: mean share (ms per message, together)',
      '–',
      split.handlerLoop ? `${(split.handlerLoop.utilization * 100).toFixed(0)} % (${split.handlerLoop.msPerMessage.toFixed(2)})` : '–',
      '',
    ],
    ['peak RSS per process, MB (the stack\'s / each handler process\'s)', peakRss(single), peakRss(split), ratio(split.memory.peakRssMb, single.memory.peakRssMb)],
    ['submit → stored p50 / p99 ms', `${ms(single.storedLatencyMs.p50)} / ${ms(single.storedLatencyMs.p99)}`, `${ms(split.storedLatencyMs.p50)} / ${ms(split.storedLatencyMs.p99)}`, ''],
  ];
  if (!other) return table(['', 'single thread', stackOf(split), 'split ÷ single'], rows, ['---', '---:', '---:', '---:']);
  // The same split run with the handlers isolated the other way: how the choice of processes or threads was made.
  const otherColumn = [
    other.throughput.toFixed(1),
    other.cpuMsPerMessage.toFixed(2),
    `${(other.eventLoopUtilization * 100).toFixed(0)} % (${other.loopMsPerMessage.toFixed(2)})`,
    other.handlerLoop ? `${(other.handlerLoop.utilization * 100).toFixed(0)} % (${other.handlerLoop.msPerMessage.toFixed(2)})` : '–',
    peakRss(other),
    `${ms(other.storedLatencyMs.p50)} / ${ms(other.storedLatencyMs.p99)}`,
  ];
  return table(
    ['', 'single thread', stackOf(split), 'split ÷ single', stackOf(other)],
    rows.map((row, index) => [...row, otherColumn[index] ?? '']),
    ['---', '---:', '---:', '---:', '---:'],
  );
}

/** A run's peak RSS per process: the stack's, and its handler processes' when it had any. */
function peakRss(r: PipelineReport): string {
  return r.memory.handlerPeakRssMb === undefined ? r.memory.peakRssMb.toFixed(0) : `${r.memory.peakRssMb.toFixed(0)} / ${r.memory.handlerPeakRssMb.toFixed(0)}`;
}

/** The run at half the ceiling: latencies, and the batching window's bound and measured waits. */
export function halfCeilingTable(report: BenchReport): string {
  const h = report.halfCeiling;
  if (!h) return '';
  const windowMs = report.settings.maximumBatchingWindowSeconds * 1000;
  const r = h.report;
  return table(
    ['offered msgs/s (messages)', 'triaged msgs/s', 'submit → stored p50 / p95 / p99 ms', 'submit → alert p50 / p95 / p99 ms', 'waited in the batching window p50 / p95 / p99 ms (messages)', 'window bound (serverless.yml) ms', 'bound ÷ stored p50 / p99'],
    [
      [
        `${r.options.ratePerSecond} (${r.stored.toLocaleString('en-US')})`,
        r.throughput.toFixed(1),
        triple(r.storedLatencyMs),
        triple(r.alertLatencyMs),
        `${triple(h.windowWaitMs)} (${h.windowWaitMs.count.toLocaleString('en-US')})`,
        String(windowMs),
        `${percent(windowMs / r.storedLatencyMs.p50)} / ${percent(windowMs / r.storedLatencyMs.p99)}`,
      ],
    ],
    ['---:', '---:', '---:', '---:', '---:', '---:', '---:'],
  );
}

export function backlogTable(report: BenchReport): string {
  return table(
    ['mode', 'messages', 'Comprehend quota', 'ceiling msgs/s', 'msgs/s', 'of the ceiling', 'throttled calls', 'dead-lettered', 'lost', 'duplicates', 'drained in', 'executions, consumers'],
    report.backlog.map((b) => {
      const operation = b.mode === 'perMessage' ? 'DetectSentiment' : 'BatchDetectSentiment';
      return [
        b.mode,
        b.messages.toLocaleString('en-US'),
        `${operation} ${b.quotas[operation]}/s`,
        String(b.ceiling),
        b.messagesPerSecond.toFixed(1),
        `${((100 * b.messagesPerSecond) / b.ceiling).toFixed(0)} %`,
        String(Object.values(b.throttles).reduce((sum, count) => sum + count, 0)),
        String(b.deadLettered),
        String(b.lost),
        String(b.duplicateRecords + b.duplicateAlerts),
        `${(b.elapsedMs / 1000).toFixed(1)} s${b.settled ? '' : ' (not settled)'}`,
        `${b.executions}, ${b.consumers}`,
      ];
    }),
    ['---', '---:', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
  );
}

export function targetsTable(report: BenchReport): string {
  return table(['', 'what', 'target', 'measured'], report.targets.map((t) => [t.met ? 'met' : '**missed**', t.what, t.target, t.measured]));
}

export function batchTable(report: BenchReport): string {
  return table(
    ['mode', 'latency added to each task', 'batch of 1 (ms, median)', 'batch of 10 (ms, median)', 'ratio 10 : 1'],
    report.consumerBatch.map((b) => [b.mode, b.taskLatencyMs ? `${b.taskLatencyMs} ms` : 'none (local stack as is)', ms(b.oneMs), ms(b.tenMs), `${b.ratio.toFixed(2)}×`]),
    ['---', '---', '---:', '---:', '---:'],
  );
}

export function frontTable(report: BenchReport): string {
  const f = report.front;
  return table(
    ['executions', 'direct chain median / mean ms', 'through the front median / mean ms', 'front cost per execution (mean)', 'ratio (mean)', 'ratio (median)'],
    [[String(f.executions), `${ms(f.directMedianMs)} / ${ms(f.directMeanMs)}`, `${ms(f.frontMedianMs)} / ${ms(f.frontMeanMs)}`, `${ms(f.frontMeanMs - f.directMeanMs)} ms`, `${f.ratio.toFixed(2)}×`, `${(f.frontMedianMs / f.directMedianMs).toFixed(2)}×`]],
    ['---:', '---:', '---:', '---:', '---:', '---:'],
  );
}

export function bundleTable(report: BenchReport): string {
  const names = [...new Set(report.bundles.map((b) => b.functionName))];
  return table(
    ['function', 'SDK bundled: KB (zipped)', 'init median ms', 'SDK external: KB (zipped)', 'init median ms', 'faster'],
    names.map((name) => {
      const bundled = report.bundles.find((b) => b.functionName === name && b.variant === 'bundled');
      const external = report.bundles.find((b) => b.functionName === name && b.variant === 'external');
      const faster = bundled && external ? (bundled.medianInitMs <= external.medianInitMs ? 'bundled' : 'external') : '';
      return [
        name,
        bundled ? `${kb(bundled.bytes)} (${kb(bundled.zippedBytes)})` : '–',
        bundled ? ms(bundled.medianInitMs) : '–',
        external ? `${kb(external.bytes)} (${kb(external.zippedBytes)})` : '–',
        external ? ms(external.medianInitMs) : '–',
        faster,
      ];
    }),
    ['---', '---:', '---:', '---:', '---:', '---'],
  );
}

export function memoryTable(report: BenchReport): string {
  return table(
    ['function', 'memorySize MB', 'peak RSS MB', 'heap MB', 'warm invoke median / p99 ms (local)', 'CPU per invoke ms (one core)', 'same CPU at memorySize (≈ ms)', 'invocations (errors)'],
    report.memory.map((m) => [
      m.functionName,
      String(m.configuredMb),
      m.maxRssMb.toFixed(0),
      m.heapUsedMb.toFixed(0),
      `${ms(m.medianInvokeMs)} / ${ms(m.p99InvokeMs)}`,
      ms(m.medianCpuMs),
      ms(m.medianCpuMs * Math.max(1, LAMBDA_MB_PER_VCPU / m.configuredMb)),
      `${m.invocations} (${m.errors})`,
    ]),
    ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
  );
}

const IDLE = 'idle (event loop waiting)';

/** A thread's sampled time per message, and the part of it that was not idle. */
export function threadTotals(shares: ProfiledRun['threads'][number]['shares']): { sampled: number; busy: number } {
  const sampled = shares.reduce((sum, share) => sum + share.msPerMessage, 0);
  return { sampled, busy: sampled - (shares.find((share) => share.component === IDLE)?.msPerMessage ?? 0) };
}

/** Components below this share in every column are summed into one row. */
const MINOR_SHARE = 0.005;

/** The CPU profiles per message, one column per thread: the single-threaded run's, then the split run's. */
export function cpuTable(report: BenchReport): string {
  if (!report.cpu) return '';
  const columns = report.cpu.runs.flatMap((run) => run.threads.map((thread) => ({ name: `${run.way === 'single' ? 'single' : 'split'}: ${thread.thread}`, shares: thread.shares })));
  const components = [...new Set(columns.flatMap((column) => column.shares.map((share) => share.component)))];
  const cell = (column: (typeof columns)[number], component: string) => column.shares.find((share) => share.component === component);
  const major = components.filter((component) => columns.some((column) => (cell(column, component)?.share ?? 0) >= MINOR_SHARE));
  const minor = components.filter((component) => !major.includes(component));
  const order = (component: string) => Math.max(...columns.map((column) => cell(column, component)?.msPerMessage ?? 0));
  major.sort((a, b) => order(b) - order(a));
  const format = (msPerMessage: number, share: number) => (msPerMessage > 0 ? `${msPerMessage.toFixed(2)} (${(share * 100).toFixed(1)} %)` : '–');
  const rows = major.map((component) => [component, ...columns.map((column) => format(cell(column, component)?.msPerMessage ?? 0, cell(column, component)?.share ?? 0))]);
  if (minor.length > 0) {
    rows.push([
      `others, each under ${(MINOR_SHARE * 100).toFixed(1)} %`,
      ...columns.map((column) => {
        const others = column.shares.filter((share) => minor.includes(share.component));
        return format(others.reduce((sum, share) => sum + share.msPerMessage, 0), others.reduce((sum, share) => sum + share.share, 0));
      }),
    ]);
  }
  rows.push(['**busy (sampled, not idle)**', ...columns.map((column) => `**${threadTotals(column.shares).busy.toFixed(2)}**`)]);
  rows.push(['**sampled time of the thread**', ...columns.map((column) => `**${threadTotals(column.shares).sampled.toFixed(2)}** (100 %)`)]);
  return table(['component: CPU ms per message (share of the thread)', ...columns.map((column) => column.name)], rows, ['---', ...columns.map(() => '---:')]);
}

const msgs = (value: number) => value.toLocaleString('en-US');
const usd2 = (value: number) => `$${value.toFixed(2)}`;
const pluralOf = (word: string) => `${word}${word.endsWith('s') ? 'es' : 's'}`;
const plural = (count: number, word: string) => `${count} ${count === 1 ? word : pluralOf(word)}`;

/** Where the split stack's ceiling is: each event loop's busy ms per message, the rate it allows, and the lower. */
export function splitCeilings(r: PipelineReport): { mainMs: number; mainCeiling: number; handlerMs: number; handlerCeiling: number; bottleneck: 'main' | 'handlers' } | undefined {
  if (!r.handlerLoop) return undefined;
  const threads = r.options.handlerWorkers ?? 1;
  const mainCeiling = 1000 / r.loopMsPerMessage;
  // The handler threads' busy time together, spread evenly over them.
  const handlerCeiling = (threads * 1000) / r.handlerLoop.msPerMessage;
  return { mainMs: r.loopMsPerMessage, mainCeiling, handlerMs: r.handlerLoop.msPerMessage, handlerCeiling, bottleneck: mainCeiling <= handlerCeiling ? 'main' : 'handlers' };
}

function introduction(report: BenchReport): string[] {
  const m = report.machine;
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${report.date.slice(0, 10)} (${report.date}). Command: \`${report.command}\`.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}. Everything runs on this machine: the`,
    'embedded local stack and, in a second process, the readers posting to `POST /feedback`. Split (the default, and',
    `every run here not marked otherwise) the stack has ${plural(report.settings.handlerWorkers, `handler ${report.settings.handlerIsolation}`)} beside its main thread: the`,
    `handlers with their SDK clients run there, while the main thread (${report.settings.handlerIsolation === 'process' ? 'of the stack\'s own process' : 'of the same process'}) runs dynalite, fauxqs,`,
    'the Comprehend and Step Functions fronts, the local Lambda runtime, the SQS event source and the HTTP API.',
    "Single-threaded (`split: false`, the headline scenario's first run) all of it shares one thread. Numbers from",
    'another machine will differ; the ratios and the breakdowns carry over better than the absolute values.',
    '',
  ];
}

function readingIt(report: BenchReport): string[] {
  const c = report.comparison;
  if (!c) return [];
  const single = c.single.report;
  const split = c.split.report;
  const offered = split.options.ratePerSecond;
  const lines = [
    `**Reading it.** Offered ${offered > 0 ? `${offered} msgs/s` : 'as fast as the intake answers'}, the single-threaded stack triaged ${single.throughput.toFixed(0)} msgs/s and the split`,
    `stack ${split.throughput.toFixed(0)} msgs/s: ${c.ratio.toFixed(2)}× (target ≥ ${TARGETS.splitSpeedup}×). Single-threaded, the one event loop was busy ${percent(single.eventLoopUtilization)} of the`,
    `run, ${single.loopMsPerMessage.toFixed(2)} ms per message, so one thread tops out near 1000 ÷ ${single.loopMsPerMessage.toFixed(2)} ≈ ${(1000 / single.loopMsPerMessage).toFixed(0)} msgs/s.`,
  ];
  const ceilings = splitCeilings(split);
  if (ceilings) {
    const workers = split.options.handlerWorkers ?? 1;
    const one = workers === 1;
    const noun = `handler ${isolationOf(split)}`;
    lines.push(
      `Split, the work has two kinds of event loop. The main thread's was busy ${percent(split.eventLoopUtilization)}, ${ceilings.mainMs.toFixed(2)} ms per message: alone`,
      `it would top out near ${ceilings.mainCeiling.toFixed(0)} msgs/s. The ${one ? `${noun} was` : `${plural(workers, noun)} were`} busy ${percent(split.handlerLoop?.utilization ?? Number.NaN)}${one ? '' : ' on average'}, ` +
        `${ceilings.handlerMs.toFixed(2)} ms per message${one ? '' : ' together'}: ${one ? 'alone it' : 'spread evenly, they'} would top out near ${ceilings.handlerCeiling.toFixed(0)} msgs/s.`,
      ceilings.bottleneck === 'main'
        ? `The bottleneck is the main thread (emulators, fronts, event source, servers): more ${pluralOf(noun)} would not raise the ceiling.`
        : `The bottleneck is the ${one ? noun : pluralOf(noun)}: more of them (\`--handler-workers N\`) could raise the ceiling while cores are free.`,
      `The stack's CPU (${single.cpuMsPerMessage.toFixed(2)} ms per message single-threaded, ${split.cpuMsPerMessage.toFixed(2)} split) counts every process and thread, V8's own helpers included.`,
    );
  }
  if (offered > 0 && split.throughput < offered * 0.95) {
    lines.push(
      'Offered more than it triages, the stack lets the queue grow for as long as readers keep coming, and the latency',
      "of such a run is the time spent queued: it grows with the run's length, which is why the run at half the ceiling",
      'below, not this one, says what latency the stack gives.',
    );
  } else if (offered > 0) {
    lines.push('The split stack kept up with the offered rate.');
  }
  lines.push('');
  return lines;
}

function halfCeilingSection(report: BenchReport): string[] {
  const h = report.halfCeiling;
  if (!h) return [];
  const r = h.report;
  const windowS = report.settings.maximumBatchingWindowSeconds;
  const windowMs = windowS * 1000;
  const bound = TARGETS.p99BeyondBatchingWindowMs + windowMs;
  const w = h.windowWaitMs;
  const lines = [
    '### At half the ceiling',
    '',
    `The split stack offered ${r.options.ratePerSecond} msgs/s, half the ${h.ceiling.toFixed(0)} msgs/s it triaged in the headline run, for ${msgs(r.options.messages)} messages`,
    `(${(r.options.messages / r.options.ratePerSecond).toFixed(0)} s of arrivals): the latency of a stack that keeps up.`,
    '',
    halfCeilingTable(report),
    '',
    `serverless.yml's \`maximumBatchingWindow\` (${windowS} s) bounds how long the event source holds a batch open for more`,
    `messages once its first has arrived, as Lambda does on AWS; a full batch (${report.settings.batchSize}) goes at once. That bound, ${windowMs} ms, is`,
    `${percent(windowMs / r.storedLatencyMs.p50)} of this run's p50 submit → stored (${ms(r.storedLatencyMs.p50)} ms) and ${percent(windowMs / r.storedLatencyMs.p99)} of its p99 (${ms(r.storedLatencyMs.p99)} ms).`,
  ];
  if (w.count > 0) {
    lines.push(
      "Measured, from each message's first receive off the queue to the consumer's invocation with its batch (SQS's",
      'ApproximateFirstReceiveTimestamp, read where the local Lambda runtime takes the event), the median message waited',
      `${ms(w.p50)} ms in the window (${percent(w.p50 / r.storedLatencyMs.p50)} of the p50 submit → stored) and the 99th percentile ${ms(w.p99)} ms (${percent(w.p99 / r.storedLatencyMs.p99)} of the p99).`,
    );
  }
  lines.push(`The target allows ${TARGETS.p99BeyondBatchingWindowMs} ms beyond the window: p99 < ${bound} ms; measured ${ms(r.storedLatencyMs.p99)} ms (${r.storedLatencyMs.p99 < bound ? 'met' : 'missed'}).`, '');
  return lines;
}

function cpuSection(report: BenchReport): string[] {
  if (!report.cpu) return [];
  const lines = [
    '### Where the CPU goes',
    '',
    `CPU profiles of "${report.cpu.label}" run single-threaded and split (before and after the split), each sample`,
    'charged to the component whose code ran (Node internals to their nearest caller), per message triaged, one',
    'column per thread:',
    '',
    cpuTable(report),
    '',
  ];
  const one = report.cpu.runs.find((run) => run.way === 'single')?.threads[0];
  const [main, ...handlers] = report.cpu.runs.find((run) => run.way === 'split')?.threads ?? [];
  if (!one || !main || handlers.length === 0) return lines;
  type Thread = ProfiledRun['threads'][number];
  const top = (thread: Thread) => thread.shares.find((share) => share.component !== IDLE);
  const mostly = (thread: Thread) => {
    const share = top(thread);
    return share ? ` (${share.msPerMessage.toFixed(2)} ms of it in the largest component, ${share.component})` : '';
  };
  const sdkOf = (thread: Thread) => thread.shares.find((share) => share.component.startsWith('AWS SDK'))?.msPerMessage ?? 0;
  const oneBusy = threadTotals(one.shares).busy;
  const mainBusy = threadTotals(main.shares).busy;
  const handlerBusy = handlers.map((thread) => threadTotals(thread.shares).busy);
  const splitBusy = mainBusy + handlerBusy.reduce((sum, value) => sum + value, 0);
  const handlerNoun = `handler ${report.settings.handlerIsolation}`;
  const handlerWord = handlers.length === 1 ? `the ${handlerNoun}` : `the ${pluralOf(handlerNoun)}`;
  const target = TARGETS.throughputMsgsPerSecond;
  lines.push(
    `Single-threaded, a message took ${oneBusy.toFixed(2)} ms of busy CPU on the one thread${mostly(one)}. Split, it took`,
    `${mainBusy.toFixed(2)} ms on the main thread${mostly(main)} and ${handlerBusy.map((value) => value.toFixed(2)).join(' + ')} ms on ${handlerWord}${handlers.length === 1 && handlers[0] ? mostly(handlers[0]) : ''}:`,
    `${splitBusy.toFixed(2)} ms in all, ${(splitBusy / oneBusy).toFixed(2)}× the single thread's; split, every invocation crosses to its worker as JSON text, at a cost on both sides.`,
    `The AWS SDK v3 clients (middleware stack, SigV4 signing, serialising and parsing) took ${sdkOf(one).toFixed(2)} ms per message single-threaded;`,
    `split, ${sdkOf(main).toFixed(2)} ms on the main thread and ${handlers.map((thread) => sdkOf(thread).toFixed(2)).join(' + ')} ms on ${handlerWord}.`,
    `${target} msgs/s on ${report.machine.cores} cores leaves ${((report.machine.cores * 1000) / target).toFixed(1)} ms of CPU per message with every core busy, and ${(1000 / target).toFixed(1)} ms on the`,
    `busiest thread; split, the busiest thread took ${Math.max(mainBusy, ...handlerBusy).toFixed(2)} ms per message and all threads ${splitBusy.toFixed(2)} ms.`,
    '',
  );
  return lines;
}

function batchNarrative(report: BenchReport): string[] {
  const bare = report.consumerBatch.find((b) => b.mode === 'perMessage' && !b.taskLatencyMs);
  const waiting = report.consumerBatch.filter((b) => b.mode === 'perMessage' && b.taskLatencyMs > 0);
  const lines = [
    'processFeedback on a batch of 10 negative feedback (the longest path: three tasks) against a batch of one, invoked',
    "through the local Lambda runtime, median of repeated batches. On the local stack an execution is CPU on the stack's",
    'own threads, so with nothing to wait on, ten executions cost about ten times one whatever the concurrency' +
      (bare ? ` (${bare.ratio.toFixed(2)}× here, perMessage)` : '') +
      '; on AWS each task runs in its own Lambda and an execution mostly waits on the network.',
  ];
  if (waiting.length > 0) {
    lines.push(
      "The rows with latency added to each task show what the consumer's concurrency does when there is waiting to overlap: " +
        `${waiting.map((b) => `with ${b.taskLatencyMs} ms added, ten executions take ${b.ratio.toFixed(2)}× the time of one`).join('; ')} (perMessage).`,
    );
  }
  lines.push('');
  return lines;
}

/** The run well under the ceiling, when there is one besides the half-ceiling run: its latency is the batching window's. */
function calmRun(report: BenchReport): BenchReport['pipeline'][number] | undefined {
  const headlineRate = report.comparison?.split.report.options.ratePerSecond ?? Infinity;
  return report.pipeline.find((run) => run !== report.halfCeiling && run.report.options.ratePerSecond > 0 && run.report.options.ratePerSecond < headlineRate / 4);
}

/** The whole docs/BENCHMARKS.md. */
export function formatBenchMarkdown(report: BenchReport): string {
  const settings = report.settings;
  const calm = calmRun(report);
  const bundled = report.bundles.filter((b) => b.variant === 'bundled' && b.bytes > 100 * 1024);
  const external = report.bundles.filter((b) => b.variant === 'external' && bundled.some((x) => x.functionName === b.functionName));
  const meanInit = (list: typeof bundled) => list.reduce((sum, b) => sum + b.medianInitMs, 0) / Math.max(1, list.length);
  const kbRange = (values: number[]) => `${kb(Math.min(...values))}-${kb(Math.max(...values))}`;
  const warmups = [...new Set(report.pipeline.map((run) => run.report.options.warmupMessages))];
  const lines = [
    ...introduction(report),
    '## Targets',
    '',
    targetsTable(report),
    '',
    '## 1. End-to-end throughput and latency',
    '',
    'The path `npm start` runs: readers POST to the local HTTP API → submitFeedback → SQS (fauxqs) → the event source',
    `(batches of ${settings.batchSize}, a ${settings.maximumBatchingWindowSeconds} s batching window, ${settings.pollers} pollers) → processFeedback →`,
    'StartSyncExecution on the local Step Functions front → detectSentiment (Comprehend front) → storeFeedback (dynalite)',
    '→ notifyNegative (dynalite, SNS → alert inbox queue). Readers arrive at a fixed rate (open loop: a reader counts from',
    "when it was due, so a slow intake shows in the latencies). Stored = the record's `storedAt`; alert = arrival in the",
    "alert inbox (SQS `SentTimestamp`); the batching window's wait runs from a message's first receive off the queue to the",
    "consumer's invocation with its batch. Throughput = messages triaged ÷ (first submission → last record stored or alert",
    `delivered). Each run has a fresh process and a warm-up of ${warmups.map(msgs).join(' or ')} messages.`,
    '',
    pipelineTable(report),
    '',
  ];
  if (report.comparison) {
    lines.push('### Single-threaded and split', '', `"${report.comparison.label}", each way in a fresh process:`, '', comparisonTable(report), '', ...readingIt(report));
  }
  lines.push(...handoffSection(report));
  lines.push(...halfCeilingSection(report));
  if (calm) {
    lines.push(
      `At ${calm.report.options.ratePerSecond} msgs/s, p50 / p99 to stored is ${ms(calm.report.storedLatencyMs.p50)} / ${ms(calm.report.storedLatencyMs.p99)} ms, and the median message waited`,
      `${ms(calm.windowWaitMs.p50)} ms of it in the batching window: at low rates batches seldom fill, and the window holds them open.`,
      '',
    );
  }
  lines.push(...cpuSection(report));
  if (report.backlog.length > 0) {
    lines.push(
      "### A backlog under Comprehend's quota",
      '',
      "The messages are put on the queue at once and the local Comprehend enforces AWS's default request rates",
      '(token buckets, docs/QUOTAS.md); the event source runs the maximumConcurrency serverless.yml derives from the',
      'quota for the mode. The ceiling is what the quota allows: perMessage, the DetectSentiment quota (one call per',
      'message); perBatch, the BatchDetectSentiment quota times the documents per call (the batch size). Throttled calls',
      "were refused with ThrottlingException and retried (by the SDK, then by the workflow's throttling Retry).",
      '',
      backlogTable(report),
      '',
    );
  }
  lines.push(
    "## 2. The consumer's batch",
    '',
    ...batchNarrative(report),
    batchTable(report),
    '',
    '## 3. The local Step Functions front',
    '',
    'The same state functions for the same feedback mix, called directly one after another through the local Lambda',
    'runtime (detectSentiment, storeFeedback, then notifyNegative when the Choice would take it), against one',
    'StartSyncExecution through the SDK, the local front and aws-local-stepfunctions, which call them the same way.',
    'Interleaved, sequential, after a warm-up.',
    '',
    frontTable(report),
    '',
    '## 4. Cold start and bundle size',
    '',
    "Each function built with esbuild from serverless.yml's `custom.esbuild`, then loaded (`require`) in fresh Node",
    'processes with a Lambda-like environment: the median load time over repeated processes, which covers parsing the',
    "bundle and the module's top-level work (SDK clients, logger). \"SDK external\" leaves `@aws-sdk/*` out of the bundle,",
    "to be loaded from the runtime's copy (here node_modules through NODE_PATH, the way the Lambda runtime provides its own).",
    '',
    bundleTable(report),
    '',
  );
  if (bundled.length && external.length) {
    lines.push(
      `**Shipped: the SDK bundled and tree-shaken** (serverless.yml \`exclude: []\`). It loads in ${ms(meanInit(bundled))} ms on average against`,
      `${ms(meanInit(external))} ms for the external SDK: one minified file is parsed once, where the runtime's SDK is hundreds of`,
      'CommonJS files resolved and compiled one by one, and tree-shaking drops the parts of the SDK the code never',
      'reaches. It also pins the SDK version we test with, instead of whatever version the runtime carries.',
      `The bundles are ${kbRange(bundled.map((b) => b.bytes))} KB of minified JS (${kbRange(bundled.map((b) => b.zippedBytes))} KB deflated, as the table measures).`,
      'The clients in `functions/shared/clients.ts` are marked pure, so that a bundle may drop the clients its handler',
      'does not use.',
      '',
    );
  }
  lines.push(
    '## Memory per function',
    '',
    'Each bundle loaded in a fresh process and invoked repeatedly with its sample event (`events/<name>.json`) against',
    'the local stack, logging at INFO as deployed. Lambda\'s "Max Memory Used" is the process\'s resident memory, so the',
    'peak RSS is the number to size memorySize by.',
    '',
    memoryTable(report),
    '',
    ...memoryNarrative(report),
    '## 5. Cost per month',
    '',
    "From `npm run cost -- --messages-per-month N`: serverless.yml's settings and the list prices in",
    "`local/bench/aws-prices.ts` (us-east-1, as of the author's knowledge, sources listed there). Durations on AWS are",
    'stated assumptions in `local/bench/cost-model.ts` (network round trips to AWS services, which the local stack',
    'cannot measure); counts per message come from the pipeline as built (calls per message, records and index',
    'entries written, alerts).',
    '',
  );
  for (const cost of report.cost) lines.push(formatCostTable(cost), '');
  lines.push(...costNarrative(report), ...findings(report));
  return `${lines.join('\n')}\n`;
}

const lambdaDuration = (mode: ModeCost | undefined) => mode?.lines.find((line) => line.service === 'Lambda' && line.item.startsWith('duration'))?.monthlyUsd ?? 0;

function memoryNarrative(report: BenchReport): string[] {
  if (report.memory.length === 0) return [];
  const peak = Math.max(...report.memory.map((m) => m.maxRssMb));
  const working = report.memory.filter((m) => m.medianCpuMs > 0.5);
  const low = Math.min(...(working.length ? working : report.memory).map((m) => m.maxRssMb));
  const configured = Math.min(...report.memory.map((m) => m.configuredMb));
  const first = report.cost[0];
  return [
    `**memorySize.** The functions peak at ${low.toFixed(0)}-${peak.toFixed(0)} MB resident, so ${configured} MB holds each with`,
    `${(configured / peak).toFixed(1)}× headroom or more. Lambda gives CPU in proportion to memory (one vCPU at ${LAMBDA_MB_PER_VCPU} MB), so the last`,
    `column is what the CPU part of an invocation takes at the configured size: halving memory to ${configured / 2} MB would`,
    'double it, on every step of every message and on every cold start, to save GB-seconds spent waiting on AWS calls' +
      (first ? `: at most half the Lambda duration line, ${usd2(lambdaDuration(first.modes[0]) / 2)} a month at ${msgs(first.messagesPerMonth)} messages (section 5).` : '.'),
    `${configured} MB is the smallest size that keeps both memory headroom and the CPU part of each step small; nothing`,
    'measured calls for more.',
    '',
  ];
}

function costNarrative(report: BenchReport): string[] {
  const first = report.cost[0];
  const perMessage = first?.modes.find((mode) => mode.mode === 'perMessage');
  const perBatch = first?.modes.find((mode) => mode.mode === 'perBatch');
  if (!first || !perMessage || !perBatch) return [];
  const millions = first.messagesPerMonth / 1e6;
  const comprehend = perMessage.lines.filter((line) => line.service === 'Comprehend').reduce((sum, line) => sum + line.monthlyUsd, 0);
  const express = (mode: ModeCost) => mode.lines.filter((line) => line.service === 'Step Functions').reduce((sum, line) => sum + line.monthlyUsd, 0);
  const logs = (mode: ModeCost | undefined) => mode?.lines.find((line) => line.service === 'CloudWatch Logs')?.monthlyUsd ?? 0;
  const emails = perMessage.lines.find((line) => line.service === 'SNS' && line.item.startsWith('email'))?.monthlyUsd ?? 0;
  const quiet = report.costLoggingErrors[0];
  const savedByQuietLogs = (mode: ModeCost['mode']) => (logs(first.modes.find((m) => m.mode === mode)) - logs(quiet?.modes.find((m) => m.mode === mode))) / millions;
  const busy = report.cost[report.cost.length - 1];
  const busyPerMessage = busy?.modes.find((mode) => mode.mode === 'perMessage');
  const busyPerBatch = busy?.modes.find((mode) => mode.mode === 'perBatch');
  const a = first.assumptions;
  const storedBytesPerRecord = 2 * a.textChars + a.recordOverheadBytes + a.indexOverheadBytes;
  const storagePerGbMonth = PRICES.dynamodb.perGbMonthStorage + PRICES.dynamodb.perGbMonthPointInTimeRecovery;
  const lines = [
    `**Reading the cost.** Comprehend is ${percent(comprehend / perMessage.totalUsd)} of the bill at ${msgs(first.messagesPerMonth)} messages: every feedback under`,
    `${PRICES.comprehend.minimumUnits * PRICES.comprehend.charsPerUnit} characters is billed the ${PRICES.comprehend.minimumUnits}-unit minimum. Everything else together is ${usd2((perMessage.totalUsd - comprehend) / millions)} per million messages.`,
    `The per-batch mode cuts Express from ${usd2(express(perMessage))} to ${usd2(express(perBatch))} here, but only as much as batches fill: spread evenly over`,
    `the month, ${msgs(first.messagesPerMonth)} messages make ${perMessage.messagesPerBatch.toFixed(2)} per batch within the ${first.settings.maximumBatchingWindow} s window` +
      (busy && busy !== first && busyPerMessage && busyPerBatch
        ? `; at ${msgs(busy.messagesPerMonth)}, ${busyPerMessage.messagesPerBatch.toFixed(2)} per batch, and Express falls by ${percent(1 - express(busyPerBatch) / express(busyPerMessage))}.`
        : '.'),
  ];
  const levels = first.settings.machineLogLevel;
  if (levels.perBatch === 'ALL') {
    lines.push(
      'With the machines logging at level ALL, a batch execution logs its Map and Parallel events for every message, and',
      `CloudWatch Logs goes from ${usd2(logs(perMessage))} to ${usd2(logs(perBatch))}.`,
    );
  }
  if (quiet && (levels.perMessage !== 'ERROR' || levels.perBatch !== 'ERROR')) {
    lines.push(
      `Logging executions at ERROR (\`npm run cost -- --execution-log-level ERROR\`) instead of ${levels.perMessage} / ${levels.perBatch} saves ${usd2(savedByQuietLogs('perMessage'))} per million`,
      `messages in the per-message mode and ${usd2(savedByQuietLogs('perBatch'))} in the per-batch mode.`,
    );
  }
  if (emails > express(perMessage)) lines.push(`The email alerts (${usd2(emails)}) cost more than the workflow's executions (${usd2(express(perMessage))}): a digest would cut that line.`);
  lines.push(
    `Not in the table: storage grows with the data kept, about ${(storedBytesPerRecord / 1024).toFixed(1)} KB a record with its index entry (cost-model.ts's`,
    `assumptions), ${usd2(PRICES.dynamodb.perGbMonthStorage)} per GB-month (and ${usd2(PRICES.dynamodb.perGbMonthPointInTimeRecovery)} for point-in-time recovery), so each million records kept adds`,
    `about ${usd2(((storedBytesPerRecord * 1e6) / 2 ** 30) * storagePerGbMonth)} a month.`,
    '',
  );
  return lines;
}

/** What the figures above point to, each computed from this run. */
function findings(report: BenchReport): string[] {
  const items: string[] = [];
  const split = report.comparison?.split.report;
  const ceilings = split && splitCeilings(split);
  if (split && ceilings) {
    const workers = split.options.handlerWorkers ?? 1;
    const noun = `handler ${isolationOf(split)}`;
    const handlerBusy = percent(split.handlerLoop?.utilization ?? Number.NaN);
    items.push(
      ceilings.bottleneck === 'main'
        ? `- **The ceiling is the main thread.** It was busy ${percent(split.eventLoopUtilization)} at ${ceilings.mainMs.toFixed(2)} ms per message, against ${handlerBusy} for the` +
            ` ${plural(workers, noun)}: moving work off the main thread (an emulator onto a worker of its own) would raise the ceiling; more ${pluralOf(noun)} would not.`
        : `- **The ceiling is the ${workers === 1 ? noun : pluralOf(noun)}.** Busy ${handlerBusy} at ${ceilings.handlerMs.toFixed(2)} ms per message, against` +
            ` ${percent(split.eventLoopUtilization)} for the main thread: more ${pluralOf(noun)} (\`--handler-workers N\`) would raise it while cores are free.`,
    );
    const perBatch = report.pipeline.find(
      (run) =>
        run.report.options.mode === 'perBatch' &&
        wayOf(run.report.options) === 'split' &&
        run.report.options.messages === split.options.messages &&
        run.report.options.ratePerSecond === split.options.ratePerSecond,
    );
    if (perBatch) {
      items.push(
        `- **The per-batch mode** triaged ${perBatch.report.throughput.toFixed(0)} msgs/s against ${split.throughput.toFixed(0)} per message (split, ${msgs(split.options.messages)} messages):` +
          ` ${msgs(perBatch.report.executions)} executions instead of ${msgs(split.executions)}, so fewer StartSyncExecution round trips through the SDK and the front.`,
      );
    }
    const calm = calmRun(report);
    if (calm) {
      items.push(
        `- **Polling costs CPU at calm rates.** At ${calm.report.options.ratePerSecond} msgs/s the stack spent ${calm.report.cpuMsPerMessage.toFixed(1)} ms of CPU per message, ` +
          `${(calm.report.cpuMsPerMessage / split.cpuMsPerMessage).toFixed(1)}× what it spent in the headline run: inside the batching window each poller of \`local/event-source.ts\` asks again after a short sleep.`,
      );
    }
    const m = split.memory;
    items.push(
      `- **Peak memory** in the headline run${split.throughput < split.options.ratePerSecond * 0.95 ? ' grows with the backlog the queue holds while readers outpace the stack' : ''}: peak RSS ${m.peakRssMb.toFixed(0)} MB against ${m.idleRssMb.toFixed(0)} MB idle,` +
        ` the main thread's heap peaking at ${m.peakHeapMb.toFixed(0)} MB. Rested, RSS was ${m.afterRssMb.toFixed(0)} MB; with the run's records deleted, the main thread's heap was ${m.cleanedHeapMb.toFixed(0)} MB` +
        ` against ${m.idleHeapMb.toFixed(0)} MB idle, of which the Step Functions front's store of finished executions (the last 2,000 Express ones, kept by design) grew ${m.executionStoreGrowthMb.toFixed(0)} MB${leakFree(split) ? ': no leak' : ''}.`,
    );
  }
  items.push(
    '- **dynalite pins a snapshot per Scan or Query**: records updated or deleted after a scan stay in memory. The bench reads',
    "  records by key for that reason; the dashboard's queries (listFeedback) against `npm start -- --serve` will grow",
    '  memory slowly while feedback keeps arriving.',
  );
  return ['## What would move the numbers', '', "From this run's figures above:", '', ...items, ''];
}

/** The console summary of a run. */
export function formatBenchConsole(report: BenchReport): string {
  return [
    `Benchmarks, ${report.date} on ${report.machine.cpu} (${report.machine.cores} cores), Node ${report.machine.node}`,
    '',
    'End to end:',
    pipelineTable(report),
    '',
    ...(report.comparison ? ['Single-threaded and split:', comparisonTable(report), ''] : []),
    ...(report.halfCeiling ? ['At half the ceiling:', halfCeilingTable(report), ''] : []),
    ...(report.backlog.length > 0 ? ["Backlog under Comprehend's quota:", backlogTable(report), ''] : []),
    report.cpu ? `CPU per message:\n${cpuTable(report)}\n` : '',
    'Consumer batch:',
    batchTable(report),
    '',
    'Step Functions front:',
    frontTable(report),
    '',
    'Bundles and cold start:',
    bundleTable(report),
    '',
    'Memory per function:',
    memoryTable(report),
    '',
    'Targets:',
    targetsTable(report),
  ].join('\n');
}
