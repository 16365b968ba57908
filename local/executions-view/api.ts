/**
 * The Executions view's JSON API, over the local Step Functions server's in-process inspector: recent
 * executions of every machine (filtered, paged) and one execution's timeline. Reader text is masked here, on
 * the server, unless the request asks for it with `showReaderText=true`. Errors are AWS-shaped: HTTP 400
 * with `{"__type", "message"}`, named as the Step Functions API names them.
 */
import { EXECUTION_ARN } from '../stepfunctions/protocol.js';
import { EXECUTION_STATUSES, type ExecutionInfo, type ExecutionStatus, type ExecutionsInspector, type MachineInfo } from '../stepfunctions/server.js';
import { readExecutionData } from './mask.js';
import { buildTimeline, type StateRun } from './timeline.js';

export const LIST_LIMITS = { defaultLimit: 25, maxLimit: 200 } as const;

export class ViewError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export type Query = URLSearchParams;

function single(query: Query, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new ViewError('ValidationException', `'${name}' may be given once`);
  return values[0] === '' ? undefined : values[0];
}

function flag(query: Query, name: string): boolean {
  const value = single(query, name);
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ViewError('ValidationException', `'${name}' must be true or false, got '${value}'`);
}

export interface ExecutionListItem {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  type: ExecutionInfo['machineType'];
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  durationMs?: number;
  error?: string;
}

export interface ExecutionListPage {
  machines: MachineInfo[];
  executions: ExecutionListItem[];
  /** Pass back as `cursor` (with the same filters) for older executions. */
  nextCursor?: string;
  /** False when Express executions are not kept: only Standard ones can be listed. */
  keepsExpress: boolean;
}

const machineNameOf = (stateMachineArn: string): string => stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1);

function listItem(info: ExecutionInfo): ExecutionListItem {
  return {
    executionArn: info.executionArn,
    name: info.name,
    stateMachineArn: info.stateMachineArn,
    stateMachineName: machineNameOf(info.stateMachineArn),
    type: info.machineType,
    status: info.status,
    startDate: info.startDate,
    ...(info.stopDate !== undefined ? { stopDate: info.stopDate, durationMs: info.stopDate - info.startDate } : {}),
    ...(info.error !== undefined ? { error: info.error } : {}),
  };
}

/** GET …/api/executions?status=&stateMachineArn=&limit=&cursor= : newest first. */
export function listExecutions(inspector: ExecutionsInspector, query: Query): ExecutionListPage {
  const status = single(query, 'status');
  if (status !== undefined && !(EXECUTION_STATUSES as readonly string[]).includes(status)) {
    throw new ViewError(
      'ValidationException',
      `1 validation error detected: Value '${status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`,
    );
  }
  const machines = inspector.machines();
  const stateMachineArn = single(query, 'stateMachineArn');
  if (stateMachineArn !== undefined && !machines.some((m) => m.stateMachineArn === stateMachineArn)) {
    throw new ViewError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
  }
  const limitText = single(query, 'limit');
  const limit = limitText === undefined ? LIST_LIMITS.defaultLimit : Number(limitText);
  if (!/^\d+$/.test(limitText ?? '0') || !Number.isSafeInteger(limit) || limit < 1 || limit > LIST_LIMITS.maxLimit) {
    throw new ViewError('ValidationException', `'limit' must be a whole number from 1 to ${LIST_LIMITS.maxLimit}, got '${limitText}'`);
  }
  const cursorText = single(query, 'cursor');
  // The cursor is the start order of the last execution shown: it names a place in a list anyone here may read.
  const before = cursorText === undefined ? undefined : Number(cursorText);
  if (cursorText !== undefined && (!/^\d+$/.test(cursorText) || !Number.isSafeInteger(before))) {
    throw new ViewError('InvalidToken', `Invalid Token: '${cursorText}' is not a cursor this view gave`);
  }
  const matches = inspector
    .executions({ ...(stateMachineArn ? { stateMachineArn } : {}), ...(status ? { status: status as ExecutionStatus } : {}) })
    .filter((rec) => before === undefined || rec.seq < before);
  const page = matches.slice(0, limit);
  return {
    machines,
    executions: page.map(listItem),
    ...(matches.length > limit ? { nextCursor: String(page[page.length - 1]!.seq) } : {}),
    keepsExpress: inspector.keepsExpress,
  };
}

export interface ExecutionDetail {
  execution: ExecutionListItem & { input: unknown; output?: unknown; cause?: string };
  /** `hidden`: reader text was masked; `shown`: the request asked for it. */
  readerText: 'hidden' | 'shown';
  /** Absent when the server keeps no history for this execution. */
  states?: Array<Omit<StateRun, 'input' | 'output'> & { input?: unknown; output?: unknown }>;
  historyEvents: number;
  /** True when the history stopped recording at its size limit. */
  historyTruncated: boolean;
}

/** GET …/api/execution?executionArn=&showReaderText= */
export async function describeExecution(inspector: ExecutionsInspector, query: Query): Promise<ExecutionDetail> {
  const executionArn = single(query, 'executionArn');
  const showReaderText = flag(query, 'showReaderText');
  if (executionArn === undefined) {
    throw new ViewError('ValidationException', "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null");
  }
  if (!EXECUTION_ARN.test(executionArn)) throw new ViewError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${executionArn}'`);
  const info = inspector.execution(executionArn);
  if (!info) throw new ViewError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  const history = await inspector.history(executionArn);
  // Read again: the execution may have ended while its history was awaited.
  const current = inspector.execution(executionArn) ?? info;
  const data = (json: string | undefined) => readExecutionData(json, showReaderText);
  return {
    execution: {
      ...listItem(current),
      input: data(current.input),
      ...(current.output !== undefined ? { output: data(current.output) } : {}),
      ...(current.cause !== undefined ? { cause: current.cause } : {}),
    },
    readerText: showReaderText ? 'shown' : 'hidden',
    ...(history
      ? {
          states: buildTimeline(history.events, current.stopDate).map(({ input, output, ...run }) => ({
            ...run,
            ...(input !== undefined ? { input: data(input) } : {}),
            ...(output !== undefined ? { output: data(output) } : {}),
          })),
        }
      : {}),
    historyEvents: history?.events.length ?? 0,
    historyTruncated: history?.truncated ?? false,
  };
}
