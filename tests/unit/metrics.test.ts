// The business metrics leave the handlers as CloudWatch embedded metric format lines on stdout: each line must carry
// the namespace, dimensions and value CloudWatch will read, and the local runtime must add them up the same way.
import { jest } from '@jest/globals';

process.env.POWERTOOLS_METRICS_NAMESPACE = 'feedback-triage/test';
process.env.POWERTOOLS_SERVICE_NAME = 'feedback-triage';
delete process.env.POWERTOOLS_METRICS_DISABLED;
delete process.env.POWERTOOLS_DEV;

const { METRIC, countAlertSent, countBatchItemFailures, countComprehendThrottle, countDeadLettered, countFeedbackStored } = await import(
  '../../functions/shared/metrics.js'
);

type EmfLine = Record<string, unknown> & {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
};

/** What the calls print on stdout, each line parsed. */
function printedBy(emit: () => void): EmfLine[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    emit();
  } finally {
    spy.mockRestore();
  }
  return lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as EmfLine);
}

/** A line's one metric: namespace, dimension names, name, unit and value. */
function readLine(line: EmfLine) {
  const [directive] = line._aws.CloudWatchMetrics;
  const [metric] = directive!.Metrics;
  return {
    namespace: directive!.Namespace,
    dimensions: Object.fromEntries(directive!.Dimensions[0]!.map((name) => [name, line[name]])),
    name: metric!.Name,
    unit: metric!.Unit,
    value: line[metric!.Name],
  };
}

test('each business event prints one EMF line at once, with its own dimensions', () => {
  const lines = printedBy(() => {
    countFeedbackStored('NEGATIVE');
    countFeedbackStored('POSITIVE');
    countAlertSent();
    countDeadLettered('InvalidFeedbackError');
    countComprehendThrottle('BatchDetectSentiment');
    countBatchItemFailures('perBatch', 3);
  });
  const service = { service: 'feedback-triage' };
  expect(lines.map(readLine)).toEqual([
    { namespace: 'feedback-triage/test', dimensions: { ...service, sentiment: 'NEGATIVE' }, name: METRIC.feedbackStored, unit: 'Count', value: 1 },
    { namespace: 'feedback-triage/test', dimensions: { ...service, sentiment: 'POSITIVE' }, name: METRIC.feedbackStored, unit: 'Count', value: 1 },
    { namespace: 'feedback-triage/test', dimensions: service, name: METRIC.alertsSent, unit: 'Count', value: 1 },
    { namespace: 'feedback-triage/test', dimensions: { ...service, errorName: 'InvalidFeedbackError' }, name: METRIC.deadLettered, unit: 'Count', value: 1 },
    { namespace: 'feedback-triage/test', dimensions: { ...service, operation: 'BatchDetectSentiment' }, name: METRIC.comprehendThrottles, unit: 'Count', value: 1 },
    { namespace: 'feedback-triage/test', dimensions: { ...service, mode: 'perBatch' }, name: METRIC.batchItemFailures, unit: 'Count', value: 3 },
  ]);
  for (const line of lines) expect(Math.abs(line._aws.Timestamp - Date.now())).toBeLessThan(60_000);
});

test('a batch with no failures still reports 0, so the alarm reads a value rather than a gap', () => {
  const [line] = printedBy(() => countBatchItemFailures('perMessage', 0));
  expect(readLine(line!)).toMatchObject({ name: METRIC.batchItemFailures, dimensions: { mode: 'perMessage' }, value: 0 });
});

test('the local runtime sums the EMF lines by name and dimensions and keeps them off the terminal', async () => {
  // The terminal, underneath the runtime's filter (installed on top of it below).
  const terminal: string[] = [];
  const underlying = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    terminal.push(String(chunk));
    return true;
  });
  try {
    const { emittedMetrics } = await import('../../local/handler-host.js');
    emittedMetrics.install();
    countFeedbackStored('NEGATIVE');
    countFeedbackStored('NEGATIVE');
    countFeedbackStored('MIXED');
    countBatchItemFailures('perBatch', 2);
    countBatchItemFailures('perBatch', 5);
    process.stdout.write('an ordinary line\n');
    const sums = emittedMetrics.snapshot().map(({ name, dimensions, value }) => ({ name, dimensions, value }));
    expect(sums).toEqual([
      { name: METRIC.batchItemFailures, dimensions: { service: 'feedback-triage', mode: 'perBatch' }, value: 7 },
      { name: METRIC.feedbackStored, dimensions: { service: 'feedback-triage', sentiment: 'MIXED' }, value: 1 },
      { name: METRIC.feedbackStored, dimensions: { service: 'feedback-triage', sentiment: 'NEGATIVE' }, value: 2 },
    ]);
    expect(terminal).toEqual(['an ordinary line\n']);
  } finally {
    underlying.mockRestore();
  }
});
