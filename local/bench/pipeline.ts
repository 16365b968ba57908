// End-to-end benchmark of the local pipeline, on the path `npm start` uses: the embedded local stack with
// its servers, protocols, SDK clients and handlers, fed through the HTTP intake (POST /feedback) by readers
// in a separate process. Latency runs from a reader's submission to the record's storedAt, and to the
// alert's arrival in the alert inbox (the queue subscribed to the alert topic: the team's email locally).
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { useExecutionMode } from '../execution-mode.js';
import { projectRoot, type ExecutionMode } from '../service-definition.js';
import { startLocalStack, type LocalStack } from '../stack.js';
import { waitUntilSettled } from '../triage-ledger.js';
import type { LoadPlan, LoadResult } from './load-generator.js';
import { summarize, type LatencySummary } from './stats.js';
import { LOCAL_TYPESCRIPT_LOADER } from '../loader/path.js';
import type { HandlerIsolation } from '../split/handler-workers.js';
import { processUsage } from './process-usage.js';

export interface PipelineOptions {
  messages: number;
  /** Reader arrivals per second; 0 submits as fast as the intake answers. */
  ratePerSecond: number;
  /** Reader requests in flight at most. */
  concurrency: number;
  mode: ExecutionMode;
  /** Messages sent through the whole pipeline before measuring (loads code, fills caches). */
  warmupMessages: number;
  timeoutSeconds: number;
  /** Seconds the stack rests after the run before its memory is read again (default 6). */
  restSeconds?: number;
  /**
   * Writes a CPU profile of the stack's thread during the measured run to this file (.cpuprofile), and when the
   * stack is split, one of each handler worker beside it (handlerThreadProfile).
   */
  cpuProfile?: string;
  /** Runs the stack split over both cores (LocalStackOptions.split); false runs it on one thread. */
  split?: boolean;
  /** Handler threads of the split stack (LocalStackOptions.handlerWorkers). */
  handlerWorkers?: number;
  /** Threads or processes (LocalStackOptions.handlerIsolation). */
  handlerIsolation?: HandlerIsolation;
}

export interface MemoryReport {
  /** After start-up and warm-up, after a full GC: the stack at rest. */
  idleRssMb: number;
  idleHeapMb: number;
  /** Highest RSS sampled (every 50 ms) during the run. */
  peakRssMb: number;
  /** Highest RSS of the whole process so far (the kernel's own count, start-up included). */
  processMaxRssMb: number;
  /** Highest RSS sampled of any handler process, when the handlers run in processes of their own. */
  handlerPeakRssMb?: number;
  /** Highest heap in use sampled during the run. */
  peakHeapMb: number;
  /** Once the run settled and the stack rested 6 s, after a full GC: the run's records are still in dynalite's memory. */
  afterRssMb: number;
  afterHeapMb: number;
  /** Then with the run's records deleted from the table and another rest: what a leak would leave behind. */
  cleanedRssMb: number;
  cleanedHeapMb: number;
  /**
   * What the Step Functions front's store of finished executions grew by over the run (the last 2,000 Express
   * executions and their histories, kept by design within 32 MiB): memory held on purpose, not leaked.
   */
  executionStoreGrowthMb: number;
}

export interface PipelineReport {
  options: PipelineOptions;
  accepted: number;
  refused: number;
  stored: number;
  alertsExpected: number;
  alertsReceived: number;
  /** First submission to the last record stored or alert delivered. */
  elapsedMs: number;
  /** Messages triaged per second over elapsedMs. */
  throughput: number;
  /** Arrivals per second the intake absorbed. */
  intakeRate: number;
  storedLatencyMs: LatencySummary;
  alertLatencyMs: LatencySummary;
  executions: number;
  /** Lambda invocations (every function) per message triaged. */
  invocationsPerMessage: number;
  memory: MemoryReport;
  /** CPU of the stack during the run (its process and any handler processes), per message triaged. */
  cpuMsPerMessage: number;
  /** Share of the run the stack's event loop was busy (1 = the one thread never idle). */
  eventLoopUtilization: number;
  /** Event loop busy time per message triaged, ms: one thread tops out at 1000 ÷ this. */
  loopMsPerMessage: number;
  /** The handler threads, when the stack is split: the same two measures for their event loops together. */
  handlerLoop?: { utilization: number; msPerMessage: number };
  settled: boolean;
}

