// Executes the real document moderation ASL file with aws-local-stepfunctions: both branches of the Parallel,
// the Map over 0, 1 and many manifests, every Choice, each Retry and Catch, a Task timeout and the machine's.
// The Tasks are fixture handlers keyed by state name (the functions themselves have their own tests): they
// answer in the shapes of functions/document-moderation/shared/contract.ts and record what they were given.
import '../../local/stepfunctions/polyfills.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { ExecutionTimeoutError, StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  loadServiceDefinition,
  loadStateMachineDefinition,
  localFunctionArn,
  projectRoot,
} from '../../local/service-definition.js';
import type {
  DocumentRef,
  ExtractImagesOutput,
  ExtractTextOutput,
  FlaggedImage,
  ModerateImagesOutput,
  TextModeration,
} from '../../functions/document-moderation/shared/contract.js';

type Json = Record<string, unknown>;
type State = Json & { Type: string };
type Retrier = { ErrorEquals: string[]; MaxAttempts: number; JitterStrategy?: string; MaxDelaySeconds?: number; BackoffRate?: number };

const service = loadServiceDefinition();
const definition = JSON.parse(
  loadStateMachineDefinition(service, (fn) => localFunctionArn(fn), 'DocumentModerationStateMachine'),
) as StateMachineDefinition & { TimeoutSeconds: number; States: Record<string, State> };
const settings = service.documents as {
  imageMapConcurrency: number;
  maxToxicityCalls: number;
  toxicityCallsPerInvocation: number;
  maxImages: number;
  imagesPerBatch: number;
};

/** Every state, nested ones (Parallel branches, the Map's processor) included, by name. */
function allStates(machine: { States: Record<string, State> }): Record<string, State> {
  const found: Record<string, State> = {};
  for (const [name, state] of Object.entries(machine.States)) {
    found[name] = state;
    for (const branch of (state.Branches as Array<{ States: Record<string, State> }> | undefined) ?? []) Object.assign(found, allStates(branch));
    const processor = state.ItemProcessor as { States: Record<string, State> } | undefined;
    if (processor) Object.assign(found, allStates(processor));
  }
  return found;
}
const states = allStates(definition);
const taskNames = Object.entries(states).filter(([, state]) => state.Type === 'Task').map(([name]) => name);
const retriers = (stateName: string) => states[stateName]!.Retry as Retrier[];
/** Attempts a Task makes on an error its first retrier covers: the first one and MaxAttempts retries. */
const attemptsOn = (stateName: string) => 1 + retriers(stateName)[0]!.MaxAttempts;

const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Lambda.ClientExecutionTimeoutException',
  'Sandbox.Timedout',
  'Runtime.ExitError',
  'TransientDependencyError',
];

const objectCreated = JSON.parse(readFileSync(join(projectRoot, 'events/documentModeration.json'), 'utf8')) as Json;
const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:feedback-triage-local-documents:upload-1';
const document: DocumentRef = {
  documentId: 'Wq3xT8uLk2nA0fP7dY5sHc1RbVj9mE4G',
  bucket: 'feedback-triage-local-documents',
  key: 'uploads/2026/11/20/reading-guide-infinite-jest.pdf',
  versionId: 'Wq3xT8uLk2nA0fP7dY5sHc1RbVj9mE4G',
  etag: '9b2cf535f27731c974343645a3985328',
  size: 184320,
};

type Handler = (input: Json) => Promise<unknown>;

