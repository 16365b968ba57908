/**
 * One execution's event history, in GetExecutionHistory's vocabulary: records the library's state events
 * (through history-capture.ts) and the Task calls (from tasks.ts) in the order they happen, then numbers them as
 * AWS HistoryEvents with ids, previousEventId and timestamps. A Standard history is translated when the execution
 * ends; an Express one (`deferred`) only when it is first read, so recording costs an Express run almost nothing.
 */
import type { EventSink, LibraryEvent, LibraryEventLogger } from './history-capture.js';

/** AWS: an execution history holds at most 25,000 events; an execution that needs more fails. */
export const MAX_HISTORY_EVENTS = 25_000;
/** Event loop turns waited after the end for the library's forwarded events that link nested runs. */
const SETTLE_TURNS = 20;
const EVENT_OVERHEAD_BYTES = 96;

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch milliseconds. */
  timestamp: number;
  type: string;
  /** The HistoryEvent member that carries the details, e.g. `stateEnteredEventDetails`. */
  detailsKey?: string;
  details?: Record<string, unknown>;
}

/** The outcome of one Task call, reported by the task runner. */
export interface TaskCall {
  succeeded(output: unknown): void;
  failed(error: string, cause: string): void;
}

interface AwsEvent {
  type: string;
  detailsKey?: string;
  details?: Record<string, unknown>;
}

/** One run of the library: the execution itself, a Map iteration or a Parallel branch. */
interface Scope {
  role?: 'root' | 'map-iteration' | 'parallel-branch';
  parent?: Scope;
  mapName?: string;
  index?: number;
  /** The Task state this run is in, so a Task call can be attributed to its run. */
  activeTask?: string;
  openCall?: OpenCall;
  caught: boolean;
  ended: boolean;
  lastEventId: number;
  /** Map state name of the iterations this run launched, by index. */
  iterationMaps: Map<number, string>;
}

interface RawEntry {
  scope: Scope;
  timestamp: number;
  library?: LibraryEvent;
  aws?: AwsEvent;
  /** On a StateExited: a Catch handled this state's failure, so it did not succeed. */
  caught?: boolean;
  /** The terminal event follows the last event, whatever run produced it. */
  terminal?: boolean;
}

const json = (value: unknown): string => JSON.stringify(value ?? null);

/**
 * A value a history event carries as JSON text, serialised when the event is translated rather than when it is
 * recorded. Safe because the values are never mutated after the fact: the task runner hands out and takes back
 * JSON copies, and the library updates state data by copying (ResultPath, Parameters).
 */
class JsonText {
  constructor(readonly value: unknown) {}
}

class OpenCall implements TaskCall {
  private closed = false;

  constructor(
    private readonly history: ExecutionHistory,
    private readonly scope: Scope,
    /** Lambda function ARN resources give LambdaFunction* events; `lambda:invoke` gives Task* events. */
    private readonly prefix: 'LambdaFunction' | 'Task',
    private readonly resourceDetails: Record<string, unknown>,
  ) {}

  succeeded(output: unknown): void {
    this.close('Succeeded', { output: new JsonText(output), outputDetails: { truncated: false } });
  }

  failed(error: string, cause: string): void {
    this.close('Failed', { error, cause });
  }

  timedOut(): void {
    this.close('TimedOut', { error: 'States.Timeout' });
  }

  private close(outcome: string, details: Record<string, unknown>): void {
    if (this.closed) return;
    this.closed = true;
    if (this.scope.openCall === this) this.scope.openCall = undefined;
    const type = `${this.prefix}${outcome}`;
    this.history.record(this.scope, { type, detailsKey: detailsKeyOf(type), details: { ...this.resourceDetails, ...details } });
  }
}

