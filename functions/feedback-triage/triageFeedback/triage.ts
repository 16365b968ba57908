// The triage of one negative or mixed feedback: its status (NEW -> ACKNOWLEDGED -> RESOLVED, or back to NEW),
// who it is assigned to, and the history of every change. Plain data in, plain data out.

export const TRIAGE_STATUSES = ['NEW', 'ACKNOWLEDGED', 'RESOLVED'] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];

export const TRIAGE_ACTIONS = ['acknowledge', 'resolve', 'reopen', 'assign', 'note'] as const;
export type TriageAction = (typeof TRIAGE_ACTIONS)[number];

/** Sentiments that are triaged: the ones the team is alerted about or asked to read. */
export const TRIAGED_SENTIMENTS: ReadonlySet<string> = new Set(['NEGATIVE', 'MIXED']);

export const TRIAGE_LIMITS = {
  maxNoteChars: 1_000,
  maxAssigneeChars: 128,
  /** History entries kept on the item: about 400 bytes each, well inside DynamoDB's 400 KB item. */
  maxHistoryEntries: 200,
  /** The request body: an action, a version, a note and an assignee fit in far less. */
  maxBodyBytes: 4 * 1024,
} as const;

/** Which status each status-changing action moves from, and to. */
const TRANSITIONS: Readonly<Record<'acknowledge' | 'resolve' | 'reopen', { from: readonly TriageStatus[]; to: TriageStatus }>> = {
  acknowledge: { from: ['NEW'], to: 'ACKNOWLEDGED' },
  resolve: { from: ['ACKNOWLEDGED'], to: 'RESOLVED' },
  reopen: { from: ['ACKNOWLEDGED', 'RESOLVED'], to: 'NEW' },
};

export interface TriageRequest {
  action: TriageAction;
  /** The version the member saw: the change applies only if the item is still at it. */
  expectedVersion: number;
  note?: string;
  /** For assign: the member's username, or null to unassign. */
  assignee?: string | null;
}

export interface TriageHistoryEntry {
  action: TriageAction;
  by: string;
  at: string;
  from: TriageStatus;
  to: TriageStatus;
  assignee?: string | null;
  note?: string;
}

/** The triage part of a stored feedback; an item never acted on is NEW at version 0. */
export interface TriageState {
  feedbackId: string;
  sentiment: string;
  bookId?: string;
  /** The execution that stored the item, for the dashboard's link to it (read from the table, not the list's index). */
  executionArn?: string;
  status: TriageStatus;
  version: number;
  assignee: string | null;
  updatedAt?: string;
  updatedBy?: string;
  history: TriageHistoryEntry[];
}

export class TriageRequestError extends Error {
  override readonly name = 'TriageRequestError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** A change that does not apply to the item as it is now: answered 409 with the current state. */
export class TriageConflictError extends Error {
  override readonly name = 'TriageConflictError';
  constructor(
    message: string,
    readonly current: TriageState,
  ) {
    super(message);
  }
}

// C0 controls other than tab, line feed and carriage return; DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

function text(value: unknown, field: string, maxChars: number): string {
  if (typeof value !== 'string') throw new TriageRequestError(`${field} must be a string`, field);
  const trimmed = value.trim();
  if (!trimmed) throw new TriageRequestError(`${field} must not be empty`, field);
  if ([...trimmed].length > maxChars) throw new TriageRequestError(`${field} must be at most ${maxChars} characters`, field);
  if (CONTROL_CHARACTERS.test(trimmed)) throw new TriageRequestError(`${field} must not contain control characters`, field);
  return trimmed;
}

/** Reads a request body (already JSON-parsed); every way it can be wrong names its field. */
export function parseTriageRequest(body: unknown): TriageRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TriageRequestError('the body must be a JSON object', 'body');
  const input = body as Record<string, unknown>;
  const known = new Set(['action', 'expectedVersion', 'note', 'assignee']);
  const unknown = Object.keys(input).find((key) => !known.has(key));
  if (unknown !== undefined) throw new TriageRequestError(`unknown field ${JSON.stringify(unknown.slice(0, 40))}`, unknown.slice(0, 40));
  if (typeof input.action !== 'string' || !(TRIAGE_ACTIONS as readonly string[]).includes(input.action)) {
    throw new TriageRequestError(`action must be one of ${TRIAGE_ACTIONS.join(', ')}`, 'action');
  }
  const action = input.action as TriageAction;
  const expectedVersion = input.expectedVersion;
  if (typeof expectedVersion !== 'number' || !Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new TriageRequestError('expectedVersion must be a whole number from 0: the version the item showed', 'expectedVersion');
  }
  const request: TriageRequest = { action, expectedVersion };
  if (input.note !== undefined && input.note !== null && input.note !== '') request.note = text(input.note, 'note', TRIAGE_LIMITS.maxNoteChars);
  if (action === 'note' && request.note === undefined) throw new TriageRequestError('a note is required for the note action', 'note');
  if (action === 'assign') {
    if (input.assignee === undefined) throw new TriageRequestError('assignee is required: a username, or null to unassign', 'assignee');
    request.assignee = input.assignee === null ? null : text(input.assignee, 'assignee', TRIAGE_LIMITS.maxAssigneeChars);
  } else if (input.assignee !== undefined) {
    throw new TriageRequestError('assignee is only given with the assign action', 'assignee');
  }
  return request;
}