function namedError(name: string, message = `${name} raised`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const manifests = (count: number) => Array.from({ length: count }, (_, n) => `derived/${document.documentId}/manifests/${n}.json`);
const flagged = (manifestKey: string): FlaggedImage => ({
  imageKey: manifestKey.replace('manifests/', 'images/').replace('.json', '-1.png'),
  page: 2,
  labels: [{ name: 'Explicit Nudity', parentName: 'Explicit', confidence: 97.1 }],
});

/** The text's moderation after one more pass: `passes` passes cover the text, `offensive` marks the last one. */
function textPass(previous: TextModeration | undefined, passes: number, offensive = false): TextModeration {
  const calls = (previous?.calls ?? 0) + settings.toxicityCallsPerInvocation;
  const done = calls >= passes * settings.toxicityCallsPerInvocation;
  return {
    cursor: calls * 10 * 1024,
    done,
    calls,
    segmentsChecked: calls * 10,
    truncated: false,
    language: 'en',
    languageSupported: true,
    toxicity: offensive && done ? 0.93 : 0.04,
    labels: offensive && done ? [{ name: 'INSULT', score: 0.93 }] : [],
    offensive: offensive && done,
    excerpts: offensive && done ? ['you are all idiots'] : [],
  };
}

interface Scenario {
  manifests?: number;
  offensiveManifests?: number[];
  textPasses?: number;
  textOffensive?: boolean;
}

/** Fixture handlers for every Task state, answering a scenario; each can be replaced, and every call is kept. */
function tasks(scenario: Scenario = {}, overrides: Record<string, Handler> = {}) {
  const { manifests: count = 2, offensiveManifests = [], textPasses = 1, textOffensive = false } = scenario;
  const imageBatches = manifests(count);
  const calls: Record<string, Json[]> = Object.fromEntries(taskNames.map((name) => [name, []]));
  const recorded: Handler = async (input) => {
    const failure = input.failure as { Error: string } | undefined;
    if (input.rejection || failure?.Error === 'DocumentRejectedError') return { documentId: document.documentId, status: 'REJECTED' };
    if (failure) return { documentId: document.documentId, status: 'FAILED' };
    const [images, text] = input.results as [{ offensive: boolean }, { toxicity: TextModeration }];
    return { documentId: document.documentId, status: images.offensive || text.toxicity.offensive ? 'OFFENSIVE' : 'CLEAN' };
  };
  const defaults: Record<string, Handler> = {
    AcceptDocument: async () => ({ outcome: 'ACCEPTED', document }),
    ExtractImages: async (): Promise<ExtractImagesOutput> => ({ pages: 3, imageCount: count * 25, imageBatches, undecodable: 0 }),
    ModerateImageBatch: async (input): Promise<ModerateImagesOutput> => {
      const offensive = offensiveManifests.includes(imageBatches.indexOf(input.manifestKey as string));
      return { moderated: 25, skipped: 0, offensive, flagged: offensive ? [flagged(input.manifestKey as string)] : [], flaggedCount: offensive ? 1 : 0 };
    },
    NotifyImages: async () => ({ notified: true, messageId: 'sns-images-1' }),
    ExtractText: async (): Promise<ExtractTextOutput> => ({
      pages: 3,
      textKey: `derived/${document.documentId}/text.txt`,
      characters: 5200,
      bytes: 5230,
      pagesWithoutText: 0,
    }),
    ModerateText: async (input) => textPass(input.toxicity as TextModeration | undefined, textPasses, textOffensive),
    NotifyText: async () => ({ notified: true, messageId: 'sns-text-1' }),
    RecordVerdict: recorded,
    RecordUploadRefused: recorded,
    RecordRejected: recorded,
    RecordFailed: recorded,
  };
  expect(Object.keys(defaults).sort()).toEqual([...taskNames].sort());
  const handlers = Object.fromEntries(
    taskNames.map((name) => [
      name,
      async (input: Json) => {
        calls[name]!.push(structuredClone(input));
        return (overrides[name] ?? defaults[name]!)(input);
      },
    ]),
  );
  return { calls, handlers, imageBatches };
}

// Construction validates the definition and costs ~100 ms: build each machine once.
const machine = new StateMachine(definition);
const noRetryDelay = Object.fromEntries(taskNames.map((name) => [name, 0]));

function execute(handlers: Record<string, Handler>, stateMachine = machine, input: unknown = objectCreated) {
  return stateMachine.run(input as Parameters<StateMachine['run']>[0], {
    overrides: {
      taskResourceLocalHandlers: handlers as NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'],
      retryIntervalOverrides: noRetryDelay,
    },
    context: { Execution: { Id: executionArn } },
  }).result as Promise<Json>;
}

/** The execution's failure as AWS reports it: the error name, and the cause (the library keeps it as the message). */
async function failure(promise: Promise<unknown>): Promise<{ error: string; cause: string; thrown: Error }> {
  try {
    await promise;
  } catch (thrown) {
    const inner = (thrown as Error).cause as Error | undefined;
    return { error: inner?.name ?? (thrown as Error).name, cause: inner?.message ?? '', thrown: thrown as Error };
  }
  throw new Error('expected the execution to fail');
}

describe('the definition', () => {
  it('passes asl-validator once its variables are resolved', async () => {
    const { isValid, errors } = await aslValidator(definition as never);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('calls the seven workflow functions, each Task through its own state', () => {
    expect(service.stateMachines.DocumentModerationStateMachine!.taskFunctions).toEqual({
      AcceptDocument: 'acceptDocument',
      ExtractImages: 'extractImages',
      ModerateImageBatch: 'moderateImages',
      NotifyImages: 'notifyOffensive',
      ExtractText: 'extractText',
      ModerateText: 'moderateText',
      NotifyText: 'notifyOffensive',
      RecordVerdict: 'recordVerdict',
      RecordUploadRefused: 'recordVerdict',
      RecordRejected: 'recordVerdict',
      RecordFailed: 'recordVerdict',
    });
  });

  it('gives every Task a timeout and a jittered, capped Retry on the transient errors', () => {
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
    for (const name of taskNames) {
      const state = states[name]!;
      expect({ name, timeout: state.TimeoutSeconds }).toEqual({ name, timeout: expect.any(Number) });
      const [transient] = retriers(name);
      expect(transient?.ErrorEquals).toEqual(TRANSIENT_ERRORS);
      expect(transient).toMatchObject({ JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number), BackoffRate: expect.any(Number) });
    }
  });

  it('catches every failure of a top-level Task or of the Parallel: none ends the execution unhandled', () => {
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task' && state.Type !== 'Parallel') continue;
      const catchers = state.Catch as Array<{ ErrorEquals: string[] }>;
      expect({ name, last: catchers.at(-1)?.ErrorEquals }).toEqual({ name, last: ['States.ALL'] });
    }
  });

});

describe('a document accepted for moderation', () => {
  it('runs both branches and records a CLEAN verdict with both results, alerting nobody', async () => {
    const { calls, handlers, imageBatches } = tasks();
    const output = await execute(handlers);
    expect(output).toEqual({ documentId: document.documentId, status: 'CLEAN' });
    expect(calls.AcceptDocument).toEqual([{ event: objectCreated, executionArn }]);
    expect(calls.ExtractImages).toEqual([{ document }]);
    expect(calls.ExtractText).toEqual([{ document }]);
    expect(calls.NotifyImages).toHaveLength(0);
    expect(calls.NotifyText).toHaveLength(0);
    expect(calls.RecordVerdict).toEqual([
      {
        document,
        executionArn,
        results: [
          {
            document,
            extraction: { pages: 3, imageCount: 50, imageBatches, undecodable: 0 },
            batches: [
              { moderated: 25, skipped: 0, offensive: false, flagged: [], flaggedCount: 0 },
              { moderated: 25, skipped: 0, offensive: false, flagged: [], flaggedCount: 0 },
            ],
            offensive: false,
          },
          { document, extraction: expect.objectContaining({ textKey: `derived/${document.documentId}/text.txt` }), toxicity: expect.objectContaining({ done: true, offensive: false }) },
        ],
      },
    ]);
  });

  it('moves the document by reference: every Task input stays a few KB for the largest clean document', async () => {
    const manifestCount = Math.ceil(settings.maxImages / settings.imagesPerBatch);
    const { calls, handlers } = tasks({ manifests: manifestCount, textPasses: 3 });
    await execute(handlers);
    const sizes = Object.entries(calls).flatMap(([name, inputs]) => inputs.map((input) => [name, JSON.stringify(input).length] as const));
    expect(sizes.length).toBeGreaterThan(manifestCount);
    for (const [name, size] of sizes) expect({ name, size: size < 16 * 1024 }).toEqual({ name, size: true });
  });

  it('keeps only the contract fields of each image batch, whatever else a function returns', async () => {
    const { calls, handlers } = tasks({}, {
      ModerateImageBatch: async () => ({ moderated: 1, skipped: 0, offensive: false, flagged: [], flaggedCount: 0, debug: 'x'.repeat(1000) }),
    });
    await execute(handlers);
    const [images] = calls.RecordVerdict![0]!.results as [{ batches: Json[] }];
    for (const batch of images.batches) expect(Object.keys(batch).sort()).toEqual(['flagged', 'flaggedCount', 'moderated', 'offensive', 'skipped']);
  });
});

describe('the Map over image manifests', () => {
  it('a document without images: no iteration, the images branch ends not offensive', async () => {
    const { calls, handlers } = tasks({ manifests: 0 });
    await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'CLEAN' });
    expect(calls.ModerateImageBatch).toHaveLength(0);
    expect(calls.NotifyImages).toHaveLength(0);
    const [images] = calls.RecordVerdict![0]!.results as [Json];
    expect(images).toEqual({ document, extraction: { pages: 3, imageCount: 0, imageBatches: [], undecodable: 0 }, batches: [], offensive: false });
  });

  it('one manifest: one iteration, given the document and the manifest key', async () => {
    const { calls, handlers, imageBatches } = tasks({ manifests: 1, offensiveManifests: [0] });
    await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'OFFENSIVE' });
    expect(calls.ModerateImageBatch).toEqual([{ document, manifestKey: imageBatches[0] }]);
    expect(calls.NotifyImages).toEqual([{ document, kind: 'images', images: [flagged(imageBatches[0]!)], flaggedCount: [1] }]);
  });

  it('many manifests: one iteration each, results in manifest order, never more in flight than MaxConcurrency', async () => {
    const count = settings.imageMapConcurrency * 3 + 1;
    let inFlight = 0;
    let mostInFlight = 0;
    const { calls, handlers, imageBatches } = tasks(
      { manifests: count },
      {
        ModerateImageBatch: async (input) => {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          // Later manifests finish first, so the order of the results is the Map's doing, not the timing's.
          const index = imageBatches.indexOf(input.manifestKey as string);
          await new Promise((resolve) => setTimeout(resolve, (count - index) % 4));
          inFlight--;
          return { moderated: index, skipped: 0, offensive: false, flagged: [], flaggedCount: 0 };
        },
      },
    );
    await execute(handlers);
    expect(calls.ModerateImageBatch!.map((input) => input.manifestKey).sort()).toEqual([...imageBatches].sort());
    expect(mostInFlight).toBe(settings.imageMapConcurrency);
    const [images] = calls.RecordVerdict![0]!.results as [{ batches: ModerateImagesOutput[] }];
    expect(images.batches.map((batch) => batch.moderated)).toEqual(imageBatches.map((_, index) => index));
  });

  it('any offensive manifest among many makes the images offensive, and the alert lists every flagged image', async () => {
    const { calls, handlers, imageBatches } = tasks({ manifests: 7, offensiveManifests: [1, 5] });
    await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'OFFENSIVE' });
    expect(calls.NotifyImages).toEqual([{ document, kind: 'images', images: [flagged(imageBatches[1]!), flagged(imageBatches[5]!)], flaggedCount: [0, 1, 0, 0, 0, 1, 0] }]);
    expect(calls.NotifyText).toHaveLength(0);
    const [images] = calls.RecordVerdict![0]!.results as [Json];
    expect(images).toMatchObject({ offensive: true, notification: { notified: true, messageId: 'sns-images-1' } });
  });
});

