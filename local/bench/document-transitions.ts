// State transitions a Standard execution of the document moderation machine is billed, counted on the real ASL
// file (the definition serverless.yml resolves) run by aws-local-stepfunctions with stand-in Tasks that answer
// in the contract's shapes for a given document: one transition per state entered, nested states included.
import '../stepfunctions/polyfills.js';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type {
  AcceptDocumentOutput,
  DocumentRef,
  ExtractImagesOutput,
  ExtractTextOutput,
  ModerateImagesOutput,
  NotifyOffensiveOutput,
  RecordVerdictInput,
  RecordVerdictOutput,
  TextModeration,
} from '../../functions/document-moderation/shared/contract.js';
import { loadStateMachineDefinition, localFunctionArn, type ServiceDefinition, type StateMachineInfo } from '../service-definition.js';
import { HISTORY_SINK, installEventCapture, type EventSink, type LibraryEvent } from '../stepfunctions/history-capture.js';

/** What a document makes the workflow do (an accepted upload; rejected and failed ones take shorter paths). */
export interface TransitionScenario {
  /** Manifests ExtractImages lists: one Map iteration each. */
  manifests: number;
  /** ModerateText passes until the text is covered (at least one). */
  textPasses: number;
  imagesOffensive: boolean;
  textOffensive: boolean;
}

export interface TransitionCount {
  total: number;
  /** States entered, by name. */
  byState: Record<string, number>;
}

type Json = Record<string, unknown>;
type Handler = (input: Json) => Promise<unknown>;

const DOCUMENT: DocumentRef = { documentId: 'transitions', bucket: 'documents', key: 'uploads/profile.pdf', size: 1 };
const EXECUTION_ARN = 'arn:aws:states:us-east-1:000000000000:execution:documents:transitions';

/** The machine the documents bucket's EventBridge rule starts. */
export function documentStateMachine(service: ServiceDefinition): StateMachineInfo {
  const machine = Object.values(service.stateMachines).find((candidate) => candidate.events.length > 0);
  if (!machine) throw new Error('No state machine of serverless.yml has an eventBridge event: there is no document pipeline to cost');
  return machine;
}

/** The Task answers for a scenario, by function (the states that call a function are found in serverless.yml). */
function functionAnswers(scenario: TransitionScenario): Record<string, Handler> {
  const manifestKeys = Array.from({ length: scenario.manifests }, (_, n) => `derived/transitions/manifests/${n + 1}.json`);
  const lastManifest = manifestKeys.at(-1);
  return {
    acceptDocument: async (): Promise<AcceptDocumentOutput> => ({ outcome: 'ACCEPTED', document: DOCUMENT }),
    extractImages: async (): Promise<ExtractImagesOutput> => ({ pages: 1, imageCount: scenario.manifests, undecodable: 0, imageBatches: manifestKeys }),
    moderateImages: async (input): Promise<ModerateImagesOutput> => {
      const offensive = scenario.imagesOffensive && input.manifestKey === lastManifest;
      return {
        moderated: 1,
        skipped: 0,
        offensive,
        flagged: offensive ? [{ imageKey: 'derived/transitions/images/1-1.png', page: 1, labels: [{ name: 'Explicit Nudity', confidence: 99 }] }] : [],
        flaggedCount: offensive ? 1 : 0,
      };
    },
    extractText: async (): Promise<ExtractTextOutput> => ({ pages: 1, textKey: 'derived/transitions/text.txt', characters: 1, bytes: 1, pagesWithoutText: 0 }),
    moderateText: async (input): Promise<TextModeration> => {
      const previous = input.toxicity as TextModeration | undefined;
      const calls = (previous?.calls ?? 0) + 1;
      const done = calls >= scenario.textPasses;
      const offensive = scenario.textOffensive && done;
      return {
        cursor: calls,
        done,
        calls,
        segmentsChecked: calls,
        truncated: false,
        language: 'en',
        languageSupported: true,
        toxicity: offensive ? 0.9 : 0.01,
        labels: offensive ? [{ name: 'INSULT', score: 0.9 }] : [],
        offensive,
        excerpts: [],
      };
    },
    notifyOffensive: async (): Promise<NotifyOffensiveOutput> => ({ notified: true, messageId: 'transitions' }),
    recordVerdict: async (input): Promise<RecordVerdictOutput> => {
      const results = (input as unknown as RecordVerdictInput).results;
      const offensive = results ? results[0].offensive || results[1].toxicity.offensive : false;
      return { documentId: DOCUMENT.documentId, status: offensive ? 'OFFENSIVE' : 'CLEAN' };
    },
  };
}

/** Counts the states a run enters; the library hands a nested run's events to its parent too, so each is counted once. */
class StateEntries implements EventSink {
  readonly byState: Record<string, number> = {};
  private readonly seen = new WeakSet<object>();

  attach(logger: { dispatch(event: LibraryEvent): void }): void {
    const dispatch = logger.dispatch;
    logger.dispatch = (event: LibraryEvent) => {
      if (!this.seen.has(event)) {
        this.seen.add(event);
        if (event.type === 'StateEntered' && event.state) this.byState[event.state.name] = (this.byState[event.state.name] ?? 0) + 1;
      }
      dispatch.call(logger, event);
    };
  }
}

export class DocumentTransitionCounter {
  private readonly machine: StateMachine;
  private readonly taskFunctions: Record<string, string>;

  constructor(service: ServiceDefinition) {
    installEventCapture();
    const info = documentStateMachine(service);
    this.taskFunctions = info.taskFunctions;
    const definition = JSON.parse(loadStateMachineDefinition(service, (fn) => localFunctionArn(fn), info.logicalId)) as StateMachineDefinition;
    // Construction validates the definition (about 100 ms): once per counter.
    this.machine = new StateMachine(definition);
  }

  async count(scenario: TransitionScenario): Promise<TransitionCount> {
    if (!Number.isInteger(scenario.manifests) || scenario.manifests < 0) throw new Error(`manifests must be a whole number, got ${scenario.manifests}`);
    if (!Number.isInteger(scenario.textPasses) || scenario.textPasses < 1) throw new Error(`textPasses must be a whole number of at least 1, got ${scenario.textPasses}`);
    const answers = functionAnswers(scenario);
    const handlers: Record<string, Handler> = {};
    for (const [state, fn] of Object.entries(this.taskFunctions)) {
      const answer = answers[fn];
      if (!answer) throw new Error(`The Task ${state} calls ${fn}, which the transition count has no answer for`);
      handlers[state] = answer;
    }
    const entries = new StateEntries();
    const options: RunOptions & { [HISTORY_SINK]: EventSink } = {
      overrides: { taskResourceLocalHandlers: handlers as NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'] },
      context: { Execution: { Id: EXECUTION_ARN } },
      [HISTORY_SINK]: entries,
    };
    const output = (await this.machine.run({}, options).result) as Json;
    const status = output.status;
    const expected = (scenario.imagesOffensive && scenario.manifests > 0) || scenario.textOffensive ? 'OFFENSIVE' : 'CLEAN';
    if (status !== expected) throw new Error(`The workflow recorded ${String(status)} for a scenario that should end ${expected}`);
    const total = Object.values(entries.byState).reduce((sum, n) => sum + n, 0);
    return { total, byState: entries.byState };
  }
}
