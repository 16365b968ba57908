/**
 * The execution store: running executions, and finished StartExecution runs kept for Describe/List/
 * GetExecutionHistory within a count and a byte budget (the oldest finished ones are evicted first).
 */
import type { ExecutionHistory } from './history.js';
import type { ExecutionStatus, StepFunctionsServerStats } from './types.js';

/** Memory budget of the finished executions kept (inputs, outputs, histories). */
const RETAINED_EXECUTION_BYTES = 64 * 1024 * 1024;
/** Rough per-record overhead (ARNs, dates, object headers), so empty executions still count. */
const RECORD_OVERHEAD_BYTES = 512;

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
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
  /** Recorded for Standard executions started by StartExecution (AWS keeps no history for Express). */
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

export class ExecutionStore {
  /** Running executions (sync and async), by ARN. */
  private readonly running = new Map<string, ExecutionRecord>();
  /** Finished async executions, oldest first (a Map keeps insertion order). */
  private readonly finished = new Map<string, ExecutionRecord>();
  private finishedBytes = 0;
  private nextSeq = 0;

  readonly counters: Omit<StepFunctionsServerStats, 'stateMachines'> = {
    started: 0,
    executions: { RUNNING: 0, SUCCEEDED: 0, FAILED: 0, TIMED_OUT: 0, ABORTED: 0 },
    totalExecutionTimeMs: 0,
    taskInvocations: 0,
    retainedExecutions: 0,
  };

  constructor(private readonly maxFinished: number) {}

  takeSeq(): number {
    return this.nextSeq++;
  }

  find(executionArn: string): ExecutionRecord | undefined {
    return this.running.get(executionArn) ?? this.finished.get(executionArn);
  }

  runningNow(): ExecutionRecord[] {
    return [...this.running.values()];
  }

  markRunning(rec: ExecutionRecord): void {
    this.counters.started++;
    this.counters.executions.RUNNING++;
    this.running.set(rec.executionArn, rec);
  }

  /** Moves an ended execution out of the running set; async ones are retained, within the budget. */
  markFinished(rec: ExecutionRecord, durationMs: number): void {
    this.running.delete(rec.executionArn);
    this.counters.executions.RUNNING--;
    this.counters.executions[rec.status]++;
    this.counters.totalExecutionTimeMs += durationMs;
    if (rec.mode !== 'async') return;
    rec.sizeBytes = rec.input.length + (rec.output?.length ?? 0) + (rec.cause?.length ?? 0) + RECORD_OVERHEAD_BYTES;
    this.finished.set(rec.executionArn, rec);
    this.finishedBytes += rec.sizeBytes;
    this.evict();
  }

  /** A retained history grew (it is finalised after the record was stored): account for it. */
  grow(rec: ExecutionRecord, bytes: number): void {
    if (this.finished.get(rec.executionArn) !== rec) return;
    rec.sizeBytes += bytes;
    this.finishedBytes += bytes;
    this.evict();
  }

  /** Executions of one machine started by StartExecution, newest first. */
  listAsync(stateMachineArn: string): ExecutionRecord[] {
    const matches: ExecutionRecord[] = [];
    for (const source of [this.running, this.finished]) {
      for (const rec of source.values()) if (rec.mode === 'async' && rec.stateMachineArn === stateMachineArn) matches.push(rec);
    }
    return matches.sort((a, b) => b.seq - a.seq);
  }

  private evict(): void {
    while (this.finished.size > this.maxFinished || (this.finishedBytes > RETAINED_EXECUTION_BYTES && this.finished.size > 1)) {
      const oldest = this.finished.keys().next().value as string;
      this.finishedBytes -= this.finished.get(oldest)?.sizeBytes ?? 0;
      this.finished.delete(oldest);
    }
    this.counters.retainedExecutions = this.finished.size;
  }
}
