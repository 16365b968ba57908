/**
 * The EventBridge rules the local bus runs, read from the service definition (serverless.yml and its includes),
 * with CloudFormation references resolved to local resources; and what the bus does with a target's input
 * options and dead-letter queue.
 */
import { LocalEventBus, newBusEvent, selectPath, targetInput, type BusEvent, type Delivery } from '../../local/eventbridge/bus.js';
import { compileEventPattern, matchesEventPattern } from '../../local/eventbridge/pattern.js';
import { eventBridgeRules, resolveCloudFormation } from '../../local/eventbridge/rules.js';
import { loadServiceDefinition } from '../../local/service-definition.js';

const account = { region: 'us-east-1', accountId: '000000000000', stackName: 'feedback-triage-local' };

const objectCreated = (bucket: string, key: string): BusEvent =>
  newBusEvent({
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: account.accountId,
    region: account.region,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key, size: 1, etag: 'e', sequencer: '01' }, reason: 'PutObject' },
  });

describe('the rules of the service definition', () => {
  const service = loadServiceDefinition('local');
  const local = new Map<string, { ref: string; arn?: string }>();
  for (const bucket of Object.values(service.buckets)) local.set(bucket.logicalId, { ref: bucket.localName, arn: `arn:aws:s3:::${bucket.localName}` });
  for (const machine of Object.values(service.stateMachines)) {
    const arn = `arn:aws:states:us-east-1:000000000000:stateMachine:${machine.name}`;
    local.set(machine.logicalId, { ref: arn, arn });
  }
  for (const [logicalId, resource] of Object.entries(service.resources)) {
    if (resource.Type === 'AWS::SQS::Queue') local.set(logicalId, { ref: `http://queue/${logicalId}`, arn: `arn:aws:sqs:us-east-1:000000000000:${logicalId}` });
  }
  const lookup = (logicalId: string, attribute?: string) => (attribute === undefined ? local.get(logicalId)?.ref : local.get(logicalId)?.arn);
  const rules = eventBridgeRules(service, lookup, account);
  const notifying = Object.values(service.buckets).filter((bucket) => bucket.eventBridge);

  it('has one rule per eventBridge event, targeting its machine, with the bucket and prefix resolved', () => {
    const declared = Object.values(service.stateMachines).flatMap((machine) => machine.events.map(() => machine.logicalId));
    expect(rules).toHaveLength(declared.length);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(JSON.stringify(rule.eventPattern)).not.toMatch(/Ref|\$\{/);
      expect(rule.targets[0]?.arn).toMatch(/^arn:aws:states:/);
      expect(() => compileEventPattern(rule.eventPattern)).not.toThrow();
    }
  });

  it('matches an upload to a notifying bucket under the upload prefix, and nothing else', () => {
    const [bucket] = notifying;
    expect(bucket).toBeDefined();
    const prefix = String(service.documents.uploadPrefix);
    const patterns = rules.map((rule) => compileEventPattern(rule.eventPattern));
    const anyMatch = (event: BusEvent) => patterns.some((pattern) => matchesEventPattern(pattern, event));
    expect(anyMatch(objectCreated(bucket?.localName as string, `${prefix}a/handout.pdf`))).toBe(true);
    expect(anyMatch(objectCreated(bucket?.localName as string, 'derived/a/text.txt'))).toBe(false);
    expect(anyMatch(objectCreated('another-bucket', `${prefix}a/handout.pdf`))).toBe(false);
  });

  it('sends what a target cannot take to the dead-letter queue the rule declares', () => {
    const withDeadLetter = rules.flatMap((rule) => rule.targets).filter((target) => target.deadLetterArn);
    expect(withDeadLetter.length).toBeGreaterThan(0);
    for (const target of withDeadLetter) expect(target.deadLetterArn).toMatch(/^arn:aws:sqs:/);
  });

  it('refuses a reference the local stack cannot resolve, naming it', () => {
    expect(() => eventBridgeRules(service, () => undefined, account)).toThrow(/which the local stack has not created/);
  });
});