/** The item after the change, and the history entry that records it; TriageConflictError when it does not apply. */
export function applyTriage(current: TriageState, request: TriageRequest, by: string, at: Date): { next: TriageState; entry: TriageHistoryEntry } {
  if (!TRIAGED_SENTIMENTS.has(current.sentiment)) {
    throw new TriageConflictError(`${current.sentiment} feedback is not triaged: only negative and mixed feedback is`, current);
  }
  if (current.version !== request.expectedVersion) {
    throw new TriageConflictError(`the item changed since version ${request.expectedVersion}: it is now at version ${current.version}`, current);
  }
  if (current.history.length >= TRIAGE_LIMITS.maxHistoryEntries) {
    throw new TriageConflictError(`the item's history is full (${TRIAGE_LIMITS.maxHistoryEntries} changes)`, current);
  }
  let status = current.status;
  let assignee = current.assignee;
  if (request.action === 'acknowledge' || request.action === 'resolve' || request.action === 'reopen') {
    const transition = TRANSITIONS[request.action];
    if (!transition.from.includes(current.status)) {
      throw new TriageConflictError(`cannot ${request.action} an item that is ${current.status}`, current);
    }
    status = transition.to;
  } else if (request.action === 'assign') {
    assignee = request.assignee ?? null;
  }
  const entry: TriageHistoryEntry = {
    action: request.action,
    by,
    at: at.toISOString(),
    from: current.status,
    to: status,
    ...(request.action === 'assign' ? { assignee } : {}),
    ...(request.note !== undefined ? { note: request.note } : {}),
  };
  return {
    next: { ...current, status, assignee, version: current.version + 1, updatedAt: entry.at, updatedBy: by, history: [...current.history, entry] },
    entry,
  };
}

/** The triage state of a stored record (as the table holds it); a record never acted on is NEW at version 0. */
export function triageStateOf(item: Record<string, unknown>): TriageState {
  const status = (TRIAGE_STATUSES as readonly string[]).includes(String(item.triageStatus)) ? (item.triageStatus as TriageStatus) : 'NEW';
  return {
    feedbackId: String(item.feedbackId),
    sentiment: String(item.sentiment),
    ...(typeof item.bookId === 'string' ? { bookId: item.bookId } : {}),
    ...(typeof item.executionArn === 'string' && item.executionArn !== '' ? { executionArn: item.executionArn } : {}),
    status,
    version: typeof item.triageVersion === 'number' ? item.triageVersion : 0,
    assignee: typeof item.assignee === 'string' ? item.assignee : null,
    ...(typeof item.triageUpdatedAt === 'string' ? { updatedAt: item.triageUpdatedAt } : {}),
    ...(typeof item.triageUpdatedBy === 'string' ? { updatedBy: item.triageUpdatedBy } : {}),
    history: Array.isArray(item.triageHistory) ? (item.triageHistory as TriageHistoryEntry[]) : [],
  };
}
