// The local EventBridge event bus: rules with validated event patterns, and delivery of each matching event to
// every target of every rule that matches, with the target's Input / InputPath / InputTransformer applied as
// EventBridge applies them. Delivery is at least once on AWS; here each putEvent delivers once per matching rule.
import { randomUUID } from 'node:crypto';
import { compileEventPattern, InvalidEventPatternError, matchesEventPattern, type EventPattern } from './pattern.js';

export const DEFAULT_EVENT_BUS = 'default';

export interface RuleTarget {
  id: string;
  arn: string;
  /** A constant JSON text sent instead of the event. */
  input?: string;
  /** A JSONPath ($.detail, $.detail.object.key) selecting the part of the event sent. */
  inputPath?: string;
  inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
  /** An SQS queue that receives the events this target could not take (the target's DeadLetterConfig). */
  deadLetterArn?: string;
}

export interface RuleDefinition {
  name: string;
  eventBusName?: string;
  /** The event pattern, as PutRule takes it (JSON text or its parsed form). */
  eventPattern: unknown;
  enabled?: boolean;
  targets: RuleTarget[];
}

/** An event as EventBridge delivers it (the envelope fields plus detail). */
export interface BusEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface Delivery {
  eventId: string;
  rule: string;
  targetId: string;
  targetArn: string;
  /** What the target answered (for a state machine, the execution ARN). */
  result?: string;
  error?: string;
  attempts: number;
  /** Set when a failed delivery's event went to the target's dead-letter queue. */
  deadLettered?: boolean;
}

/** Sends one input to one target; rejects when the target refused it. */
export type DeliverToTarget = (target: RuleTarget, input: string, event: BusEvent) => Promise<string>;

export interface LocalEventBusOptions {
  rules: RuleDefinition[];
  deliver: DeliverToTarget;
  /** Attempts per target before a delivery is recorded as failed (EventBridge retries with backoff). */
  maxAttempts?: number;
  /** Pause before the first retry, doubled each time. */
  retryDelayMs?: number;
  onDeliveryFailed?: (delivery: Delivery) => void;
  /** Sends an event a target could not take to the target's dead-letter queue, as EventBridge does. */
  sendToDeadLetter?: (queueArn: string, event: BusEvent, delivery: Delivery) => Promise<void>;
}

interface CompiledRule extends RuleDefinition {
  pattern: EventPattern;
}

/** A JSONPath of the simple form EventBridge accepts for InputPath and InputPathsMap: `$`, `$.a.b`, `$.a[0]`. */
export function selectPath(event: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`InputPath must start with $: ${path}`);
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g)];
  const consumed = steps.reduce((length, step) => length + step[0].length, 1);
  if (consumed !== path.length) throw new Error(`Unsupported JSONPath: ${path}`);
  return steps.reduce<unknown>((node, step) => {
    if (node === undefined || node === null) return undefined;
    const key = step[1] ?? step[3];
    if (key !== undefined) return typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    return Array.isArray(node) ? node[Number(step[2])] : undefined;
  }, event);
}

