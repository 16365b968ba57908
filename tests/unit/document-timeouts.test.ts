// The document moderation timeouts must add up: the longest path through the workflow, every retry taken and
// the text loop at its cap, fits the machine's TimeoutSeconds; each function gives up before its Task does;
// and the claims, leases and derived objects outlive what they guard. Recomputed from the ASL file and
// serverless/document-moderation.yml, so changing a number in either cannot break the sums unseen.
import { loadServiceDefinition, loadStateMachineDefinition, localFunctionArn } from '../../local/service-definition.js';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface State {
  Type: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  MaxConcurrency?: number;
  Branches?: Array<{ States: Record<string, State> }>;
  ItemProcessor?: { States: Record<string, State> };
  Choices?: Array<Record<string, unknown>>;
}

const service = loadServiceDefinition();
const machineInfo = service.stateMachines.DocumentModerationStateMachine!;
const definition = JSON.parse(loadStateMachineDefinition(service, (fn) => localFunctionArn(fn), machineInfo.logicalId)) as {
  TimeoutSeconds: number;
  States: Record<string, State>;
};
const settings = service.documents as {
  maxImages: number;
  imagesPerBatch: number;
  maxToxicityCalls: number;
  toxicityCallsPerInvocation: number;
  alertClaimSeconds: number;
  derivedExpirationDays: number;
};

function allStates(states: Record<string, State>): Record<string, State> {
  const found: Record<string, State> = {};
  for (const [name, state] of Object.entries(states)) {
    found[name] = state;
    for (const branch of state.Branches ?? []) Object.assign(found, allStates(branch.States));
    if (state.ItemProcessor) Object.assign(found, allStates(state.ItemProcessor.States));
  }
  return found;
}
const states = allStates(definition.States);
const task = (name: string): State => {
  const state = states[name];
  if (state?.Type !== 'Task') throw new Error(`${name} is no Task of the document moderation machine`);
  return state;
};

