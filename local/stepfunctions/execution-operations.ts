/** The execution operations of the API: one function per operation, over the store and the launcher. */
import { randomUUID } from 'node:crypto';

import type { ExecutionRecord, ExecutionStore } from './executions.js';
import type { HistoryEvent } from './history.js';
import { MAX_PAYLOAD_BYTES, type Launch } from './launcher.js';
import type { MachineRecord, MachineRegistry } from './machines.js';
import {
  EXECUTION_ARN,
  PageTokens,
  ServiceError,
  epochSeconds,
  invalidArn,
  notNull,
  readBoolean,
  readEnum,
  readMaxResults,
  readString,
  validName,
  type RequestBody,
} from './protocol.js';
import type { ExecutionStatus } from './types.js';

export interface ExecutionOperationsContext {
  machines: MachineRegistry;
  store: ExecutionStore;
  launch: Launch;
  tokens: PageTokens;
  region: string;
  accountId: string;
}

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
/** Members of HistoryEvent details that carry execution data (left out when includeExecutionData is false). */
const EXECUTION_DATA_FIELDS = new Set(['input', 'inputDetails', 'output', 'outputDetails', 'parameters']);

function parseInput(body: RequestBody): { text: string; value: unknown } {
  const text = readString(body, 'input', false) ?? '{}';
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new ServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'input exceeds the maximum size of ${MAX_PAYLOAD_BYTES} bytes'`);
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch (err) {
    throw new ServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(err as Error).message}'`);
  }
}