describe('CloudFormation references', () => {
  const lookup = (logicalId: string, attribute?: string) =>
    ({ Bucket: attribute ? 'arn:aws:s3:::docs' : 'docs', Machine: attribute ? 'arn:machine' : 'arn:machine' })[logicalId];

  it('resolves Ref, GetAtt, Sub (with pseudo parameters and attributes) and Join', () => {
    expect(
      resolveCloudFormation(
        {
          a: { Ref: 'Bucket' },
          b: { 'Fn::GetAtt': ['Bucket', 'Arn'] },
          c: { 'Fn::Sub': '${Bucket}-${AWS::Region}-${AWS::AccountId}-${Bucket.Arn}' },
          d: { 'Fn::Join': ['/', ['x', { Ref: 'Bucket' }]] },
          e: { 'Fn::Sub': ['${Name}!', { Name: { Ref: 'Bucket' } }] },
          f: [{ prefix: 'uploads/' }],
        },
        lookup,
        account,
      ),
    ).toEqual({ a: 'docs', b: 'arn:aws:s3:::docs', c: 'docs-us-east-1-000000000000-arn:aws:s3:::docs', d: 'x/docs', e: 'docs!', f: [{ prefix: 'uploads/' }] });
  });

  it('names what it cannot resolve', () => {
    expect(() => resolveCloudFormation({ Ref: 'Missing' }, lookup, account)).toThrow(/Missing, which the local stack has not created/);
  });
});

describe('target input and delivery', () => {
  const event = objectCreated('docs', 'uploads/a.pdf');

  it('sends the whole event, a constant input, a path of it, or a transformed input', () => {
    expect(JSON.parse(targetInput({ id: 't', arn: 'a' }, event))).toEqual(event);
    expect(targetInput({ id: 't', arn: 'a', input: '{"fixed":1}' }, event)).toBe('{"fixed":1}');
    expect(JSON.parse(targetInput({ id: 't', arn: 'a', inputPath: '$.detail.object' }, event))).toEqual((event.detail as { object: unknown }).object);
    const transformed = targetInput(
      { id: 't', arn: 'a', inputTransformer: { inputPathsMap: { key: '$.detail.object.key', size: '$.detail.object.size' }, inputTemplate: '{"k": "<key>", "n": <size>}' } },
      event,
    );
    expect(JSON.parse(transformed)).toEqual({ k: 'uploads/a.pdf', n: 1 });
    expect(selectPath({ a: [{ b: 2 }] }, '$.a[0].b')).toBe(2);
    expect(() => selectPath(event, 'detail')).toThrow(/must start with \$/);
  });

  it('retries a refused delivery, then sends the event to the dead-letter queue with the reason', async () => {
    const deadLettered: Array<{ queueArn: string; event: BusEvent; delivery: Delivery }> = [];
    let calls = 0;
    const bus = new LocalEventBus({
      rules: [{ name: 'r', eventPattern: { source: ['aws.s3'] }, targets: [{ id: 't', arn: 'arn:target', deadLetterArn: 'arn:aws:sqs:us-east-1:0:dlq' }] }],
      retryDelayMs: 1,
      maxAttempts: 2,
      deliver: async () => {
        calls++;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
      sendToDeadLetter: async (queueArn, deadEvent, delivery) => {
        deadLettered.push({ queueArn, event: deadEvent, delivery });
      },
    });
    const [delivery] = await bus.putEvent(event);
    expect(calls).toBe(2);
    expect(delivery).toMatchObject({ attempts: 2, deadLettered: true, error: 'ThrottlingException: Rate exceeded' });
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]?.event).toBe(event);
    expect(bus.stats()).toMatchObject({ eventsPut: 1, eventsMatched: 1, delivered: 0, failed: 1 });
  });

  it('delivers once per matching rule and skips disabled rules and other buses', async () => {
    const delivered: string[] = [];
    const bus = new LocalEventBus({
      rules: [
        { name: 'a', eventPattern: { source: ['aws.s3'] }, targets: [{ id: 't', arn: 'arn:a' }] },
        { name: 'b', eventPattern: { detail: { object: { key: [{ suffix: '.pdf' }] } } }, targets: [{ id: 't', arn: 'arn:b' }] },
        { name: 'off', enabled: false, eventPattern: { source: ['aws.s3'] }, targets: [{ id: 't', arn: 'arn:off' }] },
        { name: 'custom', eventBusName: 'club-bus', eventPattern: { source: ['aws.s3'] }, targets: [{ id: 't', arn: 'arn:custom' }] },
      ],
      deliver: async (target) => {
        delivered.push(target.arn);
        return `started ${target.arn}`;
      },
    });
    await bus.putEvent(event);
    expect(delivered.sort()).toEqual(['arn:a', 'arn:b']);
  });

  it('refuses at construction a rule whose pattern PutRule would refuse, naming the rule', () => {
    expect(
      () => new LocalEventBus({ rules: [{ name: 'broken', eventPattern: { source: 'aws.s3' }, targets: [{ id: 't', arn: 'a' }] }], deliver: async () => '' }),
    ).toThrow(/EventBridge rule broken: Event pattern is not valid. Reason: "source" must be an object or an array/);
  });
});
