// The numbers of custom.triage must add up: retries inside the machine's timeout, the machine inside the
// consumer's timeout and Express's five minutes, the queue's visibility timeout at least six times the consumer's,
// and the concurrency caps under Comprehend's quota. Each sum is the one written beside the settings in
// serverless/feedback-triage.yml, redone here from the ASL files and the resolved configuration.
import { readFileSync } from 'node:fs';
import { throughputCeiling, triageQuotaSettings } from '../../local/quota/triage-quotas.js';
import { loadServiceDefinition, loadStateMachineDefinition, localFunctionArn, type StateMachineInfo } from '../../local/service-definition.js';

interface Retrier { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number }
interface State {
  Type: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: Array<{ Next: string }>;
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next: string }>;
  Branches?: Machine[];
  ItemProcessor?: Machine;
}
interface Machine { StartAt: string; States: Record<string, State>; TimeoutSeconds?: number }

const service = loadServiceDefinition();
const machines = Object.values(service.stateMachines).filter((machine) => machine.key.startsWith('feedbackTriage'));
const definitionOf = (machine: StateMachineInfo) => JSON.parse(loadStateMachineDefinition(service, (fn) => localFunctionArn(fn), machine.logicalId)) as Machine;
const perMessage = definitionOf(service.stateMachine);
const { triage, functions } = service;
const quotas = triageQuotaSettings(service);

/** Seconds a retrier can wait in all: every retry at its longest delay. */
function retryWaits(retrier: Retrier): number {
  let waiting = 0;
  for (let retry = 0; retry < (retrier.MaxAttempts ?? 3); retry++) {
    waiting += Math.min((retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** retry, retrier.MaxDelaySeconds ?? Infinity);
  }
  return waiting;
}

/** Longest a Task can take: every attempt of every retrier runs to its timeout and every retry waits its longest. */
function worstCaseSeconds(state: State): number {
  const retriers = state.Retry ?? [];
  const attempts = 1 + retriers.reduce((sum, retrier) => sum + (retrier.MaxAttempts ?? 3), 0);
  return attempts * (state.TimeoutSeconds as number) + retriers.reduce((sum, retrier) => sum + retryWaits(retrier), 0);
}

/** The longest path through a machine, every branch, Catch and Choice followed (the triage machines have no loops). */
function longestPathSeconds(machine: Machine, from = machine.StartAt): number {
  const state = machine.States[from] as State;
  const own =
    state.Type === 'Task'
      ? worstCaseSeconds(state)
      : state.Type === 'Parallel'
        ? Math.max(...(state.Branches ?? []).map((branch) => longestPathSeconds(branch)))
        : state.Type === 'Map'
          ? longestPathSeconds(state.ItemProcessor as Machine)
          : 0;
  const next = [state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next), ...(state.Catch ?? []).map((c) => c.Next)].filter(
    (name): name is string => Boolean(name),
  );
  return own + Math.max(0, ...[...new Set(next)].map((name) => longestPathSeconds(machine, name)));
}

/** Every Task of a machine, nested ones included, with the function behind it. */
function tasksOf(machine: StateMachineInfo): Array<[string, State, string]> {
  const found: Array<[string, State, string]> = [];
  const walk = (definition: Machine) => {
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type === 'Task') found.push([name, state, machine.taskFunctions[name] as string]);
      for (const branch of state.Branches ?? []) walk(branch);
      if (state.ItemProcessor) walk(state.ItemProcessor);
    }
  };
  walk(definitionOf(machine));
  return found;
}

