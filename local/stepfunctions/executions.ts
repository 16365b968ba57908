/**
 * The execution store: running executions, and finished ones kept for Describe/List/GetExecutionHistory in two
 * retention sets, each within a count and a byte budget (oldest evicted first): Standard executions, and Express
 * executions (AWS keeps those only in CloudWatch Logs), so a burst of Express runs never evicts a Standard one.
 */
import type { ExecutionHistory, HistoryEvent } from './history.js';
import type { ExecutionStatus, StateMachineType, StepFunctionsServerStats } from './types.js';

/** Memory budget of the finished Standard executions kept (inputs, outputs, histories). */
const RETAINED_EXECUTION_BYTES = 64 * 1024 * 1024;
/** Rough per-record overhead (ARNs, dates, object headers), so empty executions still count. */
const RECORD_OVERHEAD_BYTES = 512;

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  machineType: StateMachineType;
  mode: 'sync' | 'async';
  /** Start order, newest highest: ListExecutions sorts and pages on it. */
  seq: number;
  input: string;
  startDate: number;
  startPerf: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  sizeBytes: number;
  /** Standard executions always; Express ones when the store keeps Express executions (beyond AWS's API). */
  history?: ExecutionHistory;
  stop?: (error?: string, cause?: string) => void;
  done?: Promise<void>;
}

/** Shared between an execution's lifecycle and its Task calls. */
export interface ExecutionControl {
  /** Set before the library is told to abort, so a Task retried after the end is never invoked. */
  ended: boolean;
  /** Aborted when the execution ends: Task calls still pending are let go (their timers cleared). */
  end: AbortController;
  timedOut: boolean;
  /** Ended by the server as FAILED (history limit), not ABORTED. */
  failed: boolean;
  abortError?: string;
  abortCause?: string;
}

/** Finished executions kept oldest first (a Map keeps insertion order), within a count and a byte budget. */
class Retention {
  readonly records = new Map<string, ExecutionRecord>();
  private bytes = 0;

  /** What the kept executions hold: measured for histories that were read, estimated for the others. */
  get heldBytes(): number {
    return this.bytes;
  }

  constructor(
    private readonly maxRecords: number,
    private readonly maxBytes: number,
  ) {}

  add(rec: ExecutionRecord): void {
    if (this.maxRecords === 0) return;
    this.records.set(rec.executionArn, rec);
    this.bytes += rec.sizeBytes;
    this.evict();
  }

  /** A kept record's size changed (its history was finalised or measured after it was stored). */
  resize(rec: ExecutionRecord, sizeBytes: number): boolean {
    if (this.records.get(rec.executionArn) !== rec) return false;
    this.bytes += sizeBytes - rec.sizeBytes;
    rec.sizeBytes = sizeBytes;
    this.evict();
    return true;
  }

  private evict(): void {
    while (this.records.size > this.maxRecords || (this.bytes > this.maxBytes && this.records.size > 1)) {
      const oldest = this.records.keys().next().value as string;
      this.bytes -= this.records.get(oldest)?.sizeBytes ?? 0;
      this.records.delete(oldest);
    }
  }
}

export interface RetentionLimits {
  maxFinished: number;
  maxExpress: number;
  expressBytes: number;
}

export class ExecutionStore {
  /** Running executions (sync and async), by ARN. */
  private readonly running = new Map<string, ExecutionRecord>();
  /** Finished Standard executions (StartExecution). */
  private readonly standard: Retention;
  /** Finished Express executions (StartSyncExecution and StartExecution), with their history. */
  private readonly express: Retention;
  private nextSeq = 0;
  /** True when Express executions are kept: their history is then recorded, and List/GetExecutionHistory serve them. */
  readonly keepsExpress: boolean;

  readonly counters: Omit<StepFunctionsServerStats, 'stateMachines'> = {
    started: 0,
    executions: { RUNNING: 0, SUCCEEDED: 0, FAILED: 0, TIMED_OUT: 0, ABORTED: 0 },
    totalExecutionTimeMs: 0,
    taskInvocations: 0,
    retainedExecutions: 0,
    retainedExpressExecutions: 0,
    retainedBytes: 0,
  };

