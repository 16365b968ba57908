// Monthly cost of the deployed pipeline for a number of messages, in both execution modes, from the real
// settings of serverless.yml (each function's memory, the batch size and batching window, the timeouts as
// bounds) and the prices in aws-prices.ts. What AWS does not publish as a price (how long a call to
// Comprehend takes, how many bytes a log line has) is a stated assumption below, so it can be argued with.
import { PRICES, PRICES_AS_OF, PRICES_REGION, tieredCost } from './aws-prices.js';
import type { ExecutionMode, ServiceDefinition } from '../service-definition.js';

export interface CostAssumptions {
  /** Share of feedback that is alerted (NEGATIVE, or MIXED leaning negative). */
  negativeShare: number;
  /** Mean characters of feedback text (Comprehend bills 100-character units, 3 at least). */
  textChars: number;
  /** Duration of each state function on AWS, ms: its own CPU plus its calls to AWS services in the region. */
  functionMs: { submitFeedback: number; detectSentiment: number; storeFeedback: number; notifyNegative: number };
  /**
   * What sentimentLanguage auto adds to detectSentiment's duration, ms: the DetectDominantLanguage round trip before
   * DetectSentiment (per batch, BatchDetectDominantLanguage's share per message, counted the same for simplicity).
   */
  languageDetectionMs: number;
  /** What Step Functions adds to each Task that invokes a Lambda function synchronously, ms. */
  taskOverheadMs: number;
  /** What a Map iteration (and its Parallel wrapper) adds in per-batch mode, ms. */
  mapItemOverheadMs: number;
  /** The consumer's own time per batch on top of its executions (reading, StartSyncExecution round trip), ms. */
  consumerOverheadMs: number;
  /** Express memory billed per execution (the local front reports 64 MB for these payloads). */
  expressMemoryMb: number;
  /** Bytes of one stored record beyond its text, and of its index entry beyond the text. */
  recordOverheadBytes: number;
  indexOverheadBytes: number;
  /** CloudWatch Logs bytes per message: Lambda START/END/REPORT and INFO lines, and Express execution events at level ALL. */
  lambdaLogBytesPerInvocation: number;
  handlerLogBytesPerMessage: number;
  expressLogBytesPerMessage: Record<ExecutionMode, number>;
  /** Lambda's SQS event source keeps this many long polls (20 s each) open on the queue. */
  eventSourcePollers: number;
  /** Overrides the computed messages per batch (arrivals spread evenly over the month). */
  messagesPerBatch?: number;
  /** Overrides the state machines' loggingConfig.level (ALL, ERROR, FATAL, OFF), to see what logging costs. */
  executionLogLevel?: string;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  // events/sample-feedback.jsonl: 6 of the 17 stored feedback are alerted.
  negativeShare: 6 / 17,
  // The sample's texts average ~90 characters; any text up to 300 characters is billed 3 units anyway.
  textChars: 120,
  functionMs: { submitFeedback: 25, detectSentiment: 60, storeFeedback: 15, notifyNegative: 50 },
  languageDetectionMs: 30,
  taskOverheadMs: 25,
  mapItemOverheadMs: 10,
  consumerOverheadMs: 20,
  expressMemoryMb: 64,
  recordOverheadBytes: 420,
  indexOverheadBytes: 330,
  lambdaLogBytesPerInvocation: 350,
  handlerLogBytesPerMessage: 5 * 450,
  // ~18 events of ~350 bytes per execution; per batch, Map and Parallel add ~7 events per message.
  expressLogBytesPerMessage: { perMessage: 18 * 350, perBatch: 25 * 350 },
  eventSourcePollers: 5,
};

export interface CostLine {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  monthlyUsd: number;
}

export interface ModeCost {
  mode: ExecutionMode;
  messagesPerBatch: number;
  executions: number;
  lines: CostLine[];
  totalUsd: number;
  perMillionUsd: number;
}

export interface CostReport {
  messagesPerMonth: number;
  assumptions: CostAssumptions;
  settings: {
    batchSize: number;
    maximumBatchingWindow: number;
    memoryMb: Record<string, number>;
    timeoutSeconds: Record<string, number>;
    /** The handlers' POWERTOOLS_LOG_LEVEL and each mode's state machine loggingConfig.level. */
    functionLogLevel: string;
    machineLogLevel: Record<ExecutionMode, string>;
    /** detectSentiment's SENTIMENT_LANGUAGE: a language code, or auto (one more Comprehend call per message). */
    sentimentLanguage: string;
  };
  modes: ModeCost[];
  pricesAsOf: string;
  region: string;
}

const SECONDS_PER_MONTH = 30 * 24 * 3600;