describe('the text branch', () => {
  it('clean text in one pass: ModerateText starts without a cursor, no alert', async () => {
    const { calls, handlers } = tasks({ textPasses: 1 });
    await execute(handlers);
    expect(calls.ModerateText).toHaveLength(1);
    expect(calls.ModerateText![0]).toEqual({ document, text: expect.objectContaining({ textKey: expect.any(String) }) });
    expect(calls.NotifyText).toHaveLength(0);
  });

  it('loops until the text is covered, each pass continuing from the last one', async () => {
    const { calls, handlers } = tasks({ textPasses: 4 });
    await execute(handlers);
    expect(calls.ModerateText).toHaveLength(4);
    expect(calls.ModerateText!.map((input) => (input.toxicity as TextModeration | undefined)?.calls)).toEqual([
      undefined,
      settings.toxicityCallsPerInvocation,
      2 * settings.toxicityCallsPerInvocation,
      3 * settings.toxicityCallsPerInvocation,
    ]);
    const [, text] = calls.RecordVerdict![0]!.results as [unknown, { toxicity: TextModeration }];
    expect(text.toxicity).toMatchObject({ done: true, calls: 4 * settings.toxicityCallsPerInvocation });
  });

  it('stops at the cap on calls even if a pass never reports the text covered', async () => {
    const { calls, handlers } = tasks({}, {
      ModerateText: async (input) => ({ ...textPass(input.toxicity as TextModeration | undefined, Number.MAX_SAFE_INTEGER), done: false }),
    });
    await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'CLEAN' });
    expect(calls.ModerateText).toHaveLength(Math.ceil(settings.maxToxicityCalls / settings.toxicityCallsPerInvocation));
  });

  it('offensive text found on the last of several passes is notified once, with the labels', async () => {
    const { calls, handlers } = tasks({ textPasses: 3, textOffensive: true });
    await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'OFFENSIVE' });
    expect(calls.NotifyText).toEqual([{ document, kind: 'text', text: expect.objectContaining({ offensive: true, labels: [{ name: 'INSULT', score: 0.93 }] }) }]);
    expect(calls.NotifyImages).toHaveLength(0);
    const [, text] = calls.RecordVerdict![0]!.results as [unknown, Json];
    expect(text).toMatchObject({ notification: { notified: true, messageId: 'sns-text-1' } });
  });

  it('offensive images and text: both alerts, one verdict', async () => {
    const { calls, handlers } = tasks({ manifests: 3, offensiveManifests: [2], textOffensive: true });
    await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'OFFENSIVE' });
    expect(calls.NotifyImages).toHaveLength(1);
    expect(calls.NotifyText).toHaveLength(1);
    expect(calls.RecordVerdict).toHaveLength(1);
  });
});