/** A retrier's waits, longest case: full jitter only ever shortens them. */
function retryDelays(retrier: Retrier): number[] {
  return Array.from({ length: retrier.MaxAttempts ?? 3 }, (_, retry) =>
    Math.min((retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** retry, retrier.MaxDelaySeconds ?? Infinity),
  );
}

/** Longest a Task can take: each retrier used up (their counts are separate), every attempt running to the timeout. */
function worstCaseSeconds(name: string): number {
  const state = task(name);
  const retriers = state.Retry ?? [];
  const attempts = 1 + retriers.reduce((sum, retrier) => sum + (retrier.MaxAttempts ?? 3), 0);
  const waiting = retriers.flatMap(retryDelays).reduce((sum, delay) => sum + delay, 0);
  return attempts * (state.TimeoutSeconds as number) + waiting;
}

const mapState = states.ModerateImages!;
/** Manifests of the largest document ExtractImages accepts. */
const maxManifests = Math.ceil(settings.maxImages / settings.imagesPerBatch);
/**
 * Passes of the text loop at most. A pass ends early only at the end of the text (done), so every pass but the
 * last makes toxicityCallsPerInvocation calls, and the loop's Choice stops at maxToxicityCalls.
 */
const maxTextPasses = Math.ceil(settings.maxToxicityCalls / settings.toxicityCallsPerInvocation);

/**
 * The Map's longest run: iteration i starts by the time floor(i / MaxConcurrency) iterations of its slot have
 * ended, so n iterations of at most w seconds end within ceil(n / MaxConcurrency) * w.
 */
const imagesBranch = () =>
  worstCaseSeconds('ExtractImages') +
  Math.ceil(maxManifests / (mapState.MaxConcurrency as number)) * worstCaseSeconds('ModerateImageBatch') +
  worstCaseSeconds('NotifyImages');
const textBranch = () => worstCaseSeconds('ExtractText') + maxTextPasses * worstCaseSeconds('ModerateText') + worstCaseSeconds('NotifyText');
/** AcceptDocument, the slower branch, then RecordVerdict failing for good and RecordFailed after it. */
const longestPath = () =>
  worstCaseSeconds('AcceptDocument') +
  Math.max(imagesBranch(), textBranch()) +
  worstCaseSeconds('RecordVerdict') +
  worstCaseSeconds('RecordFailed');

const taskNames = Object.entries(states).filter(([, state]) => state.Type === 'Task').map(([name]) => name);

describe('document moderation timeout budget', () => {
  it('the longest path, every retry taken and the text loop at its cap, fits the machine timeout', () => {
    expect(longestPath()).toBeLessThanOrEqual(definition.TimeoutSeconds);
  });

  it('the budget is not padded beyond reason: the longest path uses most of the machine timeout', () => {
    // A machine timeout far above the worst case would only delay the detection of a stuck execution.
    expect(longestPath()).toBeGreaterThan(definition.TimeoutSeconds / 2);
  });

  it('the text loop is bounded by the ASL itself: its Choice stops at maxToxicityCalls', () => {
    const [loop] = states.TextCovered!.Choices as Array<{ And: Array<Record<string, unknown>>; Next: string }>;
    expect(loop?.Next).toBe('ModerateText');
    expect(loop?.And).toContainEqual({ Variable: '$.toxicity.calls', NumericLessThan: settings.maxToxicityCalls });
    expect(maxTextPasses * settings.toxicityCallsPerInvocation).toBeGreaterThanOrEqual(settings.maxToxicityCalls);
  });

  it('each function times out before its Task, so a slow run ends as Sandbox.Timedout, which is retried', () => {
    expect(taskNames).toHaveLength(11);
    for (const name of taskNames) {
      const fn = service.functions[machineInfo.taskFunctions[name] as string]!;
      expect({ name, fn: fn.timeoutSeconds }).toEqual({ name, fn: expect.any(Number) });
      expect(fn.timeoutSeconds).toBeLessThan(task(name).TimeoutSeconds as number);
      expect(fn.timeoutSeconds).toBeLessThanOrEqual(900);
    }
  });

  it('a PROCESSING claim lasts as long as an execution can, so only a timed-out or stopped one is taken over', () => {
    expect(Number(service.functions.acceptDocument!.environment.PROCESSING_CLAIM_SECONDS)).toBe(definition.TimeoutSeconds);
  });

  it('an alert claim outlives the notify function, and the wait for another delivery outlasts the claim', () => {
    const claim = Number(service.functions.notifyOffensive!.environment.DOCUMENT_ALERT_CLAIM_SECONDS);
    expect(claim).toBe(settings.alertClaimSeconds);
    expect(claim).toBeGreaterThan(service.functions.notifyOffensive!.timeoutSeconds);
    for (const name of ['NotifyImages', 'NotifyText']) {
      const inProgress = task(name).Retry!.find((retrier) => retrier.ErrorEquals.includes('AlertInProgressError'))!;
      // Without jitter, so the waits are exactly these and a lapsed lease is always reached.
      expect(inProgress.JitterStrategy).toBe('NONE');
      expect(retryDelays(inProgress).reduce((sum, delay) => sum + delay, 0)).toBeGreaterThan(claim);
    }
  });

  it('derived images and text outlive any execution that reads them', () => {
    expect(settings.derivedExpirationDays * 86_400).toBeGreaterThan(definition.TimeoutSeconds);
  });

  it("the largest document stays far inside a Standard execution's 25,000 history events", () => {
    // Per Task attempt: scheduled, started, ended (3); per state entered: entered, exited (2); per Map iteration: 2 more.
    const events = (name: string) => 2 + 3 * (1 + (task(name).Retry ?? []).reduce((sum, retrier) => sum + (retrier.MaxAttempts ?? 3), 0));
    const worst =
      events('AcceptDocument') +
      maxManifests * (2 + events('ModerateImageBatch')) +
      maxTextPasses * (events('ModerateText') + 2) +
      ['ExtractImages', 'ExtractText', 'NotifyImages', 'NotifyText', 'RecordVerdict', 'RecordFailed'].reduce((sum, name) => sum + events(name), 0) +
      // Choices, Passes, the Parallel and the Map themselves.
      50;
    expect(worst).toBeLessThan(25_000 / 4);
  });
});
