// How the edge endpoint tells services apart, from headers and URL alone (route.ts), and the query protocol's
// form parameters read into the JSON operation's input (sqs-query.ts).
import { credentialScopeService, routeByAction, routeByHeaders } from '../../local/edge/route.js';
import { jsonInput, QueryProtocolError } from '../../local/edge/sqs-query.js';

const signed = (service: string) => `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;
const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

describe('routeByHeaders', () => {
  it.each([
    ['AmazonSQS.SendMessage', 'sqs'],
    ['DynamoDB_20120810.PutItem', 'dynamodb'],
    ['AWSStepFunctions.StartSyncExecution', 'states'],
    ['Comprehend_20171127.DetectSentiment', 'comprehend'],
    ['RekognitionService.DetectModerationLabels', 'rekognition'],
  ])('sends X-Amz-Target %s to %s, whatever the signature says', (target, service) => {
    expect(routeByHeaders('POST', '/', { 'x-amz-target': target, authorization: signed('s3') })).toEqual({ service });
  });

  it('names an X-Amz-Target no local service answers', () => {
    expect(routeByHeaders('POST', '/', { 'x-amz-target': 'AWSLambda.Invoke' })).toEqual({ unknown: 'X-Amz-Target AWSLambda.Invoke' });
  });

  it.each(['sns', 'sts', 's3', 'dynamodb', 'states', 'comprehend', 'rekognition'])('reads %s from the credential scope', (service) => {
    expect(routeByHeaders('POST', '/', { authorization: signed(service) })).toEqual({ service });
  });

  it('leaves an SQS form body to its Action (the query protocol), and an unknown scope refused', () => {
    expect(routeByHeaders('POST', '/', { ...form, authorization: signed('sqs') })).toEqual({ formAction: true, signedFor: 'sqs' });
    expect(routeByHeaders('POST', '/', { authorization: signed('lambda') })).toEqual({ unknown: 'service lambda' });
  });

  it('reads a presigned URL’s scope from its query', () => {
    const url = '/docs/uploads/a.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=local%2F20261130%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x';
    expect(routeByHeaders('PUT', url, {})).toEqual({ service: 's3' });
  });

  it('sends the sync- host prefix to Step Functions, unsigned forms to their Action, and other unsigned paths to S3', () => {
    expect(routeByHeaders('POST', '/', { host: 'sync-localhost:4566' })).toEqual({ service: 'states' });
    expect(routeByHeaders('POST', '/', form)).toEqual({ formAction: true });
    expect(routeByHeaders('GET', '/public-bucket/key.txt', { host: '127.0.0.1:4566' })).toEqual({ service: 's3' });
    expect(routeByHeaders('POST', '/bucket/key?uploads', form)).toEqual({ service: 's3' });
  });

  it('is not fooled by a malformed Authorization header', () => {
    expect(routeByHeaders('GET', '/b/k', { authorization: 'Bearer Credential=x/y/z' })).toEqual({ service: 's3' });
    expect(credentialScopeService('AKID/2026/us-east-1')).toBeUndefined();
  });
});

describe('routeByAction', () => {
  it('knows SQS’s actions, STS’s caller identity, and gives the rest to SNS', () => {
    expect(routeByAction('ListQueues')).toBe('sqs');
    expect(routeByAction('Publish', 'sqs')).toBe('sqs');
    expect(routeByAction('GetCallerIdentity')).toBe('sts');
    expect(routeByAction('Publish')).toBe('sns');
    expect(routeByAction(null)).toBeUndefined();
  });
});

describe('jsonInput', () => {
  const params = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it('reads numbered lists, maps, nested values and batch entries in numeric order', () => {
    expect(
      jsonInput(
        params({
          QueueUrl: 'http://q',
          MaxNumberOfMessages: '10',
          'AttributeName.2': 'SentTimestamp',
          'AttributeName.1': 'All',
          'MessageAttribute.1.Name': 'tags',
          'MessageAttribute.1.Value.DataType': 'String.Array',
          'MessageAttribute.1.Value.StringListValue.1': 'a',
          'MessageAttribute.1.Value.StringListValue.2': 'b',
          'Attribute.1.Name': 'DelaySeconds',
          'Attribute.1.Value': '5',
          'SendMessageBatchRequestEntry.10.Id': 'tenth',
          'SendMessageBatchRequestEntry.10.MessageBody': 'x',
          'SendMessageBatchRequestEntry.2.Id': 'second',
          'SendMessageBatchRequestEntry.2.DelaySeconds': '3',
          'SendMessageBatchRequestEntry.2.MessageBody': 'y',
        }),
      ),
    ).toEqual({
      QueueUrl: 'http://q',
      MaxNumberOfMessages: 10,
      AttributeNames: ['All', 'SentTimestamp'],
      MessageAttributes: { tags: { DataType: 'String.Array', StringListValues: ['a', 'b'] } },
      Attributes: { DelaySeconds: '5' },
      Entries: [
        { Id: 'second', DelaySeconds: 3, MessageBody: 'y' },
        { Id: 'tenth', MessageBody: 'x' },
      ],
    });
  });

  it('keeps names such as __proto__ and constructor as plain data', () => {
    const input = jsonInput(params({ constructor: 'c', 'Attribute.1.Name': '__proto__', 'Attribute.1.Value': 'p', 'toString.1': 'x' }));
    expect(JSON.stringify(input)).toBe('{"constructor":"c","Attributes":{"__proto__":"p"}}');
    expect(Object.getPrototypeOf(input)).toBeNull();
  });

  it('refuses integers that are not, and map entries without a name', () => {
    expect(() => jsonInput(params({ WaitTimeSeconds: '1.5' }))).toThrow(QueryProtocolError);
    expect(() => jsonInput(params({ 'Attribute.1.Value': '5' }))).toThrow(/Attribute.N.Name is required/);
  });
});
