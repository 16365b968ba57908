// The timeouts must add up: retries inside the machine's timeout, the machine inside the consumer's timeout
// and Express's five minutes, and the queue's visibility timeout at least six times the consumer's.
import { readFileSync } from 'node:fs';
import { loadServiceDefinition, loadStateMachineDefinition, localFunctionArn } from '../../local/service-definition.js';

interface Retrier { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number }
interface TaskState { Type: string; TimeoutSeconds: number; Retry?: Retrier[]; Resource: string }

const service = loadServiceDefinition();
const definition = JSON.parse(loadStateMachineDefinition(service, (fn) => localFunctionArn(fn))) as {
  TimeoutSeconds: number;
  States: Record<string, TaskState>;
};

/** Longest a Task can take: every attempt runs to its timeout and every retry waits its longest delay. */
function worstCaseSeconds(state: TaskState): number {
  let attempts = 1;
  let waiting = 0;
  for (const retrier of state.Retry ?? []) {
    const maxAttempts = retrier.MaxAttempts ?? 3;
    attempts += maxAttempts;
    for (let retry = 0; retry < maxAttempts; retry++) {
      const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** retry;
      waiting += Math.min(delay, retrier.MaxDelaySeconds ?? Infinity);
    }
  }
  return attempts * state.TimeoutSeconds + waiting;
}

const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
const { triage, functions } = service;

describe('timeout budget', () => {
  it('every Task on the longest path, retries included, fits the machine timeout', () => {
    const total = tasks.reduce((sum, [, state]) => sum + worstCaseSeconds(state), 0);
    expect(total).toBeLessThanOrEqual(definition.TimeoutSeconds);
  });

  it('each state function times out before its Task does', () => {
    for (const [name, state] of tasks) {
      const fn = functions[service.stateMachine.taskFunctions[name] as string];
      expect(fn?.timeoutSeconds).toBeLessThan(state.TimeoutSeconds);
    }
  });

  it('the machine fits in Express five minutes and in the consumer timeout', () => {
    expect(definition.TimeoutSeconds).toBeLessThanOrEqual(300);
    expect(definition.TimeoutSeconds).toBeLessThan(functions.processFeedback!.timeoutSeconds);
    expect(triage.consumerTimeout).toBe(functions.processFeedback!.timeoutSeconds);
  });

  it('the visibility timeout is at least six times the consumer timeout', () => {
    expect(triage.visibilityTimeout).toBeGreaterThanOrEqual(6 * triage.consumerTimeout);
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
    for (const machine of Object.values(service.stateMachines).filter((m) => m.key.startsWith('feedbackTriage'))) {
      collect(JSON.parse(readFileSync(machine.definitionFile as string, 'utf8')), machine.key);
    }
    expect(settings.length).toBeGreaterThanOrEqual(9);
    for (const [where, value] of settings) {
      expect({ where, value }).toEqual({ where, value: expect.stringMatching(/^\$\{self:custom\.triage\.\w+\}$/) });
    }
    expect(definition.TimeoutSeconds).toBe(triage.executionTimeout);
    for (const [, state] of tasks) expect(state.TimeoutSeconds).toBe(triage.taskTimeout);
  });

  it('the alert claim outlives the notify function, so a live publisher is never overtaken', () => {
    expect(Number(functions.notifyNegative!.environment.ALERT_CLAIM_SECONDS)).toBe(triage.alertClaimSeconds);
    expect(triage.alertClaimSeconds).toBeGreaterThan(functions.notifyNegative!.timeoutSeconds);
  });
});
