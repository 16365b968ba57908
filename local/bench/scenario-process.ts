// One pipeline scenario in a process of its own, so each starts from a fresh stack and its memory is its
// own. Forked by bench.ts with the options as a message; answers with the report and the batching window's waits.
import { watchBatchingWindow } from './batching-window.js';
import { runPipelineBench, type PipelineOptions, type PipelineReport } from './pipeline.js';
import { summarize, type LatencySummary } from './stats.js';

export type ScenarioAnswer = { report: PipelineReport; windowWaitMs: LatencySummary } | { error: string } | { progress: string };

if (process.send && process.argv.includes('--scenario')) {
  process.once('message', (options: PipelineOptions) => {
    // The measured readers' books are `bench-…` (runPipelineBench's load plan), the warm-up's `warmup-…`.
    const window = watchBatchingWindow('bench');
    runPipelineBench(options, (line) => process.send?.({ progress: line } satisfies ScenarioAnswer)).then(
      (report) => process.send?.({ report, windowWaitMs: summarize(window.stop()) } satisfies ScenarioAnswer, () => process.exit(0)),
      (error: Error) => process.send?.({ error: error.stack ?? error.message } satisfies ScenarioAnswer, () => process.exit(1)),
    );
  });
}