describe('what AcceptDocument decides', () => {
  it('ALREADY_DECIDED (a duplicate event or a rerun): nothing runs, nothing is recorded', async () => {
    const { calls, handlers } = tasks({}, { AcceptDocument: async () => ({ outcome: 'ALREADY_DECIDED', document, status: 'OFFENSIVE' }) });
    await expect(execute(handlers)).resolves.toEqual({ outcome: 'ALREADY_DECIDED', document, status: 'OFFENSIVE' });
    for (const name of taskNames.filter((task) => task !== 'AcceptDocument')) expect({ name, calls: calls[name] }).toEqual({ name, calls: [] });
  });

  it('REJECTED (outside uploads/, over the size limit): recorded with the reason, nothing extracted', async () => {
    const reason = 'the file is 80.0 MB, over the limit of 50.0 MB';
    const { calls, handlers } = tasks({}, { AcceptDocument: async () => ({ outcome: 'REJECTED', document, reason }) });
    await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'REJECTED' });
    expect(calls.RecordUploadRefused).toEqual([{ document, rejection: reason, executionArn }]);
    expect(calls.ExtractImages).toHaveLength(0);
    expect(calls.ExtractText).toHaveLength(0);
    expect(calls.RecordVerdict).toHaveLength(0);
  });

  it('an outcome the workflow does not know is recorded as FAILED, and the execution fails', async () => {
    const { calls, handlers } = tasks({}, { AcceptDocument: async () => ({ outcome: 'MAYBE', document }) });
    const error = await failure(execute(handlers));
    expect(error.error).toBe('UnknownAcceptOutcome');
    expect(calls.RecordFailed).toEqual([{ document, executionArn, failure: { Error: 'UnknownAcceptOutcome', Cause: expect.any(String) } }]);
  });

  it('a malformed event fails the execution with the error and cause, without retrying', async () => {
    const cause = 'AcceptDocument needs an S3 "Object Created" event from EventBridge: detail.object.key is required';
    const { calls, handlers } = tasks({}, {
      AcceptDocument: async () => {
        throw namedError('PermanentDependencyError', cause);
      },
    });
    const error = await failure(execute(handlers));
    expect(error).toMatchObject({ error: 'PermanentDependencyError', cause });
    expect(calls.AcceptDocument).toHaveLength(1);
    expect(calls.RecordFailed).toHaveLength(0);
  });
});