function executionName(body: RequestBody): string {
  const name = readString(body, 'name', false);
  if (name === undefined) return randomUUID();
  if (!validName(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
  return name;
}

function newRecord(ctx: ExecutionOperationsContext, machine: MachineRecord, name: string, input: string, mode: 'sync' | 'async'): ExecutionRecord {
  const prefix = `arn:aws:states:${ctx.region}:${ctx.accountId}`;
  const executionArn =
    machine.type === 'EXPRESS' ? `${prefix}:express:${machine.name}:${name}:${randomUUID()}` : `${prefix}:execution:${machine.name}:${name}`;
  return {
    executionArn,
    stateMachineArn: machine.arn,
    name,
    machineType: machine.type,
    mode,
    seq: ctx.store.takeSeq(),
    input,
    startDate: Date.now(),
    startPerf: 0,
    status: 'RUNNING',
    sizeBytes: 0,
  };
}

/** A described execution, or the AWS error for a missing, malformed or unknown execution ARN. */
export function getExecution(store: ExecutionStore, arn: string | undefined): ExecutionRecord {
  if (arn === undefined) throw notNull('executionArn');
  if (!EXECUTION_ARN.test(arn)) throw invalidArn(arn);
  const rec = store.find(arn);
  // StartSyncExecution runs are described only when Express executions are kept (AWS describes none).
  if (!rec || !store.describable(rec)) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  return rec;
}

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

export async function startSyncExecution(ctx: ExecutionOperationsContext, body: RequestBody): Promise<unknown> {
  const machine = ctx.machines.get(readString(body, 'stateMachineArn', false));
  if (machine.type !== 'EXPRESS') {
    throw new ServiceError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  }
  const name = executionName(body);
  const input = parseInput(body);
  const rec = newRecord(ctx, machine, name, input.text, 'sync');
  await ctx.launch(machine, rec, input.value);
  return {
    executionArn: rec.executionArn,
    stateMachineArn: rec.stateMachineArn,
    name: rec.name,
    startDate: epochSeconds(rec.startDate),
    stopDate: epochSeconds(rec.stopDate ?? Date.now()),
    status: rec.status,
    ...optional('error', rec.error),
    ...optional('cause', rec.cause),
    input: rec.input,
    inputDetails: { included: true },
    ...(rec.output !== undefined ? { output: rec.output, outputDetails: { included: true } } : {}),
    billingDetails: {
      billedMemoryUsedInMB: 64,
      billedDurationInMilliseconds: Math.max(100, Math.ceil(((rec.stopDate ?? rec.startDate) - rec.startDate) / 100) * 100),
    },
  };
}

export function startExecution(ctx: ExecutionOperationsContext, body: RequestBody): unknown {
  const machine = ctx.machines.get(readString(body, 'stateMachineArn', false));
  const name = executionName(body);
  const input = parseInput(body);
  const rec = newRecord(ctx, machine, name, input.text, 'async');
  if (machine.type === 'STANDARD') {
    const existing = ctx.store.find(rec.executionArn);
    if (existing) {
      // AWS: idempotent while the same-named execution runs with the same input.
      if (existing.status === 'RUNNING' && existing.input === input.text) {
        return { executionArn: existing.executionArn, startDate: epochSeconds(existing.startDate) };
      }
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${rec.executionArn}'`);
    }
  }
  rec.done = ctx.launch(machine, rec, input.value);
  return { executionArn: rec.executionArn, startDate: epochSeconds(rec.startDate) };
}

export function describeExecution(ctx: ExecutionOperationsContext, body: RequestBody): unknown {
  const rec = getExecution(ctx.store, readString(body, 'executionArn', false));
  return {
    executionArn: rec.executionArn,
    stateMachineArn: rec.stateMachineArn,
    name: rec.name,
    status: rec.status,
    startDate: epochSeconds(rec.startDate),
    ...(rec.stopDate !== undefined ? { stopDate: epochSeconds(rec.stopDate) } : {}),
    input: rec.input,
    inputDetails: { included: true },
    ...(rec.output !== undefined ? { output: rec.output, outputDetails: { included: true } } : {}),
    ...optional('error', rec.error),
    ...optional('cause', rec.cause),
  };
}

export async function stopExecution(ctx: ExecutionOperationsContext, body: RequestBody): Promise<unknown> {
  const rec = getExecution(ctx.store, readString(body, 'executionArn', false));
  const error = readString(body, 'error', false);
  const cause = readString(body, 'cause', false);
  if (rec.status === 'RUNNING' && rec.stop) {
    rec.stop(error, cause);
    await rec.done;
  }
  return { stopDate: epochSeconds(rec.stopDate ?? Date.now()) };
}

/** Newest first, like AWS; the page cursor is the start order of the last execution returned. */
export function listExecutions(ctx: ExecutionOperationsContext, body: RequestBody): unknown {
  const machine = ctx.machines.get(readString(body, 'stateMachineArn', false));
  // AWS lists Standard executions only; Express ones are listed when kept (AWS's console reads them from CloudWatch Logs).
  if (machine.type !== 'STANDARD' && !ctx.store.keepsExpress) {
    throw new ServiceError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  }
  const statusFilter = readEnum(body, 'statusFilter', EXECUTION_STATUSES);
  const maxResults = readMaxResults(body);
  const binding = `ListExecutions ${machine.arn} ${statusFilter ?? '*'}`;
  const after = ctx.tokens.read(readString(body, 'nextToken', false), binding);
  const matches = ctx.store
    .listByMachine(machine.arn)
    .filter((rec) => (statusFilter === undefined || rec.status === statusFilter) && (after === undefined || rec.seq < after));
  const page = matches.slice(0, maxResults);
  return {
    executions: page.map((rec) => ({
      executionArn: rec.executionArn,
      stateMachineArn: rec.stateMachineArn,
      name: rec.name,
      status: rec.status,
      startDate: epochSeconds(rec.startDate),
      ...(rec.stopDate !== undefined ? { stopDate: epochSeconds(rec.stopDate) } : {}),
    })),
    ...(matches.length > maxResults ? { nextToken: ctx.tokens.issue(binding, page[page.length - 1]!.seq) } : {}),
  };
}

function toApiEvent(event: HistoryEvent, includeExecutionData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { timestamp: epochSeconds(event.timestamp), type: event.type, id: event.id, previousEventId: event.previousEventId };
  if (event.detailsKey && event.details) {
    out[event.detailsKey] = includeExecutionData
      ? event.details
      : Object.fromEntries(Object.entries(event.details).filter(([key]) => !EXECUTION_DATA_FIELDS.has(key)));
  }
  return out;
}

/** Pages by event id; the token is bound to the execution and the direction. */
export async function getExecutionHistory(ctx: ExecutionOperationsContext, body: RequestBody): Promise<unknown> {
  const arn = readString(body, 'executionArn', false);
  const rec = getExecution(ctx.store, arn);
  if (!rec.history) throw new ServiceError('InvalidArn', `Invalid Arn: 'GetExecutionHistory is not supported for EXPRESS executions: ${rec.executionArn}'`);
  const maxResults = readMaxResults(body);
  const reverseOrder = readBoolean(body, 'reverseOrder', false);
  const includeExecutionData = readBoolean(body, 'includeExecutionData', true);
  const binding = `GetExecutionHistory ${rec.executionArn} ${reverseOrder}`;
  const cursor = ctx.tokens.read(readString(body, 'nextToken', false), binding);
  const events = await ctx.store.readHistory(rec, rec.history);
  let page: readonly HistoryEvent[];
  if (reverseOrder) {
    const end = cursor ?? events.length;
    page = events.slice(Math.max(0, end - maxResults), end).reverse();
  } else {
    const start = cursor ?? 0;
    page = events.slice(start, start + maxResults);
  }
  const last = page[page.length - 1];
  const more = last !== undefined && (reverseOrder ? last.id > 1 : last.id < events.length);
  return {
    events: page.map((event) => toApiEvent(event, includeExecutionData)),
    // Ids are 1-based: in order, the next page starts at index `last.id`; in reverse, it ends before `last.id - 1`.
    ...(more ? { nextToken: ctx.tokens.issue(binding, reverseOrder ? last.id - 1 : last.id) } : {}),
  };
}