describe('timeout budget', () => {
  it.each(machines.map((machine) => [machine.key, machine] as const))('%s: its longest path, retries included, fits its TimeoutSeconds', (_key, machine) => {
    const definition = definitionOf(machine);
    expect(definition.TimeoutSeconds).toBe(triage.executionTimeout);
    expect(longestPathSeconds(definition)).toBeLessThanOrEqual(triage.executionTimeout);
  });

  it('the longest path is the one written beside executionTimeout (159 s), so the comment stays true', () => {
    expect(machines.map((machine) => longestPathSeconds(definitionOf(machine)))).toEqual(machines.map(() => 159));
  });

  it('each state function times out before its Task does, with room for a cold start', () => {
    for (const machine of machines) {
      for (const [name, state, fn] of tasksOf(machine)) {
        expect({ task: name, fn: functions[fn]?.timeoutSeconds }).toEqual({ task: name, fn: triage.stateTimeout });
        expect(state.TimeoutSeconds).toBe(triage.taskTimeout);
        // Init counts against the Task: at least 2 s for it (measured median cold init: 62 ms).
        expect(triage.taskTimeout - triage.stateTimeout).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('the machine fits Express five minutes, and the consumer fits every round of executions it may run', () => {
    expect(triage.executionTimeout).toBeLessThanOrEqual(300);
    expect(triage.consumerTimeout).toBe(functions.processFeedback!.timeoutSeconds);
    // perMessage: batchSize messages, executionConcurrency at a time, each up to executionTimeout; perBatch runs fewer rounds.
    const rounds = Math.ceil(triage.batchSize / triage.executionConcurrency);
    expect(triage.consumerTimeout).toBeGreaterThan(rounds * triage.executionTimeout);
    expect(triage.consumerTimeout).toBeLessThanOrEqual(900);
  });

  it('the visibility timeout is at least six times the consumer timeout', () => {
    expect(triage.visibilityTimeout).toBeGreaterThanOrEqual(6 * triage.consumerTimeout);
    expect((service.resources.FeedbackQueue?.Properties as { VisibilityTimeout: number }).VisibilityTimeout).toBe(triage.visibilityTimeout);
  });

  it('the consumer dead-letters on the same receive count as the redrive policy', () => {
    const queue = service.resources.FeedbackQueue?.Properties as { RedrivePolicy: { maxReceiveCount: number } };
    expect(Number(functions.processFeedback!.environment.MAX_RECEIVE_COUNT)).toBe(queue.RedrivePolicy.maxReceiveCount);
  });

  it('the triage ASL files take every timeout and the Map concurrency from custom.triage, their one home', () => {
    const settings: Array<[string, unknown]> = [];
    const collect = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((item, index) => collect(item, `${path}[${index}]`));
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'TimeoutSeconds' || key === 'MaxConcurrency') settings.push([`${path}.${key}`, value]);
          collect(value, `${path}.${key}`);
        }
      }
    };
    for (const machine of machines) collect(JSON.parse(readFileSync(machine.definitionFile as string, 'utf8')), machine.key);
    expect(settings.length).toBeGreaterThanOrEqual(9);
    for (const [where, value] of settings) {
      expect({ where, value }).toEqual({ where, value: expect.stringMatching(/^\$\{self:custom\.triage\.\w+\}$/) });
    }
  });

  it('the alert claim outlives the notify function, so a live publisher is never overtaken', () => {
    expect(Number(functions.notifyNegative!.environment.ALERT_CLAIM_SECONDS)).toBe(triage.alertClaimSeconds);
    expect(triage.alertClaimSeconds).toBeGreaterThan(functions.notifyNegative!.timeoutSeconds);
  });
});

describe('throttling retries', () => {
  const retriers = perMessage.States.DetectSentiment?.Retry ?? [];
  const throttling = retriers.find((retrier) => retrier.ErrorEquals.includes('DependencyThrottledError'));
  const transient = retriers.find((retrier) => retrier.ErrorEquals.includes('TransientDependencyError'));

  it('wait long enough to outlast many quota windows (one second each), far longer than other transient failures', () => {
    expect(throttling).toBeDefined();
    expect(retryWaits(throttling as Retrier)).toBeGreaterThanOrEqual(30);
    expect(retryWaits(throttling as Retrier)).toBeGreaterThan(5 * retryWaits(transient as Retrier));
  });
});

