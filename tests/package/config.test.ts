// The local stack resolves serverless.yml itself, fast; this proves its reading equal to the framework's own
// (`serverless print`, offline, no credentials), and that anything it cannot resolve stops it by name.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  loadServiceDefinition,
  projectRoot,
  resolveConfiguration,
  ServiceConfigurationError,
  type ServiceDefinition,
} from '../../local/service-definition.js';

type Json = Record<string, unknown>;

// What the framework's own packaging adds to every configuration, rather than reads from it.
const FRAMEWORK_DEFAULTS = ['package.artifactsS3KeyDirname', 'provider.versionFunctions'];

let home: string;
let printed: Json;
let environment: Record<string, string | undefined>;
let service: ServiceDefinition;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'feedback-triage-print-'));
  environment = { ...process.env, HOME: home, SLS_TELEMETRY_DISABLED: '1' };
  for (const key of Object.keys(environment)) if (key.startsWith('AWS_')) delete environment[key];
  const { stdout } = await promisify(execFile)(
    join(projectRoot, 'node_modules/.bin/serverless'),
    ['print', '--format', 'json', '--stage', 'local'],
    { cwd: projectRoot, env: environment as NodeJS.ProcessEnv, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  printed = JSON.parse(stdout) as Json;
  for (const path of FRAMEWORK_DEFAULTS) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    delete (keys.reduce<Json>((node, key) => node[key] as Json, printed) as Json)[last];
  }
  service = loadServiceDefinition('local', undefined, { environment });
}, 180_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the local reading of serverless.yml', () => {
  it('equals `serverless print --stage local`, the whole configuration', () => {
    expect(resolveConfiguration('local', undefined, { environment })).toEqual(printed);
  });

  it('gives every function the handler, timeout, memory and environment the framework gives it', () => {
    const provider = printed.provider as Json;
    const functions = printed.functions as Record<string, Json>;
    expect(Object.keys(service.functions).sort()).toEqual(Object.keys(functions).sort());
    for (const [name, fn] of Object.entries(functions)) {
      const local = service.functions[name]!;
      expect(`${local.modulePath}.${local.exportName}`).toBe(fn.handler);
      expect(local.timeoutSeconds).toBe(fn.timeout ?? provider.timeout ?? 6);
      expect(local.memorySize).toBe(fn.memorySize ?? provider.memorySize ?? 1024);
      expect(local.environment).toEqual({ ...(provider.environment as Json), ...(fn.environment as Json) });
    }
  });

  it('gives the custom settings of both pipelines', () => {
    const custom = printed.custom as Json;
    expect(service.triage).toEqual(custom.triage);
    expect(service.documents).toEqual(custom.documents);
    expect(service.raw.custom).toEqual(custom);
  });

  it('gives every resource, merged from the pipelines', () => {
    expect(service.resources).toEqual((printed.resources as Json).Resources);
    expect(Object.keys(service.resources)).toEqual(expect.arrayContaining(['FeedbackQueue', 'WebPagesRole']));
  });

  it('gives every state machine its resolved definition, name, type and events', () => {
    const machines = (printed.stepFunctions as Json).stateMachines as Record<string, Json>;
    expect(Object.values(service.stateMachines).map((machine) => machine.key)).toEqual(Object.keys(machines));
    for (const machine of Object.values(service.stateMachines)) {
      const expected = machines[machine.key]!;
      expect(machine.definition).toEqual(expected.definition);
      expect(machine.name).toBe(expected.name);
      expect(machine.type).toBe(expected.type);
      const rules = ((expected.events ?? []) as Json[]).map((event) => (event.eventBridge ?? event.cloudwatchEvent) as Json | undefined);
      expect(machine.events.map((event) => event.eventPattern)).toEqual(rules.filter(Boolean).map((rule) => rule?.event));
    }
  });

  it('names each Task function of the triage machines, whose timeouts come from custom.triage', () => {
    const triage = service.stateMachines.FeedbackTriageStateMachine!;
    expect(triage.taskFunctions).toEqual({ DetectSentiment: 'detectSentiment', StoreFeedback: 'storeFeedback', NotifyNegative: 'notifyNegative' });
    expect(triage.definition.TimeoutSeconds).toBe(service.triage.executionTimeout);
  });

  it('lists the S3 buckets, with their local names and whether they send events to EventBridge', () => {
    const declared = Object.entries(service.resources).filter(([, resource]) => resource.Type === 'AWS::S3::Bucket');
    expect(Object.keys(service.buckets).sort()).toEqual(declared.map(([logicalId]) => logicalId).sort());
    for (const bucket of Object.values(service.buckets)) {
      expect(bucket.localName).toMatch(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
      expect(bucket.localName).not.toContain('${');
    }
  });
});