describe('Retry', () => {
  it.each(TRANSIENT_ERRORS)('%s is retried, and the next attempt carries on', async (name) => {
    let attempts = 0;
    const { handlers } = tasks({}, {
      ExtractText: async () => {
        if (++attempts === 1) throw namedError(name);
        return { pages: 1, textKey: 'derived/x/text.txt', characters: 1, bytes: 1, pagesWithoutText: 0 };
      },
    });
    await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'CLEAN' });
    expect(attempts).toBe(2);
  });

  // Every Task but the record ones, which have their own tests below: a transient error on every attempt.
  it.each(['ExtractImages', 'ModerateImageBatch', 'NotifyImages', 'ExtractText', 'ModerateText', 'NotifyText'])(
    '%s gives up after its retries: the verdict is FAILED with the error and cause, and the execution fails',
    async (stateName) => {
      const { calls, handlers } = tasks({ manifests: 1, offensiveManifests: [0], textOffensive: true }, {
        [stateName]: async () => {
          throw namedError('TransientDependencyError', `${stateName}: ThrottlingException: Rate exceeded`);
        },
      });
      const error = await failure(execute(handlers));
      expect(calls[stateName]).toHaveLength(attemptsOn(stateName));
      expect(error).toMatchObject({ error: 'TransientDependencyError', cause: `${stateName}: ThrottlingException: Rate exceeded` });
      expect(calls.RecordFailed).toEqual([
        { document, executionArn, failure: { Error: 'TransientDependencyError', Cause: `${stateName}: ThrottlingException: Rate exceeded` } },
      ]);
      expect(calls.RecordVerdict).toHaveLength(0);
    },
  );

  it('the moderation Tasks retry more often than the others (Rekognition and Comprehend throttle)', () => {
    expect(attemptsOn('ModerateImageBatch')).toBeGreaterThan(attemptsOn('ExtractImages'));
    expect(attemptsOn('ModerateText')).toBe(attemptsOn('ModerateImageBatch'));
  });

  it('AcceptDocument gives up after its retries and fails the execution: without a document there is no record', async () => {
    const { calls, handlers } = tasks({}, {
      AcceptDocument: async () => {
        throw namedError('TransientDependencyError', 'DynamoDB UpdateItem (claim document) failed: InternalServerError');
      },
    });
    const error = await failure(execute(handlers));
    expect(calls.AcceptDocument).toHaveLength(attemptsOn('AcceptDocument'));
    expect(error.error).toBe('TransientDependencyError');
    expect(calls.RecordFailed).toHaveLength(0);
  });

  it.each(['NotifyImages', 'NotifyText'])('%s waits out another delivery publishing the same alert (AlertInProgressError)', async (stateName) => {
    let attempts = 0;
    const alertRetry = retriers(stateName).find((retrier) => retrier.ErrorEquals.includes('AlertInProgressError'))!;
    const { handlers } = tasks({ manifests: 1, offensiveManifests: [0], textOffensive: true }, {
      [stateName]: async () => {
        if (++attempts <= alertRetry.MaxAttempts) throw namedError('AlertInProgressError');
        return { notified: false, skipped: 'already-sent' };
      },
    });
    await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'OFFENSIVE' });
    expect(attempts).toBe(alertRetry.MaxAttempts + 1);
  });

  it('a failed RecordVerdict is retried, then the document is recorded FAILED', async () => {
    const { calls, handlers } = tasks({}, {
      RecordVerdict: async () => {
        throw namedError('TransientDependencyError', 'DynamoDB UpdateItem (record verdict) failed: ServiceUnavailable');
      },
    });
    const error = await failure(execute(handlers));
    expect(calls.RecordVerdict).toHaveLength(attemptsOn('RecordVerdict'));
    expect(calls.RecordFailed).toHaveLength(1);
    expect(error.cause).toContain('ServiceUnavailable');
  });

  it('when even RecordFailed cannot write, the execution fails with the error that stopped the moderation', async () => {
    const { calls, handlers } = tasks({}, {
      ExtractImages: async () => {
        throw namedError('PermanentDependencyError', 'S3 GetObject failed: AccessDenied');
      },
      RecordFailed: async () => {
        throw namedError('TransientDependencyError', 'DynamoDB is down');
      },
    });
    const error = await failure(execute(handlers));
    expect(calls.RecordFailed).toHaveLength(attemptsOn('RecordFailed'));
    expect(error).toMatchObject({ error: 'PermanentDependencyError', cause: 'S3 GetObject failed: AccessDenied' });
  });
});

