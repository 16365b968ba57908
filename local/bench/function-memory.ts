// Memory each function really uses: its bundle loaded in a fresh process, as Lambda runs it, invoked
// repeatedly with its sample event against the local stack. Lambda's "Max Memory Used" is the process's
// resident memory; this reports the same (the kernel's peak RSS of the process), with the heap and the
// warm invocation times beside it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceDefinition } from '../service-definition.js';
import { projectRoot } from '../service-definition.js';
import type { LocalStack } from '../stack.js';
import { lambdaLikeEnvironment } from './cold-start.js';
import { median, percentile } from './stats.js';

export interface FunctionMemory {
  functionName: string;
  configuredMb: number;
  invocations: number;
  errors: number;
  /** Peak resident memory of the function's process (what Lambda reports as Max Memory Used). */
  maxRssMb: number;
  heapUsedMb: number;
  /** Warm invocation time on this machine (one full core, loopback services), ms. */
  medianInvokeMs: number;
  p99InvokeMs: number;
  /** CPU time of one warm invocation on this machine's one core (the handler and its SDK calls, not the services). */
  medianCpuMs: number;
}

const MEMORY_PROBE = `
const { handler } = { handler: require(process.env.BUNDLE)[process.env.HANDLER_EXPORT] };
const event = JSON.parse(process.env.EVENT);
const invocations = Number(process.env.INVOCATIONS);
const context = () => ({
  callbackWaitsForEmptyEventLoop: true, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, awsRequestId: crypto.randomUUID(), logGroupName: 'bench', logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30000, done() {}, fail() {}, succeed() {},
});
(async () => {
  const times = [];
  const cpu = [];
  let errors = 0;
  for (let i = 0; i < invocations; i++) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    try { await handler(structuredClone(event), context()); } catch { errors++; }
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
    times.push(performance.now() - started);
  }
  const usage = process.memoryUsage();
  // VmHWM, not resourceUsage().maxRSS: Linux carries ru_maxrss over fork and exec, so the bench's own size would show.
  const hwm = /VmHWM:\\s+(\\d+) kB/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'));
  process.stdout.write(JSON.stringify({ times, cpu, errors, maxRssKb: hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS, heapUsed: usage.heapUsed }));
})();
`;

/** The sample event of a function (events/<name>.json), if it has one. */
export function sampleEventOf(functionName: string): unknown {
  const file = join(projectRoot, 'events', `${functionName}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

export async function measureFunctionMemory(
  service: ServiceDefinition,
  stack: LocalStack,
  functionName: string,
  bundle: string,
  invocations: number,
): Promise<FunctionMemory | undefined> {
  const event = sampleEventOf(functionName);
  const fn = service.functions[functionName];
  if (event === undefined || !fn) return undefined;
  const env = {
    ...lambdaLikeEnvironment(service, functionName),
    ...stack.environment,
    // What the function logs in production; written to /dev/null here.
    POWERTOOLS_LOG_LEVEL: 'INFO',
    BUNDLE: bundle,
    HANDLER_EXPORT: fn.exportName,
    EVENT: JSON.stringify(event),
    INVOCATIONS: String(invocations),
  };
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', MEMORY_PROBE], { env, cwd: tmpdir(), maxBuffer: 64 * 1024 * 1024 });
  // The handlers log one JSON line per step to stdout, as on Lambda; the probe's answer is the last line.
  const answer = JSON.parse(stdout.slice(stdout.lastIndexOf('{"times"'))) as { times: number[]; cpu: number[]; errors: number; maxRssKb: number; heapUsed: number };
  return {
    functionName,
    configuredMb: fn.memorySize,
    invocations,
    errors: answer.errors,
    maxRssMb: answer.maxRssKb / 1024,
    heapUsedMb: answer.heapUsed / 1024 / 1024,
    medianInvokeMs: median(answer.times),
    p99InvokeMs: percentile(answer.times, 99),
    medianCpuMs: median(answer.cpu),
  };
}
