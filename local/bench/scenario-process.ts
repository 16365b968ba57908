// One pipeline scenario in a process of its own, so each starts from a fresh stack and its memory is its
// own. Forked by bench.ts with the options as a message; answers with the report.
import { runPipelineBench, type PipelineOptions, type PipelineReport } from './pipeline.js';

export type ScenarioAnswer = { report: PipelineReport } | { error: string } | { progress: string };

if (process.send && process.argv.includes('--scenario')) {
  process.once('message', (options: PipelineOptions) => {
    runPipelineBench(options, (line) => process.send?.({ progress: line } satisfies ScenarioAnswer)).then(
      (report) => process.send?.({ report } satisfies ScenarioAnswer, () => process.exit(0)),
      (error: Error) => process.send?.({ error: error.stack ?? error.message } satisfies ScenarioAnswer, () => process.exit(1)),
    );
  });
}