describe('Catch', () => {
  it.each(['ExtractImages', 'ExtractText', 'ModerateImageBatch'])(
    'DocumentRejectedError from %s is not retried: the document is REJECTED with the reason, and the execution succeeds',
    async (stateName) => {
      const reason = 'The PDF is encrypted: it cannot be read without its password.';
      const { calls, handlers } = tasks({ manifests: 1 }, {
        [stateName]: async () => {
          throw namedError('DocumentRejectedError', reason);
        },
      });
      await expect(execute(handlers)).resolves.toEqual({ documentId: document.documentId, status: 'REJECTED' });
      expect(calls[stateName]).toHaveLength(1);
      expect(calls.RecordRejected).toEqual([{ document, executionArn, failure: { Error: 'DocumentRejectedError', Cause: reason } }]);
      expect(calls.RecordVerdict).toHaveLength(0);
      expect(calls.RecordFailed).toHaveLength(0);
    },
  );

  it.each(['PermanentDependencyError', 'Error', 'States.Runtime'])(
    '%s from a branch is not retried: the document is FAILED with the error and cause, and the execution fails',
    async (name) => {
      const { calls, handlers } = tasks({}, {
        ModerateText: async () => {
          throw namedError(name, 'Comprehend DetectToxicContent failed: ValidationException');
        },
      });
      const error = await failure(execute(handlers));
      expect(calls.ModerateText).toHaveLength(1);
      expect(calls.RecordFailed).toEqual([
        { document, executionArn, failure: { Error: name, Cause: 'Comprehend DetectToxicContent failed: ValidationException' } },
      ]);
      expect(error).toMatchObject({ error: name, cause: 'Comprehend DetectToxicContent failed: ValidationException' });
    },
  );

  it('a rejection that cannot be recorded falls through to FAILED', async () => {
    const { calls, handlers } = tasks({}, {
      ExtractText: async () => {
        throw namedError('DocumentRejectedError', 'The file is not a PDF.');
      },
      RecordRejected: async () => {
        throw namedError('PermanentDependencyError', 'DynamoDB UpdateItem (record verdict) failed: ValidationException');
      },
    });
    const error = await failure(execute(handlers));
    expect(calls.RecordRejected).toHaveLength(1);
    expect(calls.RecordFailed).toHaveLength(1);
    expect(error.error).toBe('PermanentDependencyError');
  });
});

