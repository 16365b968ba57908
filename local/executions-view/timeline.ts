/**
 * An execution's history events, read as a state-by-state timeline: when each state was entered and left, its
 * input and output, every Task attempt with its error (the retries), and the Catch that moved it on. Events of
 * Map iterations and Parallel branches are attributed to their own run through `previousEventId`, which points
 * to the previous event of the same run (see local/stepfunctions/README.md, "Execution history").
 */
import type { HistoryEvent } from '../stepfunctions/server.js';

export interface Attempt {
  /** 1 for the first call, 2 for the first retry, ... */
  number: number;
  /** Epoch milliseconds. */
  scheduledAt: number;
  endedAt?: number;
  durationMs?: number;
  outcome: 'running' | 'succeeded' | 'failed' | 'timed out';
  error?: string;
  cause?: string;
}

export type StateOutcome = 'running' | 'succeeded' | 'caught' | 'failed' | 'timed out' | 'aborted';

export interface StateRun {
  /** The id of its StateEntered event: unique within the execution. */
  id: number;
  name: string;
  /** ASL state type: Task, Choice, Pass, Map, Parallel, Wait, Succeed, Fail. */
  type: string;
  /** The Map or Parallel state run this one ran in. */
  parentId?: number;
  /** Its Map iteration's index. */
  iteration?: number;
  enteredAt: number;
  exitedAt?: number;
  /** Until it exited, or until the execution ended while it was in this state. */
  durationMs?: number;
  outcome: StateOutcome;
  /** JSON text, as the history carries it. */
  input?: string;
  output?: string;
  attempts: Attempt[];
  /** Task calls after the first. */
  retries: number;
  /** The error that ended it, when it failed without a Catch (the execution's failure). */
  error?: { error?: string; cause?: string };
  /** When a Catch handled its failure: the error and the state the Catch went to. */
  caught?: { error?: string; cause?: string; next?: string };
  /** The state entered after it, in the same run. */
  next?: string;
}

const COMPOSITE = new Set(['Map', 'Parallel']);
const TERMINAL_OUTCOME: Record<string, StateOutcome> = {
  ExecutionFailed: 'failed',
  ExecutionTimedOut: 'timed out',
  ExecutionAborted: 'aborted',
};

function details(event: HistoryEvent): Record<string, unknown> {
  return event.details ?? {};
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The states of an execution in the order they were entered. `endedAt`: when the execution ended, if it has. */
export function buildTimeline(events: readonly HistoryEvent[], endedAt?: number): StateRun[] {
  const runs: StateRun[] = [];
  const byId = new Map<number, StateRun>();
  /** The state run open in an event's own run after that event (undefined: between states at the top level). */
  const openAfter = new Map<number, StateRun | undefined>();
  /** The Map iteration an event belongs to. */
  const iterationAfter = new Map<number, number | undefined>();
  /** The state run an exit event closed, so the next state entered after it can be named. */
  const exitedBy = new Map<number, StateRun>();
  const failedComposite = new Set<StateRun>();
  let terminal: StateOutcome | undefined;

  const parentOf = (run: StateRun | undefined): StateRun | undefined => (run?.parentId === undefined ? undefined : byId.get(run.parentId));

  for (const event of events) {
    const open = openAfter.get(event.previousEventId);
    const iteration = iterationAfter.get(event.previousEventId);
    let after: StateRun | undefined = open;
    let afterIteration = iteration;
    const type = event.type;
    const d = details(event);

    if (type.endsWith('StateEntered')) {
      // The run it is entered in: a Map or Parallel state is the parent of the states of its iterations/branches.
      const parent = open && COMPOSITE.has(open.type) ? open : parentOf(open);
      const run: StateRun = {
        id: event.id,
        name: text(d.name) ?? '',
        type: type.slice(0, -'StateEntered'.length),
        ...(parent ? { parentId: parent.id } : {}),
        ...(iteration !== undefined ? { iteration } : {}),
        enteredAt: event.timestamp,
        outcome: 'running',
        ...(text(d.input) !== undefined ? { input: text(d.input) } : {}),
        attempts: [],
        retries: 0,
      };
      const previous = exitedBy.get(event.previousEventId);
      if (previous) {
        previous.next = run.name;
        if (previous.caught) previous.caught.next = run.name;
      }
      runs.push(run);
      byId.set(run.id, run);
      after = run;
    } else if (type.endsWith('StateExited') && open) {
      open.exitedAt = event.timestamp;
      open.durationMs = event.timestamp - open.enteredAt;
      if (text(d.output) !== undefined) open.output = text(d.output);
      const last = open.attempts[open.attempts.length - 1];
      // A state that leaves after its last attempt failed (or after its Map/Parallel failed) was moved on by a Catch.
      if ((last && last.outcome !== 'succeeded' && last.outcome !== 'running') || failedComposite.has(open)) {
        open.outcome = 'caught';
        open.caught = last && last.outcome !== 'succeeded' ? { error: last.error, cause: last.cause } : {};
      } else {
        open.outcome = 'succeeded';
      }
      exitedBy.set(event.id, open);
      after = parentOf(open);
    } else if (type === 'MapIterationStarted') {
      afterIteration = typeof d.index === 'number' ? d.index : undefined;
    } else if (type === 'MapStateFailed' || type === 'ParallelStateFailed') {
      if (open) failedComposite.add(open);
    } else if (open && (type === 'LambdaFunctionScheduled' || type === 'TaskScheduled')) {
      open.attempts.push({ number: open.attempts.length + 1, scheduledAt: event.timestamp, outcome: 'running' });
      open.retries = open.attempts.length - 1;
    } else if (open && /^(LambdaFunction|Task)(Succeeded|Failed|TimedOut)$/.test(type)) {
      const attempt = open.attempts[open.attempts.length - 1];
      if (attempt) {
        attempt.endedAt = event.timestamp;
        attempt.durationMs = event.timestamp - attempt.scheduledAt;
        attempt.outcome = type.endsWith('Succeeded') ? 'succeeded' : type.endsWith('TimedOut') ? 'timed out' : 'failed';
        if (text(d.error) !== undefined) attempt.error = text(d.error);
        if (text(d.cause) !== undefined) attempt.cause = text(d.cause);
      }
    } else if (type in TERMINAL_OUTCOME) {
      terminal = TERMINAL_OUTCOME[type];
    }
    openAfter.set(event.id, after);
    iterationAfter.set(event.id, afterIteration);
  }

  // States still open when the execution ended: a Fail state, a Task whose last attempt failed, or cut short.
  for (const run of runs) {
    if (run.exitedAt !== undefined) continue;
    const last = run.attempts[run.attempts.length - 1];
    if (run.type === 'Fail') {
      run.outcome = 'failed';
    } else if (last && (last.outcome === 'failed' || last.outcome === 'timed out')) {
      run.outcome = last.outcome;
      run.error = { error: last.error, cause: last.cause };
    } else if (terminal) {
      run.outcome = terminal;
    }
    if (endedAt !== undefined) run.durationMs = Math.max(0, endedAt - run.enteredAt);
  }
  return runs;
}
