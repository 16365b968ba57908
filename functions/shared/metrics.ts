// The pipelines' business numbers, as CloudWatch embedded metric format (EMF) lines on stdout through Powertools
// Metrics: CloudWatch Logs turns each line into a metric (no PutMetricData call, so no IAM), and the local stack
// reads the same lines to print them offline.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Sentiment } from './feedback.js';

/** POWERTOOLS_METRICS_NAMESPACE (serverless.yml: `<service>/<stage>`) and POWERTOOLS_SERVICE_NAME set the rest. */
export const metrics = new Metrics({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'feedback-triage' });

/** Metric names, one home for the handlers, the alarms' tests and the local summary's readers. */
export const METRIC = {
  feedbackStored: 'FeedbackStored',
  alertsSent: 'AlertsSent',
  deadLettered: 'FeedbackDeadLettered',
  comprehendThrottles: 'ComprehendThrottles',
  batchItemFailures: 'BatchItemFailures',
} as const;

/**
 * Emits the business metrics: one EMF line per call. Invocations may run concurrently in one process (the local
 * stack, Lambda Managed Instances), yet they never share this buffer: each call adds its dimensions, its metric and
 * publishes them synchronously, so no other invocation runs in between. One instance for every call, because a
 * `singleMetric()` per call builds a whole Metrics object (settings read from the environment, a console) each time.
 */
const emitter = new Metrics({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'feedback-triage' });

function emit(name: string, value: number, dimensions: Record<string, string> = {}): void {
  for (const [dimension, dimensionValue] of Object.entries(dimensions)) emitter.addDimension(dimension, dimensionValue);
  emitter.addMetric(name, MetricUnit.Count, value);
  emitter.publishStoredMetrics();
}

/** A feedback stored for the first time (a duplicate delivery stores nothing and counts nothing). */
export const countFeedbackStored = (sentiment: Sentiment) => emit(METRIC.feedbackStored, 1, { sentiment });

export const countAlertSent = () => emit(METRIC.alertsSent, 1);

/** By error name: a bounded set, where the reason text is not. */
export const countDeadLettered = (errorName: string) => emit(METRIC.deadLettered, 1, { errorName });

export const countComprehendThrottle = (operation: string) => emit(METRIC.comprehendThrottles, 1, { operation });

/** Emitted for every batch, zero included, so a quiet period reads 0 rather than missing. */
export const countBatchItemFailures = (mode: string, failures: number) => emit(METRIC.batchItemFailures, failures, { mode });