const MB = 1024 * 1024;

/**
 * Batches the event source works on at once in these runs (the backlog runs use serverless.yml's caps instead): the
 * stack's own ceiling needs enough work in flight to keep both of the split stack's threads busy. With 4 its threads
 * waited on each other ~15 % of the time; the single-threaded stack is saturated either way (measured 3,000 msgs).
 */
export const BENCH_POLLERS = 8;

/** Where a split run's profile of handler thread `index` goes, beside the stack thread's. */
export const handlerThreadProfile = (file: string, index: number) => file.replace(/(\.cpuprofile)?$/, `.handlers-${index}.cpuprofile`);

/** A full garbage collection, whether or not node was started with --expose-gc. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** Runs the readers in their own process, so their HTTP client does not share the stack's thread. */
export function runLoadGenerator(plan: LoadPlan): Promise<LoadResult> {
  const child = fork(fileURLToPath(new URL('./load-generator.ts', import.meta.url)), ['--load-generator'], {
    cwd: projectRoot,
    execArgv: ['--import', LOCAL_TYPESCRIPT_LOADER],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (answer: { result?: LoadResult; error?: string }) => {
      if (answer.result) resolve(answer.result);
      else reject(new Error(`load generator failed: ${answer.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(plan);
  });
}

interface InboxAlert {
  feedbackId: string;
  arrivedAt: number;
}

/** Takes every alert off the alert inbox, with the time it arrived there. */
async function takeInbox(stack: LocalStack): Promise<InboxAlert[]> {
  const alerts: InboxAlert[] = [];
  for (;;) {
    const { Messages = [] } = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.resources.alertInboxQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    if (Messages.length === 0) return alerts;
    for (const message of Messages) {
      const envelope = JSON.parse(message.Body ?? '{}') as { MessageAttributes?: Record<string, { Value?: string }> };
      alerts.push({ feedbackId: envelope.MessageAttributes?.feedbackId?.Value ?? '', arrivedAt: Number(message.Attributes?.SentTimestamp) });
    }
    await stack.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: stack.resources.alertInboxQueueUrl,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
}

interface StoredTimes {
  feedbackId: string;
  storedAt: string;
  alertStatus: string;
}

/**
 * The records of these feedback, read by key (BatchGetItem). Not a Scan: dynalite keeps the snapshot a scan
 * iterates over alive, which would hold on to every record the scan saw and spoil the memory measurement.
 */
async function storedTimes(stack: LocalStack, feedbackIds: string[]): Promise<StoredTimes[]> {
  const documents = DynamoDBDocumentClient.from(stack.clients.dynamodb);
  const table = stack.resources.feedbackTable;
  const items: StoredTimes[] = [];
  for (let start = 0; start < feedbackIds.length; start += 100) {
    let keys: Array<Record<string, unknown>> | undefined = feedbackIds.slice(start, start + 100).map((feedbackId) => ({ feedbackId }));
    while (keys?.length) {
      const page: BatchGetCommandOutput = await documents.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ProjectionExpression: 'feedbackId, storedAt, alertStatus' } } }),
      );
      items.push(...((page.Responses?.[table] ?? []) as StoredTimes[]));
      keys = page.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return items;
}

/** Deletes these records, so the memory left afterwards is not the run's data. */
async function deleteRecords(stack: LocalStack, feedbackIds: string[]): Promise<void> {
  const documents = DynamoDBDocumentClient.from(stack.clients.dynamodb);
  for (let start = 0; start < feedbackIds.length; start += 25) {
    let requests: Record<string, unknown>[] | undefined = feedbackIds.slice(start, start + 25).map((feedbackId) => ({ DeleteRequest: { Key: { feedbackId } } }));
    while (requests?.length) {
      const { UnprocessedItems } = await documents.send(new BatchWriteCommand({ RequestItems: { [stack.resources.feedbackTable]: requests } }));
      requests = UnprocessedItems?.[stack.resources.feedbackTable] as Record<string, unknown>[] | undefined;
    }
  }
}

export async function runPipelineBench(options: PipelineOptions, onProgress?: (line: string) => void): Promise<PipelineReport> {
  // The same stack `npm start` runs (its defaults, the handlers' log level at ERROR).
  // The stack's own ceiling: no Comprehend quota, and BENCH_POLLERS batches in flight
  // (the backlog scenarios, local/bench/backlog.ts, run under the quota and its concurrency caps).
  const stack = await startLocalStack({ logLevel: 'ERROR', comprehendRequestsPerSecond: {}, pollerConcurrency: BENCH_POLLERS, split: options.split, handlerWorkers: options.handlerWorkers, handlerIsolation: options.handlerIsolation });
  try {
    if (options.mode !== 'perMessage') await useExecutionMode(stack, options.mode);
    const warmupIds: string[] = [];
    if (options.warmupMessages > 0) {
      const warmup = await runLoadGenerator({ url: stack.httpUrl, messages: options.warmupMessages, ratePerSecond: 0, concurrency: 16, bookPrefix: 'warmup' });
      warmupIds.push(...warmup.submissions.flatMap((s) => (s.feedbackId ? [s.feedbackId] : [])));
      await waitUntilSettled(stack, { timeoutMs: options.timeoutSeconds * 1000 });
      await takeInbox(stack);
    }
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const idle = process.memoryUsage();
    const executionStoreIdle = stack.stepFunctions.stats().retainedBytes;
    let peakRss = idle.rss;
    let peakHeap = idle.heapUsed;
    let samples = 0;
    // The handler processes, when the handlers run in processes of their own: each one's peak, and their CPU.
    const handlerPids = stack.handlerWorkers?.processIds() ?? [];
    const handlerUsage = () => handlerPids.map((pid) => processUsage(pid) ?? { cpuMs: 0, rssBytes: 0 });
    let handlerPeakRss = Math.max(0, ...handlerUsage().map((usage) => usage.rssBytes));
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      handlerPeakRss = Math.max(handlerPeakRss, ...handlerUsage().map((usage) => usage.rssBytes));
      // The heap walk costs more than the RSS read: every fifth sample.
      if (++samples % 5 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 50);
    const executionsBefore = stack.stepFunctions.stats().started;
    const invocationCount = () => [...stack.runtime.stats.values()].reduce((sum, stats) => sum + stats.invocations, 0);
    const invocationsBefore = invocationCount();
    const profiler = options.cpuProfile ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    if (profiler) await stack.handlerWorkers?.startProfile();
    const cpuBefore = process.cpuUsage();
    const handlerCpuBefore = handlerUsage().reduce((sum, usage) => sum + usage.cpuMs, 0);
    const eluBefore = performance.eventLoopUtilization();
    const handlerEluBefore = await stack.handlerWorkers?.eventLoopUtilization();

    const load = await runLoadGenerator({
      url: stack.httpUrl,
      messages: options.messages,
      ratePerSecond: options.ratePerSecond,
      concurrency: options.concurrency,
      bookPrefix: 'bench',
    });
    onProgress?.(`submitted ${options.messages} in ${(load.elapsedMs / 1000).toFixed(1)} s; waiting for the pipeline to settle`);
    const settled = await waitUntilSettled(stack, { timeoutMs: options.timeoutSeconds * 1000 });
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const cpu = process.cpuUsage(cpuBefore);
    const handlerCpuMs = handlerUsage().reduce((sum, usage) => sum + usage.cpuMs, 0) - handlerCpuBefore;
    const elu = performance.eventLoopUtilization(eluBefore);
    const handlerElu = handlerEluBefore && await stack.handlerWorkers?.eventLoopUtilization(handlerEluBefore);
    const executions = stack.stepFunctions.stats().started - executionsBefore;
    const invocations = invocationCount() - invocationsBefore;
    if (profiler && options.cpuProfile) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(options.cpuProfile, JSON.stringify(profile));
      profiler.disconnect();
      if (stack.handlerWorkers) (await stack.handlerWorkers.stopProfile()).forEach((threadProfile, index) => writeFileSync(handlerThreadProfile(options.cpuProfile as string, index), threadProfile));
    }

    const accepted = load.submissions.filter((s) => s.status === 202 && s.feedbackId);
    const submittedAt = new Map(accepted.map((s) => [s.feedbackId as string, s.submittedAt]));
    const records = await storedTimes(stack, [...submittedAt.keys()]);
    const inbox = new Map((await takeInbox(stack)).map((alert) => [alert.feedbackId, alert.arrivedAt]));
    const storedLatency: number[] = [];
    const alertLatency: number[] = [];
    let alertsExpected = 0;
    let lastDone = 0;
    for (const record of records) {
      const start = submittedAt.get(record.feedbackId) as number;
      const stored = Date.parse(record.storedAt);
      storedLatency.push(stored - start);
      let done = stored;
      if (record.alertStatus !== 'NOT_REQUIRED') {
        alertsExpected++;
        const arrived = inbox.get(record.feedbackId);
        if (arrived !== undefined) {
          alertLatency.push(arrived - start);
          done = Math.max(done, arrived);
        }
      }
      lastDone = Math.max(lastDone, done);
    }
    const firstSubmitted = Math.min(...accepted.map((s) => s.submittedAt));
    const elapsedMs = lastDone - firstSubmitted;
    // At rest again: V8 gives back the heap it grew under load a few seconds after the work stops.
    const rest = async () => {
      for (let rested = 0; rested < (options.restSeconds ?? 6); rested += 2) {
        collectGarbage();
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
      collectGarbage();
      return process.memoryUsage();
    };
    const after = await rest();
    // Without the run's data (dynalite keeps every record in this process's memory): what stays is a leak.
    await deleteRecords(stack, [...warmupIds, ...submittedAt.keys()]);
    const cleaned = await rest();
    const executionStoreGrowth = stack.stepFunctions.stats().retainedBytes - executionStoreIdle;
    return {
      options,
      accepted: accepted.length,
      refused: load.submissions.length - accepted.length,
      stored: records.length,
      alertsExpected,
      alertsReceived: alertLatency.length,
      elapsedMs,
      throughput: (records.length * 1000) / elapsedMs,
      intakeRate: load.achievedRate,
      storedLatencyMs: summarize(storedLatency),
      alertLatencyMs: summarize(alertLatency),
      executions,
      invocationsPerMessage: invocations / Math.max(1, records.length),
      memory: {
        idleRssMb: idle.rss / MB,
        idleHeapMb: idle.heapUsed / MB,
        peakRssMb: peakRss / MB,
        processMaxRssMb: process.resourceUsage().maxRSS / 1024,
        ...(handlerPids.length > 0 ? { handlerPeakRssMb: handlerPeakRss / MB } : {}),
        peakHeapMb: peakHeap / MB,
        afterRssMb: after.rss / MB,
        afterHeapMb: after.heapUsed / MB,
        cleanedRssMb: cleaned.rss / MB,
        cleanedHeapMb: cleaned.heapUsed / MB,
        executionStoreGrowthMb: Math.max(0, executionStoreGrowth) / MB,
      },
      cpuMsPerMessage: ((cpu.user + cpu.system) / 1000 + handlerCpuMs) / Math.max(1, records.length),
      eventLoopUtilization: elu.utilization,
      loopMsPerMessage: elu.active / Math.max(1, records.length),
      ...(handlerElu ? { handlerLoop: { utilization: handlerElu.utilization, msPerMessage: handlerElu.active / Math.max(1, records.length) } } : {}),
      settled: settled.settled,
    };
  } finally {
    await stack.stop();
  }
}
