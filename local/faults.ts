// The faults the local stack can inject, each at its own rate, switched on by `--faults` or FEEDBACK_TRIAGE_FAULTS.
import { dynamoDbError, snsError, type FaultRule } from './fault-proxy.js';
import type { InvocationFaults } from './lambda-runtime.js';

export interface FaultRates {
  /** Comprehend answers ThrottlingException. */
  comprehend: number;
  /** DynamoDB answers ProvisionedThroughputExceededException or InternalServerError. */
  dynamodb: number;
  /** SNS Publish answers Throttling or InternalError. */
  sns: number;
  /** A state function's process dies before its handler runs. */
  crash: number;
  /** A state function hangs until its timeout. */
  hang: number;
  /** A function does its work but its answer is lost (the process dies after the effect). */
  lost: number;
}

export const NO_FAULTS: FaultRates = { comprehend: 0, dynamodb: 0, sns: 0, crash: 0, hang: 0, lost: 0 };

/** A kind of fault, by the name `--faults` takes and the stack's fault counters report. */
export type FaultKind = keyof FaultRates;

export const FAULT_KINDS = Object.keys(NO_FAULTS) as FaultKind[];

/** How many faults of each kind the stack has injected, each kind counted on its own. */
export type FaultCounts = Record<FaultKind, number>;

/** Parses "all=0.05" or "comprehend=0.1,dynamodb=0.05,..." (later entries override earlier ones). */
export function parseFaults(spec: string | undefined): FaultRates {
  const rates: FaultRates = { ...NO_FAULTS };
  if (!spec?.trim()) return rates;
  for (const part of spec.split(',')) {
    const [kind, value] = part.split('=').map((text) => text.trim());
    const rate = Number(value);
    if (!(rate >= 0 && rate <= 1) || value === '') throw new Error(`fault rate for "${kind}" must be a number from 0 to 1, got "${value}"`);
    if (kind === 'all') for (const each of FAULT_KINDS) rates[each] = rate;
    else if ((FAULT_KINDS as string[]).includes(kind as string)) rates[kind as FaultKind] = rate;
    else throw new Error(`unknown fault "${kind}": use all, ${FAULT_KINDS.join(', ')}`);
  }
  return rates;
}

export function describeFaults(rates: FaultRates): string {
  const active = FAULT_KINDS.filter((kind) => rates[kind] > 0).map((kind) => `${kind} ${(rates[kind] * 100).toFixed(1)}%`);
  return active.length ? active.join(', ') : 'none';
}

export function dynamoDbRules(rates: FaultRates): FaultRule[] {
  return rates.dynamodb > 0
    ? [{ rate: rates.dynamodb, errors: [dynamoDbError('ProvisionedThroughputExceededException'), dynamoDbError('InternalServerError')] }]
    : [];
}

export function snsRules(rates: FaultRates): FaultRule[] {
  return rates.sns > 0 ? [{ rate: rates.sns, operations: ['Publish'], errors: [snsError('Throttling'), snsError('InternalError')] }] : [];
}

export function invocationFaults(rates: FaultRates, random?: () => number): InvocationFaults {
  return { crashRate: rates.crash, hangRate: rates.hang, lostResponseRate: rates.lost, random };
}