/** The input a target receives for an event. */
export function targetInput(target: RuleTarget, event: BusEvent): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(selectPath(event, target.inputPath) ?? null);
  if (target.inputTransformer) {
    const values = Object.fromEntries(
      Object.entries(target.inputTransformer.inputPathsMap ?? {}).map(([name, path]) => [name, selectPath(event, path)]),
    );
    // Strings go in as their text (the template supplies any quotes); other values as JSON.
    return target.inputTransformer.inputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (placeholder, name: string) => {
      if (name === 'aws.events.event' || name === 'aws.events.event.json') return JSON.stringify(event);
      if (!(name in values)) return placeholder;
      const value = values[name];
      if (typeof value === 'string') return JSON.stringify(value).slice(1, -1);
      return JSON.stringify(value ?? null);
    });
  }
  return JSON.stringify(event);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LocalEventBus {
  private readonly rules: CompiledRule[];
  private readonly log: Delivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private eventsPut = 0;
  private eventsMatched = 0;

  constructor(private readonly options: LocalEventBusOptions) {
    const names = new Set<string>();
    this.rules = options.rules.map((rule) => {
      const bus = rule.eventBusName ?? DEFAULT_EVENT_BUS;
      if (names.has(`${bus}/${rule.name}`)) throw new Error(`Two EventBridge rules are named ${rule.name} on the ${bus} bus`);
      names.add(`${bus}/${rule.name}`);
      if (rule.targets.length === 0) throw new Error(`EventBridge rule ${rule.name} has no target`);
      try {
        return { ...rule, pattern: compileEventPattern(rule.eventPattern) };
      } catch (error) {
        if (error instanceof InvalidEventPatternError) throw new Error(`EventBridge rule ${rule.name}: ${error.message}`, { cause: error });
        throw error;
      }
    });
  }

  /** The enabled rules of a bus that match the event. */
  matchingRules(event: unknown, eventBusName = DEFAULT_EVENT_BUS): string[] {
    return this.matching(event, eventBusName).map((rule) => rule.name);
  }

  private matching(event: unknown, eventBusName: string): CompiledRule[] {
    return this.rules.filter(
      (rule) => rule.enabled !== false && (rule.eventBusName ?? DEFAULT_EVENT_BUS) === eventBusName && matchesEventPattern(rule.pattern, event),
    );
  }

  /**
   * Routes one event through the bus's rules and delivers it to each matching rule's targets. Resolves once
   * every delivery has succeeded or used its attempts; a failed delivery is recorded, never thrown.
   */
  async putEvent(event: BusEvent, eventBusName = DEFAULT_EVENT_BUS): Promise<Delivery[]> {
    this.eventsPut++;
    const matched = this.matching(event, eventBusName);
    if (matched.length > 0) this.eventsMatched++;
    const work = Promise.all(matched.flatMap((rule) => rule.targets.map((target) => this.deliver(rule, target, event))));
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async deliver(rule: CompiledRule, target: RuleTarget, event: BusEvent): Promise<Delivery> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    const delivery: Delivery = { eventId: event.id, rule: rule.name, targetId: target.id, targetArn: target.arn, attempts: 0 };
    let input: string;
    try {
      input = targetInput(target, event);
    } catch (error) {
      delivery.error = `The target's input could not be built: ${(error as Error).message}`;
      return this.record(delivery);
    }
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      delivery.attempts = attempt;
      try {
        delivery.result = await this.options.deliver(target, input, event);
        delivery.error = undefined;
        break;
      } catch (error) {
        delivery.error = `${(error as Error).name}: ${(error as Error).message}`;
        if (attempt < maxAttempts) await pause((this.options.retryDelayMs ?? 50) * 2 ** (attempt - 1));
      }
    }
    if (delivery.error && target.deadLetterArn && this.options.sendToDeadLetter) {
      try {
        await this.options.sendToDeadLetter(target.deadLetterArn, event, delivery);
        delivery.deadLettered = true;
      } catch (error) {
        delivery.error += `; the dead-letter queue refused it too: ${(error as Error).message}`;
      }
    }
    return this.record(delivery);
  }

  private record(delivery: Delivery): Delivery {
    this.log.push(delivery);
    if (delivery.error) this.options.onDeliveryFailed?.(delivery);
    return delivery;
  }

  /** Every delivery made so far, oldest first. */
  deliveries(): readonly Delivery[] {
    return this.log;
  }

  /** Resolves when no delivery is in flight. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  stats(): { rules: number; eventsPut: number; eventsMatched: number; delivered: number; failed: number } {
    const failed = this.log.filter((delivery) => delivery.error).length;
    return { rules: this.rules.length, eventsPut: this.eventsPut, eventsMatched: this.eventsMatched, delivered: this.log.length - failed, failed };
  }
}

/** A new event in EventBridge's envelope, as an AWS service would put it on the default bus. */
export function newBusEvent(fields: Omit<BusEvent, 'version' | 'id' | 'time'> & { time?: Date }): BusEvent {
  const { time, ...rest } = fields;
  // EventBridge stamps times to the second.
  return { version: '0', id: randomUUID(), time: (time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'), ...rest };
}