/** Mean messages per batch when arrivals are even (Poisson): the window opens on the first and fills until batchSize. */
export function expectedBatchSize(messagesPerMonth: number, batchSize: number, windowSeconds: number): number {
  const expected = (messagesPerMonth / SECONDS_PER_MONTH) * windowSeconds;
  let mean = 0;
  let probability = Math.exp(-expected);
  let cumulative = 0;
  for (let k = 0; k < batchSize - 1; k++) {
    mean += k * probability;
    cumulative += probability;
    probability *= expected / (k + 1);
  }
  return 1 + mean + (batchSize - 1) * (1 - cumulative);
}

const ceilTo = (value: number, step: number) => Math.ceil(value / step) * step;

/** Distribution of batch sizes (for the per-batch execution duration, which depends on what is in the batch). */
function batchSizeDistribution(messagesPerMonth: number, batchSize: number, windowSeconds: number): Array<[number, number]> {
  const expected = (messagesPerMonth / SECONDS_PER_MONTH) * windowSeconds;
  const sizes: Array<[number, number]> = [];
  let probability = Math.exp(-expected);
  let cumulative = 0;
  for (let k = 0; k < batchSize - 1; k++) {
    sizes.push([k + 1, probability]);
    cumulative += probability;
    probability *= expected / (k + 1);
  }
  sizes.push([batchSize, Math.max(0, 1 - cumulative)]);
  return sizes;
}

type Json = Record<string, unknown>;

/** The loggingConfig level of the machine a mode's consumer starts (custom.refs.<mode>StateMachineArn). */
function machineLogLevel(service: ServiceDefinition, mode: ExecutionMode): string {
  const raw = service.raw as Json;
  const logicalId = ((raw.custom as Json)?.refs as Record<string, { Ref?: string }> | undefined)?.[`${mode}StateMachineArn`]?.Ref;
  const key = logicalId ? service.stateMachines[logicalId]?.key : undefined;
  const machines = ((raw.stepFunctions as Json)?.stateMachines ?? {}) as Record<string, { loggingConfig?: { level?: string } }>;
  return (key ? machines[key]?.loggingConfig?.level : undefined) ?? 'OFF';
}