  constructor(limits: RetentionLimits) {
    this.standard = new Retention(limits.maxFinished, RETAINED_EXECUTION_BYTES);
    this.express = new Retention(limits.maxExpress, limits.expressBytes);
    this.keepsExpress = limits.maxExpress > 0;
  }

  takeSeq(): number {
    return this.nextSeq++;
  }

  find(executionArn: string): ExecutionRecord | undefined {
    return this.running.get(executionArn) ?? this.standard.records.get(executionArn) ?? this.express.records.get(executionArn);
  }

  runningNow(): ExecutionRecord[] {
    return [...this.running.values()];
  }

  markRunning(rec: ExecutionRecord): void {
    this.counters.started++;
    this.counters.executions.RUNNING++;
    this.running.set(rec.executionArn, rec);
  }

  /**
   * Moves an ended execution out of the running set into its retention set: Standard ones (always started by
   * StartExecution) and, when kept, Express ones. `historyBytes` is what its history holds so far.
   */
  markFinished(rec: ExecutionRecord, durationMs: number, historyBytes = 0): void {
    this.running.delete(rec.executionArn);
    this.counters.executions.RUNNING--;
    this.counters.executions[rec.status]++;
    this.counters.totalExecutionTimeMs += durationMs;
    const retention = this.retentionOf(rec);
    if (!retention) return;
    rec.sizeBytes = this.baseSize(rec) + historyBytes;
    retention.add(rec);
    this.count();
  }

  /** A kept execution's history changed size (finalised after the record was stored, or measured when first read). */
  historyResized(rec: ExecutionRecord, historyBytes: number): void {
    if (this.retentionOf(rec)?.resize(rec, this.baseSize(rec) + historyBytes)) this.count();
  }

  /** The events of an execution's history so far; all of them once it has ended and its nested runs are linked. */
  async readHistory(rec: ExecutionRecord, history: ExecutionHistory): Promise<readonly HistoryEvent[]> {
    if (history.settled) await history.settled;
    const events = history.snapshot();
    // A deferred (Express) history is measured by its first translation.
    if (rec.machineType === 'EXPRESS') this.historyResized(rec, history.sizeBytes());
    return events;
  }

  /** Executions of one machine (running and kept), newest first. */
  listByMachine(stateMachineArn: string): ExecutionRecord[] {
    return this.listAll().filter((rec) => rec.stateMachineArn === stateMachineArn);
  }

  /** Every execution that can be described (running, or kept), newest first. */
  listAll(): ExecutionRecord[] {
    const matches: ExecutionRecord[] = [];
    for (const rec of this.running.values()) if (this.describable(rec)) matches.push(rec);
    for (const rec of this.standard.records.values()) matches.push(rec);
    for (const rec of this.express.records.values()) matches.push(rec);
    return matches.sort((a, b) => b.seq - a.seq);
  }

  /** StartExecution runs always; StartSyncExecution runs only when Express executions are kept. */
  describable(rec: ExecutionRecord): boolean {
    return rec.mode === 'async' || (rec.machineType === 'EXPRESS' && this.keepsExpress);
  }

  private retentionOf(rec: ExecutionRecord): Retention | undefined {
    if (rec.machineType === 'EXPRESS' && this.keepsExpress) return this.express;
    // Without the Express set, StartExecution runs of Express machines stay describable, among the Standard ones.
    return rec.mode === 'async' ? this.standard : undefined;
  }

  private baseSize(rec: ExecutionRecord): number {
    return rec.input.length + (rec.output?.length ?? 0) + (rec.cause?.length ?? 0) + RECORD_OVERHEAD_BYTES;
  }

  private count(): void {
    this.counters.retainedExecutions = this.standard.records.size;
    this.counters.retainedExpressExecutions = this.express.records.size;
    this.counters.retainedBytes = this.standard.heldBytes + this.express.heldBytes;
  }
}
