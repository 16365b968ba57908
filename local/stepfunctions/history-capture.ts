/**
 * Hooks aws-local-stepfunctions' per-run event loggers so an execution's events are seen synchronously,
 * in the order they happen, nested Map iterations and Parallel branches included.
 *
 * Why: the library's public `eventLogs` forwards nested events asynchronously and closes the root log
 * when the execution ends, so events of states late in a branch arrive out of order or are dropped.
 * The hook wraps the (private) `execute` method of StateMachine once; it does nothing for runs whose
 * options do not carry HISTORY_SINK, so other users of the library are unaffected.
 */
import './polyfills.js';

import { StateMachine } from 'aws-local-stepfunctions';

/** The run option that names the history an execution (and every nested run) reports to. */
export const HISTORY_SINK = Symbol('local-stepfunctions.history-sink');

/** A library event, as its EventLogger dispatches it (only the fields read here). */
export interface LibraryEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  index?: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  parentState?: { name: string; type: string };
  Error?: string;
  Cause?: unknown;
}

export interface LibraryEventLogger {
  dispatch(event: LibraryEvent): void;
}

export interface EventSink {
  /** Called for the root run first, then for each nested run (Map iteration, Parallel branch) as it starts. */
  attach(logger: LibraryEventLogger): void;
}

type Execute = (input: unknown, options: { runOptions?: Record<symbol, unknown>; eventLogger?: LibraryEventLogger }, cleanup: unknown) => unknown;

let installed = false;

export function installEventCapture(): void {
  if (installed) return;
  const proto = StateMachine.prototype as unknown as { execute?: Execute };
  const original = proto.execute;
  if (typeof original !== 'function') {
    throw new Error('aws-local-stepfunctions: StateMachine.prototype.execute not found; execution history capture needs version 3.0.x');
  }
  proto.execute = function execute(this: unknown, input, options, cleanup) {
    const sink = options?.runOptions?.[HISTORY_SINK] as EventSink | undefined;
    if (sink && options.eventLogger) sink.attach(options.eventLogger);
    return original.call(this, input, options, cleanup);
  };
  installed = true;
}