export function costModel(service: ServiceDefinition, messagesPerMonth: number, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS): CostReport {
  const { batchSize, maximumBatchingWindow } = service.triage;
  const functionLogLevel = String(((service.raw as Json).provider as Json & { environment?: Json })?.environment?.POWERTOOLS_LOG_LEVEL ?? 'INFO').toUpperCase();
  const handlerLinesLogged = functionLogLevel === 'DEBUG' || functionLogLevel === 'INFO';
  const override = assumptions.executionLogLevel?.toUpperCase();
  const levels = { perMessage: override ?? machineLogLevel(service, 'perMessage'), perBatch: override ?? machineLogLevel(service, 'perBatch') };
  const memoryMb = Object.fromEntries(Object.entries(service.functions).map(([name, fn]) => [name, fn.memorySize]));
  const timeoutSeconds = Object.fromEntries(Object.entries(service.functions).map(([name, fn]) => [name, fn.timeoutSeconds]));
  const a = assumptions;
  const p = a.negativeShare;
  const M = messagesPerMonth;
  for (const [name, ms] of Object.entries(a.functionMs)) {
    if (ms > (timeoutSeconds[name] ?? Infinity) * 1000) throw new Error(`assumed duration of ${name} (${ms} ms) passes its timeout`);
  }
  const sentimentLanguage = String(service.functions.detectSentiment?.environment.SENTIMENT_LANGUAGE ?? 'en');
  const detectsLanguage = sentimentLanguage === 'auto';
  const fnMs = { ...a.functionMs, detectSentiment: a.functionMs.detectSentiment + (detectsLanguage ? a.languageDetectionMs : 0) };
  if (fnMs.detectSentiment > (timeoutSeconds.detectSentiment ?? Infinity) * 1000) throw new Error(`assumed duration of detectSentiment (${fnMs.detectSentiment} ms) passes its timeout`);
  const pathMs = {
    calm: fnMs.detectSentiment + fnMs.storeFeedback + 2 * a.taskOverheadMs,
    alerted: fnMs.detectSentiment + fnMs.storeFeedback + fnMs.notifyNegative + 3 * a.taskOverheadMs,
  };
  const gbOf = (mb: number) => mb / 1024;
  const lambdaGbSeconds = (fn: string, invocations: number, ms: number) =>
    invocations * gbOf(memoryMb[fn] ?? 1024) * (ceilTo(ms, PRICES.lambda.durationStepMs) / 1000);
  const expressMemoryGb = gbOf(ceilTo(a.expressMemoryMb, PRICES.stepFunctionsExpress.memoryStepMb));
  const expressStep = PRICES.stepFunctionsExpress.durationStepMs;
  const textBytes = a.textChars; // ASCII-dominated text; DynamoDB sizes strings in UTF-8 bytes
  const recordKb = Math.ceil((textBytes + a.recordOverheadBytes) / 1024);
  const indexKb = Math.ceil((textBytes + a.indexOverheadBytes) / 1024);
  const comprehendUnits = Math.max(PRICES.comprehend.minimumUnits, Math.ceil(a.textChars / PRICES.comprehend.charsPerUnit));
  const pollRequests = a.eventSourcePollers * (SECONDS_PER_MONTH / 20);

  const modes = (['perMessage', 'perBatch'] as const).map((mode): ModeCost => {
    const perBatchSize = a.messagesPerBatch ?? expectedBatchSize(M, batchSize, maximumBatchingWindow);
    const batches = M / perBatchSize;
    let executions: number;
    let expressGbSeconds: number;
    let executionMs: number;
    if (mode === 'perMessage') {
      executions = M;
      expressGbSeconds = M * expressMemoryGb * ((1 - p) * ceilTo(pathMs.calm, expressStep) + p * ceilTo(pathMs.alerted, expressStep)) / 1000;
      executionMs = (1 - p) * pathMs.calm + p * pathMs.alerted;
    } else {
      executions = batches;
      const sizes = a.messagesPerBatch
        ? ([[Math.round(a.messagesPerBatch), 1]] as Array<[number, number]>)
        : batchSizeDistribution(M, batchSize, maximumBatchingWindow);
      let billedMs = 0;
      let meanMs = 0;
      for (const [size, probability] of sizes) {
        const anyAlerted = 1 - (1 - p) ** size;
        const calm = pathMs.calm + a.mapItemOverheadMs;
        const alerted = pathMs.alerted + a.mapItemOverheadMs;
        billedMs += probability * ((1 - anyAlerted) * ceilTo(calm, expressStep) + anyAlerted * ceilTo(alerted, expressStep));
        meanMs += probability * ((1 - anyAlerted) * calm + anyAlerted * alerted);
      }
      expressGbSeconds = executions * expressMemoryGb * (billedMs / 1000);
      executionMs = meanMs;
    }
    // The consumer waits for its slowest execution: about one execution, the batch's run concurrently.
    const consumerMs = executionMs + a.consumerOverheadMs;
    const lambdaInvocations = {
      submitFeedback: M,
      processFeedback: batches,
      detectSentiment: M,
      storeFeedback: M,
      notifyNegative: M * p,
    };
    const invocations = Object.values(lambdaInvocations).reduce((sum, n) => sum + n, 0);
    const gbSeconds =
      lambdaGbSeconds('submitFeedback', M, fnMs.submitFeedback) +
      lambdaGbSeconds('processFeedback', batches, consumerMs) +
      lambdaGbSeconds('detectSentiment', M, fnMs.detectSentiment) +
      lambdaGbSeconds('storeFeedback', M, fnMs.storeFeedback) +
      lambdaGbSeconds('notifyNegative', M * p, fnMs.notifyNegative);
    const writeUnits = M * (recordKb + indexKb) + M * p * 2 * (recordKb + indexKb);
    const sqsRequests = M + 2 * batches + pollRequests;
    // Handler lines only at INFO or DEBUG; execution events only at level ALL (ERROR and FATAL log failures only).
    const logBytes =
      invocations * a.lambdaLogBytesPerInvocation +
      M * ((handlerLinesLogged ? a.handlerLogBytesPerMessage : 0) + (levels[mode] === 'ALL' ? a.expressLogBytesPerMessage[mode] : 0));
    const lines: CostLine[] = [
      { service: 'API Gateway', item: 'HTTP API requests (POST /feedback)', quantity: M, unit: 'requests', monthlyUsd: tieredCost(M, PRICES.httpApi.perRequest) },
      { service: 'SQS', item: 'SendMessage, event source receives and deletes, idle long polls', quantity: sqsRequests, unit: 'requests', monthlyUsd: sqsRequests * PRICES.sqs.perRequest },
      { service: 'Lambda', item: 'requests (5 functions)', quantity: invocations, unit: 'requests', monthlyUsd: invocations * PRICES.lambda.perRequest },
      { service: 'Lambda', item: 'duration, arm64, memory from serverless.yml', quantity: gbSeconds, unit: 'GB-s', monthlyUsd: tieredCost(gbSeconds, PRICES.lambda.perGbSecondArm64) },
      { service: 'Step Functions', item: 'Express requests (executions)', quantity: executions, unit: 'requests', monthlyUsd: executions * PRICES.stepFunctionsExpress.perRequest },
      { service: 'Step Functions', item: `Express duration (${a.expressMemoryMb} MB steps, 100 ms steps)`, quantity: expressGbSeconds, unit: 'GB-s', monthlyUsd: tieredCost(expressGbSeconds, PRICES.stepFunctionsExpress.perGbSecond) },
      { service: 'Comprehend', item: `DetectSentiment (${comprehendUnits} units of 100 chars per message)`, quantity: M * comprehendUnits, unit: 'units', monthlyUsd: tieredCost(M * comprehendUnits, PRICES.comprehend.perUnit) },
      // sentimentLanguage auto: the same text goes to DetectDominantLanguage first (per batch, each document of a
      // BatchDetectDominantLanguage call is billed as one request); its own tiers, see PRICES.comprehendLanguage.
      ...(detectsLanguage
        ? [{ service: 'Comprehend', item: `DetectDominantLanguage (sentimentLanguage auto, ${comprehendUnits} units per message)`, quantity: M * comprehendUnits, unit: 'units', monthlyUsd: tieredCost(M * comprehendUnits, PRICES.comprehendLanguage.perUnit) }]
        : []),
      { service: 'DynamoDB', item: `on-demand writes (${recordKb}+${indexKb} WRU a record, 2 updates per alert)`, quantity: writeUnits, unit: 'WRU', monthlyUsd: writeUnits * PRICES.dynamodb.perWriteRequestUnit },
      { service: 'SNS', item: 'Publish (alerts)', quantity: M * p, unit: 'requests', monthlyUsd: M * p * PRICES.sns.perPublish },
      { service: 'SNS', item: 'email deliveries (1 subscriber)', quantity: M * p, unit: 'emails', monthlyUsd: M * p * PRICES.sns.perEmail },
      { service: 'CloudWatch Logs', item: `ingestion (estimate; handlers at ${functionLogLevel}, executions at ${levels[mode]})`, quantity: logBytes / 2 ** 30, unit: 'GB', monthlyUsd: (logBytes / 2 ** 30) * PRICES.cloudwatchLogs.perGbIngested },
      { service: 'KMS', item: 'topic key', quantity: 1, unit: 'key-month', monthlyUsd: PRICES.kms.perKeyMonth },
    ];
    const totalUsd = lines.reduce((sum, line) => sum + line.monthlyUsd, 0);
    return { mode, messagesPerBatch: perBatchSize, executions, lines, totalUsd, perMillionUsd: (totalUsd / M) * 1e6 };
  });
  return {
    messagesPerMonth: M,
    assumptions,
    settings: { batchSize, maximumBatchingWindow, memoryMb, timeoutSeconds, functionLogLevel, machineLogLevel: levels, sentimentLanguage },
    modes,
    pricesAsOf: PRICES_AS_OF,
    region: PRICES_REGION,
  };
}