describe('timeouts', () => {
  // The real definition with its timeouts shrunk to the smallest whole seconds ASL allows.
  function withTimeouts(taskSeconds: number, machineSeconds: number) {
    const copy = structuredClone(definition);
    copy.TimeoutSeconds = machineSeconds;
    for (const state of Object.values(allStates(copy))) if (state.Type === 'Task') state.TimeoutSeconds = taskSeconds;
    return new StateMachine(copy, { validationOptions: { checkArn: false, checkPaths: false } });
  }
  const hang: Handler = () => new Promise(() => undefined);

  it('a Task that hangs past its TimeoutSeconds fails with States.Timeout, not retried, recorded FAILED', async () => {
    const { calls, handlers } = tasks({ manifests: 2 }, { ModerateImageBatch: hang });
    const error = await failure(execute(handlers, withTimeouts(1, 20)));
    expect(error.error).toBe('States.Timeout');
    expect(calls.ModerateImageBatch).toHaveLength(2);
    expect(calls.RecordFailed).toEqual([{ document, executionArn, failure: expect.objectContaining({ Error: 'States.Timeout' }) }]);
  });

  it('the machine stops at its own TimeoutSeconds', async () => {
    const slow: Handler = () => new Promise((resolve) => setTimeout(() => resolve({ pages: 1, textKey: 'k', characters: 0, bytes: 0, pagesWithoutText: 1 }), 1500));
    const { calls, handlers } = tasks({}, { ExtractText: slow });
    const error = await failure(execute(handlers, withTimeouts(5, 1)));
    expect(error.thrown).toBeInstanceOf(ExecutionTimeoutError);
    expect(calls.RecordVerdict).toHaveLength(0);
  });
});