describe('a configuration the loader cannot resolve', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'feedback-triage-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the files, serverless.yml first, and resolves it. */
  function resolveFiles(files: Record<string, string>, env: Record<string, string> = {}) {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return resolveConfiguration('local', join(dir, 'serverless.yml'), { environment: env });
  }

  const base = 'service: probe\nprovider:\n  name: aws\n  stage: ${opt:stage, "dev"}\n';

  it('resolves every source the configuration uses, and merges list-form functions and resources', () => {
    const config = resolveFiles(
      {
        'serverless.yml': `${base}params:
  default: { email: '', size: 1 }
  local: { size: 2 }
custom:
  mode: perBatch
  refs: { perBatchArn: !Ref Batch }
  chosen: \${self:custom.refs.\${self:custom.mode}Arn}
  stage: \${sls:stage}
  fromEnv: \${env:PROBE_VALUE, 'fallback'}
  missingEnv: \${env:PROBE_ABSENT, self:custom.mode}
  size: \${param:size}
  email: \${param:email}
  json: \${file(parts/settings.json):limits.max}
  included: \${file(parts/pipeline.yml):settings}
  sentence: 'mode \${self:custom.mode} on \${sls:stage}'
functions:
  - one: { handler: a.handler }
  - \${file(parts/pipeline.yml):functions}
resources:
  - Resources: { A: { Type: AWS::SQS::Queue } }
  - \${file(parts/pipeline.yml):resources}
`,
        'parts/settings.json': '{ "limits": { "max": 7 } }',
        'parts/pipeline.yml': `settings: { timeout: 4 }
functions:
  two:
    handler: b.handler
    timeout: \${self:custom.included.timeout}
resources:
  Resources:
    B: { Type: AWS::SNS::Topic, Properties: { TopicName: !Sub '\${AWS::StackName}-\${sls:stage}' } }
`,
      },
      { PROBE_VALUE: 'from-env' },
    );
    expect(config.custom).toEqual({
      mode: 'perBatch',
      refs: { perBatchArn: { Ref: 'Batch' } },
      chosen: { Ref: 'Batch' },
      stage: 'local',
      fromEnv: 'from-env',
      missingEnv: 'perBatch',
      size: 2,
      email: '',
      json: 7,
      included: { timeout: 4 },
      sentence: 'mode perBatch on local',
    });
    expect(Object.keys(config.functions as Json)).toEqual(['one', 'two']);
    expect((config.functions as Record<string, Json>).two?.timeout).toBe(4);
    expect((config.resources as { Resources: Json }).Resources).toEqual({
      A: { Type: 'AWS::SQS::Queue' },
      B: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${AWS::StackName}-local' } } },
    });
  });

  it.each([
    ['a missing param', 'custom:\n  email: ${param:nobody}\n', /\$\{param:nobody\} at custom\.email: params has no nobody/],
    ['a missing file', 'custom:\n  part: ${file(parts/absent.yml):settings}\n', /\$\{file\(parts\/absent\.yml\):settings\} at custom\.part: parts\/absent\.yml does not exist/],
    ['a missing key of a file', 'custom:\n  part: ${file(serverless.yml):nothing.here}\n', /at custom\.part: serverless\.yml has no nothing\.here/],
    ['a missing self key', 'custom:\n  a: ${self:custom.b}\n', /\$\{self:custom\.b\} at custom\.a: custom\.b is not in the configuration/],
    ['a missing env with no fallback', 'custom:\n  a: ${env:PROBE_ABSENT}\n', /\$\{env:PROBE_ABSENT\} at custom\.a: the environment has no PROBE_ABSENT/],
    ['a source that needs AWS', 'custom:\n  a: ${ssm:/probe/value}\n', /\$\{ssm:\/probe\/value\} at custom\.a: the "ssm" source needs AWS/],
    ['a reference to itself', 'custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n', /refers to itself/],
    ['a file that includes itself', 'custom:\n  a: ${file(serverless.yml):custom}\n', /expand more than 64 levels deep/],
    ['a map inside a string', 'custom:\n  m: { x: 1 }\n  a: prefix-${self:custom.m}\n', /\$\{self:custom\.m\} at custom\.a: it gives a map inside a string/],
    ['a placeholder outside Fn::Sub', 'custom:\n  a: arn-${Unknown.Arn}\n', /Unresolved variable \$\{Unknown\.Arn\} at custom\.a/],
  ])('fails loudly on %s, naming the variable and where it is', (_case, yaml, message) => {
    expect(() => resolveFiles({ 'serverless.yml': base + yaml })).toThrow(ServiceConfigurationError);
    expect(() => resolveFiles({ 'serverless.yml': base + yaml })).toThrow(message);
  });
});