const usd = (value: number) => (value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`);
const quantity = (value: number) =>
  value >= 1e6 ? `${(value / 1e6).toFixed(2)} M` : value >= 1e3 ? `${(value / 1e3).toFixed(1)} k` : value >= 10 ? value.toFixed(0) : value.toFixed(2);

export function formatCostTable(report: CostReport): string {
  const [perMessage, perBatch] = report.modes as [ModeCost, ModeCost];
  const rows = perMessage.lines.map((line, index) => {
    const other = perBatch.lines[index] as CostLine;
    return `| ${line.service} | ${line.item} | ${quantity(line.quantity)} ${line.unit} | ${usd(line.monthlyUsd)} | ${quantity(other.quantity)} ${other.unit} | ${usd(other.monthlyUsd)} |`;
  });
  const m = report.messagesPerMonth;
  return [
    `Cost per month for ${m.toLocaleString('en-US')} messages (${report.region}, list prices as known to the author in ${report.pricesAsOf}, not fetched live; free tiers not counted).`,
    `Settings from serverless.yml: batch size ${report.settings.batchSize}, batching window ${report.settings.maximumBatchingWindow} s, ` +
      `memory ${Object.entries(report.settings.memoryMb).map(([fn, mb]) => `${fn} ${mb} MB`).join(', ')}; ` +
      `handlers log at ${report.settings.functionLogLevel}, executions at ${report.settings.machineLogLevel.perMessage} (per message) and ${report.settings.machineLogLevel.perBatch} (per batch); ` +
      `sentiment language ${report.settings.sentimentLanguage}${report.settings.sentimentLanguage === 'auto' ? ' (DetectDominantLanguage first, its own line)' : ''}.`,
    `Messages per batch: ${perMessage.messagesPerBatch.toFixed(2)} (arrivals spread evenly over the month; bursts fill batches more).`,
    '',
    '| service | what | perMessage: quantity | perMessage: $/month | perBatch: quantity | perBatch: $/month |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
    `| **total** | | | **${usd(perMessage.totalUsd)}** | | **${usd(perBatch.totalUsd)}** |`,
    `| per million messages | | | ${usd(perMessage.perMillionUsd)} | | ${usd(perBatch.perMillionUsd)} |`,
  ].join('\n');
}
