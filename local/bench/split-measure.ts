// One measured pipeline run from the command line, with its CPU breakdown, to compare the single-process stack
// with the split one: `node --import ./local/loader/register.mjs local/bench/split-measure.ts --messages 2000 [--split] [--profile]`.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { handlerThreadProfile, runPipelineBench } from './pipeline.js';
import { cpuBreakdown, readProfile } from './profile.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '500' },
    profile: { type: 'boolean', default: false },
    split: { type: 'boolean', default: false },
    'handler-workers': { type: 'string', default: '1' },
    isolation: { type: 'string' },
    /** Loads the document handlers' PDF module first, so its core-js builtins stay: the stack as it was before. */
    'polyfilled-builtins': { type: 'boolean', default: false },
  },
});
if (values['polyfilled-builtins']) await import('../../functions/document-moderation/shared/pdf.js');
const messages = Number(values.messages);
const file = values.profile ? join(tmpdir(), `feedback-triage-measure-${process.pid}.cpuprofile`) : undefined;
const report = await runPipelineBench(
  { messages, ratePerSecond: Number(values.rate), concurrency: 256, mode: 'perMessage', warmupMessages: 200, timeoutSeconds: 600, restSeconds: 2, cpuProfile: file, split: values.split, handlerWorkers: Number(values['handler-workers']), handlerIsolation: values.isolation as 'thread' | 'process' | undefined },
  (line) => console.log(line),
);
console.log(
  JSON.stringify({
    accepted: report.accepted,
    refused: report.refused,
    stored: report.stored,
    executions: report.executions,
    alerts: `${report.alertsReceived}/${report.alertsExpected}`,
    throughput: Number(report.throughput.toFixed(1)),
    cpuMsPerMessage: Number(report.cpuMsPerMessage.toFixed(2)),
    loopMsPerMessage: Number(report.loopMsPerMessage.toFixed(2)),
    handlerLoop: report.handlerLoop && { utilization: Number(report.handlerLoop.utilization.toFixed(3)), msPerMessage: Number(report.handlerLoop.msPerMessage.toFixed(2)) },
    eventLoopUtilization: Number(report.eventLoopUtilization.toFixed(3)),
    peakRssMb: Math.round(report.memory.peakRssMb),
    handlerPeakRssMb: report.memory.handlerPeakRssMb && Math.round(report.memory.handlerPeakRssMb),
    p99StoredMs: Math.round(report.storedLatencyMs.p99),
    settled: report.settled,
  }),
);
if (file) {
  const threads = values.split ? Number(values['handler-workers']) : 0;
  const profiles: Array<[string, string]> = [['stack', file], ...Array.from({ length: threads }, (_, index): [string, string] => [`handlers ${index}`, handlerThreadProfile(file, index)])];
  for (const [thread, profile] of profiles) {
    console.log(`\n${thread} thread\n| component | ms/msg | share |\n|---|---:|---:|`);
    for (const share of cpuBreakdown(readProfile(profile), report.stored)) {
      console.log(`| ${share.component} | ${share.msPerMessage.toFixed(3)} | ${(share.share * 100).toFixed(1)} % |`);
    }
  }
}
process.exit(0);