describe('concurrency caps under Comprehend quota', () => {
  const rawFunctions = service.raw.functions as Record<string, { events: Array<{ sqs?: { maximumConcurrency?: number } }> }>;
  const sqsEvent = rawFunctions.processFeedback?.events.find((event) => event.sqs)?.sqs;
  const callsPerExecutionPerSecond = 1 / quotas.shortestExecutionSeconds;

  it('the event source caps consumers with the maximumConcurrency of the execution mode, within what SQS allows', () => {
    const mode = triage.executionMode ?? 'perMessage';
    expect(sqsEvent?.maximumConcurrency).toBe(quotas.maximumConcurrency[mode]);
    for (const value of Object.values(quotas.maximumConcurrency)) {
      expect(value).toBeGreaterThanOrEqual(2);
      expect(value).toBeLessThanOrEqual(1000);
    }
  });

  it('perMessage: consumers x executions each x calls per execution per second stay within the DetectSentiment quota', () => {
    const inFlight = quotas.maximumConcurrency.perMessage * quotas.executionConcurrency;
    expect(inFlight * callsPerExecutionPerSecond).toBeLessThanOrEqual(quotas.comprehendRequestsPerSecond.DetectSentiment as number);
    expect(Number(functions.processFeedback!.environment.EXECUTION_CONCURRENCY)).toBe(quotas.executionConcurrency);
  });

  it('perBatch: one execution per consumer, one BatchDetectSentiment each, within its quota', () => {
    expect(quotas.maximumConcurrency.perBatch * callsPerExecutionPerSecond).toBeLessThanOrEqual(quotas.comprehendRequestsPerSecond.BatchDetectSentiment as number);
  });

  // With sentimentLanguage auto each execution also asks for the language: a second operation under its own quota,
  // so the same caps must fit it too; per batch, BatchDetectSentiment is called once per language in the batch.
  const settings = triage as unknown as { sentimentLanguage: string; sentimentLanguagesPerBatch: number };
  const quota = (operation: string) => quotas.comprehendRequestsPerSecond[operation] as number;

  it('auto, perMessage: the language call stays within the DetectDominantLanguage quota as the sentiment call does', () => {
    const inFlight = quotas.maximumConcurrency.perMessage * quotas.executionConcurrency;
    expect(inFlight * callsPerExecutionPerSecond).toBeLessThanOrEqual(quota('DetectDominantLanguage'));
  });

  it('auto, perBatch: one BatchDetectDominantLanguage and a BatchDetectSentiment per language a batch, within their quotas', () => {
    expect(Number.isInteger(settings.sentimentLanguagesPerBatch) && settings.sentimentLanguagesPerBatch >= 1).toBe(true);
    const executionsPerSecond = quotas.maximumConcurrency.perBatch * callsPerExecutionPerSecond;
    expect(executionsPerSecond).toBeLessThanOrEqual(quota('BatchDetectDominantLanguage'));
    expect(executionsPerSecond * settings.sentimentLanguagesPerBatch).toBeLessThanOrEqual(quota('BatchDetectSentiment'));
  });

  it('the detectSentiment function gets its language settings from custom.triage, their one home', () => {
    const environment = functions.detectSentiment!.environment;
    expect(environment.SENTIMENT_LANGUAGE).toBe(settings.sentimentLanguage);
    expect(environment.SENTIMENT_FALLBACK_LANGUAGE).toBe((triage as unknown as { sentimentFallbackLanguage: string }).sentimentFallbackLanguage);
  });

  it('the caps use the quota: each mode may reach at least half its throughput ceiling', () => {
    const perMessageRate = quotas.maximumConcurrency.perMessage * quotas.executionConcurrency * callsPerExecutionPerSecond;
    const perBatchRate = quotas.maximumConcurrency.perBatch * callsPerExecutionPerSecond * triage.batchSize;
    expect(perMessageRate).toBeGreaterThanOrEqual(throughputCeiling('perMessage', quotas.comprehendRequestsPerSecond, quotas) / 2);
    expect(perBatchRate).toBeGreaterThanOrEqual(throughputCeiling('perBatch', quotas.comprehendRequestsPerSecond, quotas) / 2);
  });
});