function detailsKeyOf(type: string): string {
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

export interface HistoryOptions {
  roleArn: string;
  /**
   * Called once when the history reaches MAX_HISTORY_EVENTS (AWS fails a Standard execution then). Without it,
   * the history keeps its first events and drops the rest (an Express execution goes on: AWS has no such quota).
   */
  onLimit?: () => void;
  /** Translate only when read (Express), not when the execution ends (Standard). */
  deferred?: boolean;
  /**
   * Bytes of state data the untranslated events hold between them: they share the library's state objects by
   * reference, so about the input and what the Tasks added to it, not a copy per event as once translated.
   */
  payloadHint?: number;
}

export class ExecutionHistory implements EventSink {
  private readonly scopes: Scope[] = [];
  /** Which run first dispatched an event object; the library forwards the same object to the parent run. */
  private readonly origin = new WeakMap<object, Scope>();
  private raw: RawEntry[] = [];
  private translatedUpTo = 0;
  private readonly events: HistoryEvent[] = [];
  private closed = false;
  private limitReached = false;
  /** Every event is in `raw`: nested runs are linked, so translation never waits for more. */
  private complete = false;
  private bytes = 0;
  private readonly roleArn: string;
  /** Set when the execution has ended; resolves once the history is final. */
  settled?: Promise<number>;
  /** True when events past MAX_HISTORY_EVENTS were dropped. */
  truncated = false;

  constructor(private readonly options: HistoryOptions) {
    this.roleArn = options.roleArn;
  }

  /** Memory held: measured for translated events, estimated for those not translated yet. */
  sizeBytes(): number {
    const untranslated = this.raw.length - this.translatedUpTo;
    return this.bytes + (untranslated > 0 ? untranslated * EVENT_OVERHEAD_BYTES + (this.options.payloadHint ?? 0) : 0);
  }

  attach(logger: LibraryEventLogger): void {
    const scope: Scope = {
      role: this.scopes.length === 0 ? 'root' : undefined,
      caught: false,
      ended: false,
      lastEventId: 0,
      iterationMaps: new Map(),
    };
    this.scopes.push(scope);
    const dispatch = logger.dispatch;
    logger.dispatch = (event: LibraryEvent) => {
      this.observe(scope, event);
      dispatch.call(logger, event);
    };
  }

  lambdaCall(stateName: string, resource: string, input: unknown): TaskCall {
    const scope = this.taskScope(stateName);
    const call = new OpenCall(this, scope, 'LambdaFunction', {});
    scope.openCall = call;
    this.record(scope, {
      type: 'LambdaFunctionScheduled',
      detailsKey: 'lambdaFunctionScheduledEventDetails',
      details: { resource, input: new JsonText(input), inputDetails: { truncated: false } },
    });
    this.record(scope, { type: 'LambdaFunctionStarted' });
    return call;
  }

  serviceCall(stateName: string, resourceType: string, resource: string, region: string, parameters: unknown): TaskCall {
    const scope = this.taskScope(stateName);
    const call = new OpenCall(this, scope, 'Task', { resourceType, resource });
    scope.openCall = call;
    this.record(scope, {
      type: 'TaskScheduled',
      detailsKey: 'taskScheduledEventDetails',
      details: { resourceType, resource, region, parameters: new JsonText(parameters) },
    });
    this.record(scope, { type: 'TaskStarted', detailsKey: 'taskStartedEventDetails', details: { resourceType, resource } });
    return call;
  }

  /**
   * Appends the terminal event; the history is final once `settled` resolves (with its size in bytes). A deferred
   * history is translated by the first snapshot after that.
   */
  finish(terminal: AwsEvent): Promise<number> {
    if (this.settled) return this.settled;
    this.raw.push({ scope: this.scopes[0]!, timestamp: Date.now(), aws: terminal, terminal: true });
    this.closed = true;
    const linked = (): Promise<number> => {
      this.complete = true;
      if (!this.options.deferred) this.translateAll();
      return Promise.resolve(this.sizeBytes());
    };
    // Nested runs are linked to their Map/Parallel by events the library forwards a few turns later.
    this.settled = this.scopes.some((s) => s.role === undefined)
      ? (async () => {
          for (let turn = 0; turn < SETTLE_TURNS && this.scopes.some((s) => s.role === undefined); turn++) {
            await new Promise((resolve) => setImmediate(resolve));
          }
          return linked();
        })()
      : linked();
    return this.settled;
  }

  /** Events known so far, in order (stable: an event's id never changes). */
  snapshot(): readonly HistoryEvent[] {
    if (this.complete) this.translateAll();
    else this.translate(false);
    return this.events;
  }

  /** Translates what is left of a complete history and lets the raw entries go. */
  private translateAll(): void {
    if (this.raw.length === 0) return;
    this.translate(true);
    this.raw = [];
    this.translatedUpTo = 0;
  }

  /** @internal Used by task calls. */
  record(scope: Scope, aws: AwsEvent): void {
    if (this.closed) return;
    this.push({ scope, timestamp: Date.now(), aws });
  }

  private push(entry: RawEntry): void {
    if (this.raw.length + this.events.length >= MAX_HISTORY_EVENTS) {
      if (!this.options.onLimit) {
        this.truncated = true;
        return;
      }
      if (!this.limitReached) {
        this.limitReached = true;
        // Not from inside the library's dispatch: stopping aborts the run.
        queueMicrotask(this.options.onLimit);
      }
    }
    this.raw.push(entry);
  }

  private taskScope(stateName: string): Scope {
    for (const scope of this.scopes) if (!scope.ended && scope.activeTask === stateName && !scope.openCall) return scope;
    return this.scopes[0]!;
  }

  private observe(scope: Scope, event: LibraryEvent): void {
    const from = this.origin.get(event);
    if (from) {
      // The same object forwarded to the parent run: the first forward tells whose child `from` is.
      if (from !== scope && from.role === undefined) {
        from.parent = scope;
        if (typeof event.index === 'number') {
          from.role = 'map-iteration';
          from.index = event.index;
          from.mapName = scope.iterationMaps.get(event.index);
        } else {
          from.role = 'parallel-branch';
        }
      }
      return;
    }
    if (event.type === 'MapIterationStarted' && typeof event.index === 'number' && event.parentState) {
      scope.iterationMaps.set(event.index, event.parentState.name);
      return;
    }
    if (event.type.startsWith('MapIteration') || event.type.startsWith('ParallelBranch')) return;
    if (this.closed) return;
    this.origin.set(event, scope);
    const entry: RawEntry = { scope, timestamp: event.timestamp, library: event };
    switch (event.type) {
      case 'StateEntered':
        scope.activeTask = event.state?.type === 'Task' ? event.state.name : undefined;
        scope.caught = false;
        break;
      case 'StateFailed':
        if (event.state?.type === 'Task' && event.Error === 'States.Timeout') scope.openCall?.timedOut();
        break;
      case 'StateCaught':
        scope.caught = true;
        break;
      case 'StateExited':
        entry.caught = scope.caught;
        scope.activeTask = undefined;
        break;
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        scope.ended = true;
        // The server writes the execution's own terminal event from its final status.
        if (scope.role === 'root') return;
        break;
      default:
        break;
    }
    this.push(entry);
  }

  private translate(final: boolean): void {
    let i = this.translatedUpTo;
    for (; i < this.raw.length; i++) {
      const entry = this.raw[i]!;
      const produced = entry.aws ? [entry.aws] : this.fromLibrary(entry, final);
      if (produced === 'blocked') break;
      for (const aws of produced) this.append(entry, aws);
    }
    this.translatedUpTo = i;
  }

  private append(entry: RawEntry, aws: AwsEvent): void {
    const id = this.events.length + 1;
    const { scope } = entry;
    const previousEventId = entry.terminal
      ? id - 1
      : scope.lastEventId > 0
        ? scope.lastEventId
        : (scope.parent?.lastEventId ?? id - 1);
    scope.lastEventId = id;
    this.bytes += EVENT_OVERHEAD_BYTES;
    if (aws.details) {
      for (const key in aws.details) {
        let value = aws.details[key];
        if (value instanceof JsonText) aws.details[key] = value = json(value.value);
        if (typeof value === 'string') this.bytes += value.length;
      }
    }
    this.events.push({ id, previousEventId, timestamp: entry.timestamp, ...aws });
  }

  private fromLibrary(entry: RawEntry, final: boolean): AwsEvent[] | 'blocked' {
    const { scope } = entry;
    const event = entry.library!;
    const state = event.state;
    switch (event.type) {
      case 'ExecutionStarted':
        if (scope.role === 'root') {
          return [
            {
              type: 'ExecutionStarted',
              detailsKey: 'executionStartedEventDetails',
              details: { input: json(event.input), inputDetails: { truncated: false }, roleArn: this.roleArn },
            },
          ];
        }
        return this.iterationEvent(scope, 'Started', final);
      case 'ExecutionSucceeded':
        return this.iterationEvent(scope, 'Succeeded', final);
      case 'ExecutionFailed':
        return this.iterationEvent(scope, 'Failed', final);
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        return this.iterationEvent(scope, 'Aborted', final);
      case 'StateEntered': {
        const entered: AwsEvent[] = [
          {
            type: `${state!.type}StateEntered`,
            detailsKey: 'stateEnteredEventDetails',
            details: { name: state!.name, input: json(state!.input), inputDetails: { truncated: false } },
          },
        ];
        if (state!.type === 'Map' || state!.type === 'Parallel') entered.push({ type: `${state!.type}StateStarted` });
        return entered;
      }
      case 'StateExited': {
        const exited: AwsEvent = {
          type: `${state!.type}StateExited`,
          detailsKey: 'stateExitedEventDetails',
          details: { name: state!.name, output: json(state!.output), outputDetails: { truncated: false } },
        };
        const composite = state!.type === 'Map' || state!.type === 'Parallel';
        return composite && !entry.caught ? [{ type: `${state!.type}StateSucceeded` }, exited] : [exited];
      }
      case 'StateFailed':
        return state!.type === 'Map' || state!.type === 'Parallel' ? [{ type: `${state!.type}StateFailed` }] : [];
      default:
        // StateRetried and StateCaught have no event of their own in AWS's history.
        return [];
    }
  }

  private iterationEvent(scope: Scope, outcome: 'Started' | 'Succeeded' | 'Failed' | 'Aborted', final: boolean): AwsEvent[] | 'blocked' {
    if (scope.role === undefined) return final ? [] : 'blocked';
    if (scope.role !== 'map-iteration') return [];
    const type = `MapIteration${outcome}`;
    return [{ type, detailsKey: detailsKeyOf(type), details: { name: scope.mapName ?? '', index: scope.index } }];
  }
}
