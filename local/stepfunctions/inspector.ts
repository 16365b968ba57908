/**
 * Read-only, in-process access to the machines and the executions the server keeps, for tools that run in the
 * same process as the local stack (the Executions view): no paging tokens, no wire format, plain records.
 */
import type { ExecutionRecord, ExecutionStore } from './executions.js';
import type { HistoryEvent } from './history.js';
import type { MachineRegistry } from './machines.js';
import type { ExecutionStatus, StateMachineType } from './types.js';

export interface MachineInfo {
  stateMachineArn: string;
  name: string;
  type: StateMachineType;
}

export interface ExecutionInfo {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  machineType: StateMachineType;
  /** `sync`: StartSyncExecution; `async`: StartExecution. */
  mode: 'sync' | 'async';
  status: ExecutionStatus;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
  /** JSON text, as the execution received and returned it. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface ExecutionsInspector {
  /** True when Express executions are kept with their history. */
  readonly keepsExpress: boolean;
  machines(): MachineInfo[];
  /** Running and kept executions, newest first, each with its start order `seq` (higher is newer) to page on. */
  executions(filter?: { stateMachineArn?: string; status?: ExecutionStatus }): Array<ExecutionInfo & { seq: number }>;
  execution(executionArn: string): ExecutionInfo | undefined;
  /** The execution's AWS history events, complete once it has ended; undefined when none is kept. */
  history(executionArn: string): Promise<{ events: readonly HistoryEvent[]; truncated: boolean } | undefined>;
}

export function createInspector(machines: MachineRegistry, store: ExecutionStore): ExecutionsInspector {
  const describable = (executionArn: string) => {
    const rec = store.find(executionArn);
    return rec && store.describable(rec) ? rec : undefined;
  };
  return {
    keepsExpress: store.keepsExpress,
    machines: () => machines.all().map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type })),
    executions: (filter = {}) =>
      store
        .listAll()
        .filter((rec) => (filter.stateMachineArn === undefined || rec.stateMachineArn === filter.stateMachineArn) && (filter.status === undefined || rec.status === filter.status))
        .map((rec) => ({ ...infoOf(rec), seq: rec.seq })),
    execution: (executionArn) => {
      const rec = describable(executionArn);
      return rec ? infoOf(rec) : undefined;
    },
    history: async (executionArn) => {
      const rec = describable(executionArn);
      if (!rec?.history) return undefined;
      return { events: await store.readHistory(rec, rec.history), truncated: rec.history.truncated };
    },
  };
}

function infoOf(rec: ExecutionRecord): ExecutionInfo {
  const info: ExecutionInfo = {
    executionArn: rec.executionArn,
    stateMachineArn: rec.stateMachineArn,
    name: rec.name,
    machineType: rec.machineType,
    mode: rec.mode,
    status: rec.status,
    startDate: rec.startDate,
    input: rec.input,
  };
  if (rec.stopDate !== undefined) info.stopDate = rec.stopDate;
  if (rec.output !== undefined) info.output = rec.output;
  if (rec.error !== undefined) info.error = rec.error;
  if (rec.cause !== undefined) info.cause = rec.cause;
  return info;
}
