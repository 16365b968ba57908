/**
 * EventBridge event patterns: the examples of AWS's "Content filtering in Amazon EventBridge event patterns" and
 * aws/event-ruler's documentation, each checked both ways (an event that must match and one that must not), and
 * the validation PutRule performs.
 */
import { compileEventPattern, InvalidEventPatternError, matchesEventPattern } from '../../local/eventbridge/pattern.js';

const matches = (pattern: unknown, event: unknown) => matchesEventPattern(compileEventPattern(pattern), event);

// The sample event of event-ruler's README.
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...ec2Event, detail });

describe('exact values, AND and OR', () => {
  it('matches when every field matches one of its values, arrays in events by intersection', () => {
    const pattern = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, withDetail({ state: 'stopped' }))).toBe(false);
    expect(matches(pattern, { ...ec2Event, resources: ['arn:other', 'arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'] })).toBe(true);
    expect(matches(pattern, { ...ec2Event, resources: ['arn:other'] })).toBe(false);
    expect(matches(pattern, { ...ec2Event, resources: [] })).toBe(false);
  });

  it('is case-sensitive and matches strings only as strings, numbers by value', () => {
    expect(matches({ source: ['aws.ec2'] }, { source: 'AWS.EC2' })).toBe(false);
    expect(matches({ detail: { 'c-count': [5] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'c-count': ['5'] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'x-limit': [3.018e2] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'x-limit': [301.8] } }, withDetail({ 'x-limit': '301.8' }))).toBe(false);
  });

  it('matches null, empty strings and booleans as values of their own', () => {
    const event = { detail: { responseElements: null, lastName: '', enabled: false } };
    expect(matches({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matches({ detail: { lastName: [''] } }, event)).toBe(true);
    expect(matches({ detail: { lastName: [null] } }, event)).toBe(false);
    expect(matches({ detail: { responseElements: [''] } }, event)).toBe(false);
    expect(matches({ detail: { enabled: [false] } }, event)).toBe(true);
    expect(matches({ detail: { enabled: ['false'] } }, event)).toBe(false);
    // null matches only a present null, never a missing field
    expect(matches({ detail: { missing: [null] } }, event)).toBe(false);
  });

  it('requires a nested pattern to hold within one element of an array of objects (array consistency)', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(matches({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
    const nested = { employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] };
    expect(matches({ employees: { firstName: ['Peter'] } }, nested)).toBe(true);
  });

  it('does not match a nested pattern against a leaf, nor a leaf pattern against an object', () => {
    expect(matches({ detail: { state: { name: ['running'] } } }, ec2Event)).toBe(false);
    expect(matches({ detail: ['running'] }, ec2Event)).toBe(false);
  });

  it('matches nothing for an event that is not an object', () => {
    expect(matches({ source: ['aws.s3'] }, 'aws.s3')).toBe(false);
    expect(matches({ source: ['aws.s3'] }, null)).toBe(false);
    expect(matches({ source: ['aws.s3'] }, [{ source: 'aws.s3' }])).toBe(false);
  });
});

describe('prefix, suffix, equals-ignore-case and wildcard', () => {
  it('prefix', () => {
    expect(matches({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-03' }] }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'c-count': [{ prefix: '5' }] } }, ec2Event)).toBe(false); // strings only
    expect(matches({ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'eventbridge' } })).toBe(true);
    expect(matches({ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'EVENTBRIDGE' } })).toBe(true);
    expect(matches({ detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'AmazonEventBridge' } })).toBe(false);
    expect(matches({ detail: { service: [{ prefix: 'EventB' }] } }, { detail: { service: 'eventbridge' } })).toBe(false);
  });

  it('suffix', () => {
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'cat.png' })).toBe(true);
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'cat.PNG' })).toBe(false);
    expect(matches({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { FileName: 'cat.PNG' })).toBe(true);
    expect(matches({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { FileName: 'cat.jpg' })).toBe(false);
  });

  it('equals-ignore-case', () => {
    expect(matches({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, ec2Event)).toBe(true);
    expect(matches({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance' }] }, ec2Event)).toBe(false);
  });

  it('wildcard, with escapes', () => {
    const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(matches(pattern, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' })).toBe(true);
    expect(matches(pattern, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' })).toBe(false);
    expect(matches({ FilePath: [{ wildcard: '*/lib/*' }] }, { FilePath: '/usr/lib/x.so' })).toBe(true);
    expect(matches({ FilePath: [{ wildcard: '*/lib/*' }] }, { FilePath: '/usr/bin/x' })).toBe(false);
    expect(matches({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleService' })).toBe(true);
    expect(matches({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'Simple Storage Service' })).toBe(true);
    expect(matches({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'Simple Service!' })).toBe(false);
    expect(matches({ v: [{ wildcard: 'a*a' }] }, { v: 'a' })).toBe(false); // the pieces may not overlap
    expect(matches({ v: [{ wildcard: 'a*b*a' }] }, { v: 'aba' })).toBe(true); // a wildcard may match nothing
    expect(matches({ v: [{ wildcard: 'a*bc*a' }] }, { v: 'abca' })).toBe(true);
    expect(matches({ v: [{ wildcard: 'a*bc*a' }] }, { v: 'abcb' })).toBe(false);
    expect(matches({ v: [{ wildcard: 'a\\*b' }] }, { v: 'a*b' })).toBe(true);
    expect(matches({ v: [{ wildcard: 'a\\*b' }] }, { v: 'axb' })).toBe(false);
    expect(matches({ v: [{ wildcard: 'a\\\\b' }] }, { v: 'a\\b' })).toBe(true);
    expect(matches({ v: [{ wildcard: 'exact' }] }, { v: 'exact' })).toBe(true);
    expect(matches({ v: [{ wildcard: '*' }] }, { v: 1 })).toBe(false); // strings only
  });
});

describe('anything-but', () => {
  it('values: a string, a number, lists of either', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': 'running' }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 301.8 }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, withDetail({ 'x-limit': 200 }))).toBe(false);
  });

  it('needs the field to be there, and matches an array with any element outside the list', () => {
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } }, ec2Event)).toBe(false);
    expect(matches({ tags: [{ 'anything-but': 'a' }] }, { tags: ['a', 'b'] })).toBe(true);
    expect(matches({ tags: [{ 'anything-but': ['a', 'b'] }] }, { tags: ['a', 'b'] })).toBe(false);
  });

  it('prefix, suffix, equals-ignore-case and wildcard, single or lists', () => {
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, ec2Event)).toBe(false);
    expect(matches({ Region: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] }, { Region: 'ap-south-1' })).toBe(true);
    expect(matches({ Region: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] }, { Region: 'eu-west-1' })).toBe(false);
    expect(matches({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.txt' })).toBe(true);
    expect(matches({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' })).toBe(false);
    expect(matches({ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' })).toBe(false);
    expect(matches({ state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, { state: 'Stopped' })).toBe(false);
    expect(matches({ state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, { state: 'running' })).toBe(true);
    expect(matches({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/bin/x' })).toBe(true);
    expect(matches({ FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, { FilePath: '/usr/bin/x' })).toBe(false);
  });
});

describe('numeric', () => {
  it('ranges and equality on JSON numbers only', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, withDetail({ ...ec2Event.detail, 'c-count': 0 }))).toBe(false);
    expect(matches(pattern, withDetail({ ...ec2Event.detail, 'c-count': 5.000001 }))).toBe(false);
    expect(matches(pattern, withDetail({ ...ec2Event.detail, 'd-count': 10 }))).toBe(false);
    expect(matches(pattern, withDetail({ ...ec2Event.detail, 'c-count': '3' }))).toBe(false);
    expect(matches({ size: [{ numeric: ['>=', 0, '<', 1024] }] }, { size: 0 })).toBe(true);
    expect(matches({ size: [{ numeric: ['>=', 0, '<', 1024] }] }, { size: 1024 })).toBe(false);
    expect(matches({ size: [{ numeric: ['>', -5e9] }] }, { size: -1 })).toBe(true);
    expect(matches({ sizes: [{ numeric: ['>', 100] }] }, { sizes: [1, 2, 300] })).toBe(true);
  });
});

describe('exists', () => {
  it('tests for a leaf value at the path; objects are not leaves', () => {
    expect(matches({ detail: { 'c-count': [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'e-count': [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'e-count': [{ exists: true }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, withDetail({ 'c-count': { c1: 100 } }))).toBe(true);
    expect(matches({ detail: { 'c-count': [{ exists: true }] } }, withDetail({ 'c-count': { c1: 100 } }))).toBe(false);
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, { source: 'x' })).toBe(true); // no detail at all
    expect(matches({ detail: { value: [{ exists: true }] } }, { detail: { value: null } })).toBe(true);
    expect(matches({ detail: { value: [{ exists: true }] } }, { detail: { value: '' } })).toBe(true);
  });
});

describe('cidr and IP addresses', () => {
  it('IPv4 and IPv6 blocks', () => {
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, withDetail({ 'source-ip': '10.255.1.2' }))).toBe(true);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:1::7' })).toBe(true);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' })).toBe(false);
    expect(matches({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 'not an address' })).toBe(false);
    expect(matches({ ip: ['::1'] }, { ip: '0:0:0:0:0:0:0:1' })).toBe(true);
  });
});

describe('$or', () => {
  it('matches when any alternative matches, combined with AND at each level', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] }, { scope: ['Service'] }],
    };
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType' })).toBe(false);
    expect(matches(pattern, { source: 'aws.cloudwatch', scope: 'Service' })).toBe(true);
    expect(matches(pattern, { source: 'aws.ec2', scope: 'Service' })).toBe(false);
  });

  it('nests inside objects and inside other alternatives', () => {
    const pattern = {
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
      },
      $or: [{ source: ['aws.ec2'], $or: [{ region: ['us-east-1'] }, { region: ['eu-west-1'] }] }, { source: ['aws.s3'] }],
    };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, { ...ec2Event, region: 'ap-south-1' })).toBe(false);
    expect(matches(pattern, { ...ec2Event, detail: { 'c-count': 50, 'd-count': 50 } })).toBe(false);
  });
});

describe('the S3 rule of document moderation', () => {
  const rule = {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: { bucket: { name: ['club-documents'] }, object: { key: [{ prefix: 'uploads/' }] } },
  };
  const objectCreated = (key: string, bucket = 'club-documents') => ({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: '2026-11-30T00:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key, size: 5, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: '617f08299329d189' }, reason: 'PutObject' },
  });

  it('matches uploads only, in its bucket only', () => {
    expect(matches(rule, objectCreated('uploads/handout.pdf'))).toBe(true);
    expect(matches(rule, objectCreated('uploads/sub dir/é.pdf'))).toBe(true);
    expect(matches(rule, objectCreated('derived/abc/text.txt'))).toBe(false);
    expect(matches(rule, objectCreated('Uploads/handout.pdf'))).toBe(false);
    expect(matches(rule, objectCreated('uploads/handout.pdf', 'other-bucket'))).toBe(false);
    expect(matches(rule, { ...objectCreated('uploads/handout.pdf'), 'detail-type': 'Object Deleted' })).toBe(false);
  });
});

describe('validation, as PutRule answers it', () => {
  const invalid: Array<[string, unknown, RegExp]> = [
    ['not an object', ['aws.s3'], /Filter is not an object/],
    ['not JSON', '{"source": [', /not valid JSON/],
    ['an empty pattern', {}, /Empty objects are not allowed/],
    ['an empty nested object', { detail: {} }, /Empty objects are not allowed/],
    ['a bare value', { source: 'aws.s3' }, /"source" must be an object or an array/],
    ['an empty list', { source: [] }, /Empty arrays are not allowed/],
    ['a list inside a list', { source: [['aws.s3']] }, /Match value must be String, number, true, false, or null/],
    ['an unknown operator', { source: [{ contains: 's3' }] }, /Unrecognized match type contains/],
    ['two operators in one expression', { source: [{ prefix: 'a', suffix: 'b' }] }, /Only one key allowed/],
    ['an empty expression', { source: [{}] }, /Match expression name not found/],
    ['a numeric prefix', { source: [{ prefix: 5 }] }, /prefix match pattern must be a string/],
    ['prefix with another modifier', { source: [{ prefix: { wildcard: 'a*' } }] }, /Unsupported prefix pattern: wildcard/],
    ['a non-string equals-ignore-case', { source: [{ 'equals-ignore-case': 1 }] }, /equals-ignore-case match pattern must be a string/],
    ['consecutive wildcards', { key: [{ wildcard: 'a**b' }] }, /Consecutive wildcard characters/],
    ['a bad escape in a wildcard', { key: [{ wildcard: 'a\\b' }] }, /Invalid escape character/],
    ['exists that is not boolean', { key: [{ exists: 'true' }] }, /exists match pattern must be either true or false/],
    ['numeric that is not a list', { n: [{ numeric: '>' }] }, /Value of numeric must be an array/],
    ['an unknown numeric operator', { n: [{ numeric: ['!=', 1] }] }, /Unrecognized numeric range operator: !=/],
    ['a numeric operator without value', { n: [{ numeric: ['>'] }] }, /Value of > must be numeric/],
    ['a non-numeric bound', { n: [{ numeric: ['>', '1'] }] }, /Value of > must be numeric/],
    ['a reversed range', { n: [{ numeric: ['>', 10, '<', 5] }] }, /Bottom must be less than top/],
    ['two lower bounds', { n: [{ numeric: ['>', 1, '>', 5] }] }, /Bad numeric range operator: >/],
    ['a bound after <', { n: [{ numeric: ['<', 1, '>', 0] }] }, /Too many elements in numeric expression/],
    ['too many terms', { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] }, /Too many terms in numeric range expression/],
    ['a number out of range', { n: [{ numeric: ['>', 5e10] }] }, /Value must be between/],
    ['a malformed CIDR', { ip: [{ cidr: '10.0.0.0' }] }, /Malformed CIDR/],
    ['a CIDR mask too wide', { ip: [{ cidr: '10.0.0.0/33' }] }, /Malformed CIDR/],
    ['mixed anything-but list', { s: [{ 'anything-but': ['a', 1] }] }, /mixed type is not supported/],
    ['anything-but null', { s: [{ 'anything-but': null }] }, /must be an array or single string\/number value/],
    ['anything-but list with null', { s: [{ 'anything-but': ['a', null] }] }, /start\|null\|boolean is not supported/],
    ['anything-but exists', { s: [{ 'anything-but': { exists: true } }] }, /Unsupported anything-but pattern: exists/],
    ['anything-but empty prefix', { s: [{ 'anything-but': { prefix: '' } }] }, /Null prefix\/suffix not allowed/],
    ['anything-but numeric ignore-case', { s: [{ 'anything-but': { 'equals-ignore-case': [1] } }] }, /number\|start\|null\|boolean is not supported/],
    ['$or that is not a list', { $or: { a: ['x'] } }, /It must be an Array followed with \$or/],
    ['$or with one alternative', { $or: [{ a: ['x'] }] }, /at least 2 Objects in \$or/],
    ['$or with a non-object', { $or: [{ a: ['x'] }, ['y']] }, /Only JSON object is allowed in array of \$or/],
    ['a reserved name inside $or', { $or: [{ numeric: [1] }, { a: ['x'] }] }, /numeric is Ruler reserved fieldName/],
  ];

  it.each(invalid)('refuses %s', (_what, pattern, reason) => {
    let error: unknown;
    try {
      compileEventPattern(pattern);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as Error).name).toBe('InvalidEventPatternException');
    expect((error as Error).message).toMatch(reason);
  });

  it('names the place of the fault', () => {
    expect(() => compileEventPattern({ detail: { object: { key: [{ prefix: 1 }] } } })).toThrow(/at detail\.object\.key\[0\]/);
  });

  it('accepts the JSON text form', () => {
    expect(matchesEventPattern(compileEventPattern('{"source":["aws.s3"]}'), { source: 'aws.s3' })).toBe(true);
  });
});
