// The feedback triage's quota settings as serverless/feedback-triage.yml declares them (custom.triage), checked,
// and what follows from them: each mode's consumers at once and the throughput ceiling Comprehend's quota allows.
import type { ExecutionMode, ServiceDefinition } from '../service-definition.js';
import type { RateQuotas } from './token-bucket.js';

/** Documents one BatchDetectSentiment call takes, at most (Comprehend's limit). */
const BATCH_MAX_DOCUMENTS = 25;

export interface TriageQuotaSettings {
  /** Comprehend's request-rate quota per operation, requests per second. */
  comprehendRequestsPerSecond: RateQuotas;
  /** The shortest a triage execution lasts on AWS: each one in flight makes at most 1 / this Comprehend calls a second. */
  shortestExecutionSeconds: number;
  /** The SQS event source's maximumConcurrency, by execution mode. */
  maximumConcurrency: Record<ExecutionMode, number>;
  executionConcurrency: number;
  batchSize: number;
}

function positive(settings: Record<string, unknown>, name: string): number {
  const value = settings[name];
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new Error(`custom.triage.${name} must be a positive number (serverless/feedback-triage.yml), got ${JSON.stringify(value)}`);
  }
  return value;
}

export function triageQuotaSettings(service: Pick<ServiceDefinition, 'triage'>): TriageQuotaSettings {
  const settings = service.triage as unknown as Record<string, unknown>;
  const rates = settings.comprehendRequestsPerSecond;
  if (typeof rates !== 'object' || rates === null || Array.isArray(rates)) {
    throw new Error('custom.triage.comprehendRequestsPerSecond must map each Comprehend operation to its requests per second');
  }
  return {
    comprehendRequestsPerSecond: Object.fromEntries(Object.keys(rates).map((operation) => [operation, positive(rates as Record<string, unknown>, operation)])),
    shortestExecutionSeconds: positive(settings, 'shortestExecutionSeconds'),
    maximumConcurrency: {
      perMessage: positive(settings, 'perMessageMaximumConcurrency'),
      perBatch: positive(settings, 'perBatchMaximumConcurrency'),
    },
    executionConcurrency: positive(settings, 'executionConcurrency'),
    batchSize: positive(settings, 'batchSize'),
  };
}

/** Documents a per-batch execution sends in one BatchDetectSentiment call when its batch is full. */
export function documentsPerBatchCall(settings: Pick<TriageQuotaSettings, 'batchSize'>): number {
  return Math.min(settings.batchSize, BATCH_MAX_DOCUMENTS);
}

/**
 * Messages per second Comprehend's quota lets a mode triage: perMessage, one DetectSentiment per message, so the
 * DetectSentiment quota; perBatch, one BatchDetectSentiment per full batch, so its quota times the documents per call.
 */
export function throughputCeiling(mode: ExecutionMode, rates: RateQuotas, settings: Pick<TriageQuotaSettings, 'batchSize'>): number {
  const rate = (operation: string) => {
    const value = rates[operation];
    if (value === undefined) throw new Error(`no quota is set for ${operation}`);
    return value;
  };
  return mode === 'perMessage' ? rate('DetectSentiment') : rate('BatchDetectSentiment') * documentsPerBatchCall(settings);
}
