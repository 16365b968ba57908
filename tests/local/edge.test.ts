// The local stack's single edge endpoint, through the real SDK clients of every service the product uses, all
// given the one AWS_ENDPOINT_URL the stack hands to other processes; SQS's query protocol as older CLIs speak
// it (form bodies, XML answers), written out with fetch; and AWS-shaped refusals.
import { ComprehendClient, DetectSentimentCommand } from '@aws-sdk/client-comprehend';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureCardPng } from '../../local/rekognition/fixture-images.js';
import { projectRoot } from '../../local/service-definition.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

let stack: LocalStack;
let endpoint: string;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
  endpoint = stack.clientEnvironment.AWS_ENDPOINT_URL as string;
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe('the environment handed to other processes', () => {
  it('names the edge alone, and the host-prefix switch the CLIs need for start-sync-execution', () => {
    expect(endpoint).toBe(stack.edge.url);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(stack.clientEnvironment).filter((name) => name.startsWith('AWS_ENDPOINT_URL_'))).toEqual([]);
    expect(stack.clientEnvironment.AWS_DISABLE_HOST_PREFIX_INJECTION).toBe('true');
  });
});

describe('real SDK clients through the one endpoint', () => {
  it('SQS (JSON protocol): send, receive, and queue lookup', async () => {
    const sqs = new SQSClient({ region, credentials, endpoint, useQueueUrlAsEndpoint: false });
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: stack.resources.deadLetterQueueUrl.split('/').pop() }));
    expect(QueueUrl).toBe(stack.resources.deadLetterQueueUrl);
    // The stack's queues are made through the edge, so their URLs name its port (fixed with --serve).
    expect(new URL(QueueUrl as string).port).toBe(new URL(endpoint).port);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'through the edge' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(Messages?.map((m) => m.Body)).toContain('through the edge');
    sqs.destroy();
  });

  it('SNS (query protocol, signed): list topics and publish to the alert topic', async () => {
    const sns = new SNSClient({ region, credentials, endpoint });
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    expect(Topics?.map((t) => t.TopicArn)).toContain(stack.resources.alertTopicArn);
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: stack.resources.alertTopicArn, Message: 'edge test alert' }));
    expect(MessageId).toEqual(expect.any(String));
    sns.destroy();
  });

  it('Step Functions: the machines, and a synchronous execution of the triage machine', async () => {
    const sfn = new SFNClient({ region, credentials, endpoint, disableHostPrefix: true });
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines?.map((m) => m.stateMachineArn)).toEqual(expect.arrayContaining([stack.resources.stateMachineArn, stack.resources.documentStateMachineArn]));
    const input = readFileSync(join(projectRoot, 'events/feedbackTriage.json'), 'utf8');
    const started = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: stack.resources.stateMachineArn, input }));
    expect(started.status).toBe('SUCCEEDED');
    expect(JSON.parse(started.output as string)).toEqual(expect.any(Object));
    sfn.destroy();
  });

  it('DynamoDB: the feedback the execution stored', async () => {
    const dynamodb = new DynamoDBClient({ region, credentials, endpoint });
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: stack.resources.feedbackTable }));
    expect(Items?.map((item) => item.feedbackId?.S)).toContain('7a2d4e6f-1b3c-4d5e-8f9a-0b1c2d3e4f52');
    dynamodb.destroy();
  });

  it('Comprehend: sentiment of a negative review', async () => {
    const comprehend = new ComprehendClient({ region, credentials, endpoint });
    const { Sentiment } = await comprehend.send(new DetectSentimentCommand({ Text: 'Awful, boring and far too long. I hated it.', LanguageCode: 'en' }));
    expect(Sentiment).toBe('NEGATIVE');
    comprehend.destroy();
  });

  it('S3: a bucket made through the edge, a presigned PUT with fetch, and the object read back', async () => {
    const s3 = new S3Client({ region, credentials, endpoint, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'edge-test' }));
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'edge-test', Key: 'notes/presigned.txt', ContentType: 'text/plain' }), { expiresIn: 60 });
    expect(new URL(url).searchParams.get('X-Amz-Credential')).toMatch(/\/s3\/aws4_request$/);
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'uploaded with a presigned URL' });
    expect(put.status).toBe(200);
    const object = await s3.send(new GetObjectCommand({ Bucket: 'edge-test', Key: 'notes/presigned.txt' }));
    expect(await object.Body?.transformToString()).toBe('uploaded with a presigned URL');
    s3.destroy();
  });

  it('Rekognition: moderation labels of an image in S3, and its error for bytes that are no image', async () => {
    if (!stack.rekognition) throw new Error('the Rekognition stand-in did not start with the stack');
    const s3 = new S3Client({ region, credentials, endpoint, forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: 'edge-test', Key: 'cards/violence.png', Body: fixtureCardPng('graphic-violence') }));
    const rekognition = new RekognitionClient({ region, credentials, endpoint });
    const { ModerationLabels } = await rekognition.send(new DetectModerationLabelsCommand({ Image: { S3Object: { Bucket: 'edge-test', Name: 'cards/violence.png' } } }));
    expect(ModerationLabels?.length).toBeGreaterThan(0);
    await expect(rekognition.send(new DetectModerationLabelsCommand({ Image: { Bytes: Buffer.from('not an image') } }))).rejects.toMatchObject({
      name: 'InvalidImageFormatException',
    });
    rekognition.destroy();
    s3.destroy();
  });

  it('counted each service it routed, and says which it reaches by an HTTP hop', () => {
    const stats = stack.edge.stats();
    for (const service of ['sqs', 'sns', 'dynamodb', 'states', 'comprehend', 's3', 'rekognition']) expect(stats[service]).toBeGreaterThan(0);
    expect(stack.edge.forwarded.every((service) => ['states', 'comprehend', 'rekognition'].includes(service))).toBe(true);
  });
});

/** A query-protocol request as AWS CLI 2.9 sends it: form-encoded, signed for sqs (the local stack checks no signature). */
async function query(params: Record<string, string>, signed = true): Promise<{ status: number; xml: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  if (signed) headers.authorization = 'AWS4-HMAC-SHA256 Credential=local/20261130/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=0';
  const response = await fetch(endpoint, { method: 'POST', headers, body: new URLSearchParams({ ...params, Version: '2012-11-05' }).toString() });
  expect(response.headers.get('content-type')).toBe('text/xml');
  return { status: response.status, xml: await response.text() };
}

const NS = '<?xml version="1.0"?><%Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">';
const opening = (action: string) => NS.replace('%', action);
const requestIdAtEnd = /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/(\w+)Response>$/;
const only = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);

describe("SQS's query protocol at the edge", () => {
  let queueUrl: string;

  it('CreateQueue with attributes and tags, GetQueueUrl, ListQueues', async () => {
    const created = await query({
      Action: 'CreateQueue',
      QueueName: 'edge-query',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '45',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'books & readers',
    });
    expect(created.status).toBe(200);
    expect(created.xml.startsWith(`${opening('CreateQueue')}<CreateQueueResult><QueueUrl>`)).toBe(true);
    expect(created.xml).toMatch(requestIdAtEnd);
    [queueUrl] = only(created.xml, 'QueueUrl') as [string];
    expect(queueUrl).toMatch(/\/000000000000\/edge-query$/);

    const looked = await query({ Action: 'GetQueueUrl', QueueName: 'edge-query' }, false);
    expect(looked.xml).toContain(`<GetQueueUrlResult><QueueUrl>${queueUrl}</QueueUrl></GetQueueUrlResult>`);

    const listed = await query({ Action: 'ListQueues' });
    expect(listed.xml.startsWith(`${opening('ListQueues')}<ListQueuesResult><QueueUrl>`)).toBe(true);
    expect(only(listed.xml, 'QueueUrl')).toEqual(expect.arrayContaining([queueUrl, stack.resources.feedbackQueueUrl]));
    const prefixed = await query({ Action: 'ListQueues', QueueNamePrefix: 'edge-' });
    expect(only(prefixed.xml, 'QueueUrl')).toEqual([queueUrl]);
  });

  it('GetQueueAttributes and SetQueueAttributes, as flattened Attribute name/value pairs', async () => {
    const before = await query({ Action: 'GetQueueAttributes', QueueUrl: queueUrl, 'AttributeName.1': 'VisibilityTimeout', 'AttributeName.2': 'QueueArn' });
    expect(before.xml).toContain('<Attribute><Name>VisibilityTimeout</Name><Value>45</Value></Attribute>');
    expect(before.xml).toContain('<Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:000000000000:edge-query</Value></Attribute>');
    const set = await query({ Action: 'SetQueueAttributes', QueueUrl: queueUrl, 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '5' });
    expect(set.xml.startsWith(`${opening('SetQueueAttributes')}<ResponseMetadata>`)).toBe(true);
    expect(set.xml).not.toContain('Result>');
    expect(set.xml).toMatch(requestIdAtEnd);
    const after = await query({ Action: 'GetQueueAttributes', QueueUrl: queueUrl, 'AttributeName.1': 'All' });
    expect(after.xml).toContain('<Attribute><Name>VisibilityTimeout</Name><Value>5</Value></Attribute>');
  });

  it('SendMessage with attributes, SendMessageBatch, ReceiveMessage, ChangeMessageVisibility, DeleteMessage, DeleteMessageBatch', async () => {
    const body = 'Loved it <3 & "more" — ünïcode';
    const sent = await query({
      Action: 'SendMessage',
      QueueUrl: queueUrl,
      MessageBody: body,
      'MessageAttribute.1.Name': 'source',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'edge test',
    });
    expect(sent.status).toBe(200);
    expect(sent.xml.startsWith(`${opening('SendMessage')}<SendMessageResult>`)).toBe(true);
    expect(only(sent.xml, 'MD5OfMessageBody')).toEqual([createHash('md5').update(body, 'utf8').digest('hex')]);
    expect(only(sent.xml, 'MD5OfMessageAttributes')).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
    expect(only(sent.xml, 'MessageId')).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);

    const batch = await query({
      Action: 'SendMessageBatch',
      QueueUrl: queueUrl,
      'SendMessageBatchRequestEntry.1.Id': 'first',
      'SendMessageBatchRequestEntry.1.MessageBody': 'one',
      'SendMessageBatchRequestEntry.2.Id': 'second',
      'SendMessageBatchRequestEntry.2.MessageBody': 'two',
      'SendMessageBatchRequestEntry.2.DelaySeconds': '0',
      'SendMessageBatchRequestEntry.3.Id': 'control-character',
      'SendMessageBatchRequestEntry.3.MessageBody': 'a bell \u0007 is no valid SQS character',
    });
    expect(batch.xml.match(/<SendMessageBatchResultEntry><Id>(first|second)<\/Id>/g)).toHaveLength(2);
    expect(batch.xml).toMatch(/<BatchResultErrorEntry><Id>control-character<\/Id><SenderFault>true<\/SenderFault><Code>InvalidMessageContents<\/Code><Message>[^<]+<\/Message><\/BatchResultErrorEntry>/);

    const received = await query({
      Action: 'ReceiveMessage',
      QueueUrl: queueUrl,
      MaxNumberOfMessages: '10',
      WaitTimeSeconds: '1',
      'AttributeName.1': 'ApproximateReceiveCount',
      'MessageAttributeName.1': 'All',
    });
    expect(received.xml.startsWith(`${opening('ReceiveMessage')}<ReceiveMessageResult><Message>`)).toBe(true);
    expect(received.xml.match(/<Message>/g)).toHaveLength(3);
    expect(only(received.xml, 'Body').sort()).toEqual(['Loved it &#60;3 &#38; &#34;more&#34; — ünïcode', 'one', 'two']);
    expect(received.xml).toContain('<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>');
    const attribute = /<MessageAttribute><Name>source<\/Name><Value>(.*?)<\/Value><\/MessageAttribute>/.exec(received.xml)?.[1] ?? '';
    expect([only(attribute, 'StringValue'), only(attribute, 'DataType')]).toEqual([['edge test'], ['String']]);
    const handles = only(received.xml, 'ReceiptHandle') as string[];

    const changed = await query({ Action: 'ChangeMessageVisibility', QueueUrl: queueUrl, ReceiptHandle: handles[0] as string, VisibilityTimeout: '0' });
    expect(changed.status).toBe(200);
    const deleted = await query({ Action: 'DeleteMessage', QueueUrl: queueUrl, ReceiptHandle: handles[1] as string });
    expect(deleted.xml).toMatch(new RegExp(`^${opening('DeleteMessage').replace(/[?.]/g, '\\$&')}<ResponseMetadata>`));
    const batchDeleted = await query({
      Action: 'DeleteMessageBatch',
      QueueUrl: queueUrl,
      'DeleteMessageBatchRequestEntry.1.Id': 'kept-handle',
      'DeleteMessageBatchRequestEntry.1.ReceiptHandle': handles[2] as string,
    });
    expect(batchDeleted.xml).toContain('<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>kept-handle</Id></DeleteMessageBatchResultEntry></DeleteMessageBatchResult>');
  });

  it('PurgeQueue and DeleteQueue, then the queue is gone with AWS’s error code', async () => {
    expect((await query({ Action: 'PurgeQueue', QueueUrl: queueUrl })).status).toBe(200);
    expect((await query({ Action: 'DeleteQueue', QueueUrl: queueUrl })).status).toBe(200);
    const gone = await query({ Action: 'GetQueueAttributes', QueueUrl: queueUrl, 'AttributeName.1': 'All' });
    expect(gone.status).toBe(400);
    expect(gone.xml).toMatch(
      /^<\?xml version="1.0"\?><ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>[^<]+<\/Message><Detail\/><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
  });

  it('refuses bad requests with SQS’s error XML, never a crash', async () => {
    const unknown = await query({ Action: 'FlyToTheMoon' });
    expect(unknown.status).toBe(400);
    expect(only(unknown.xml, 'Code')).toEqual(['InvalidAction']);
    const notANumber = await query({ Action: 'ReceiveMessage', QueueUrl: stack.resources.feedbackQueueUrl, MaxNumberOfMessages: 'ten' });
    expect(notANumber.status).toBe(400);
    expect(only(notANumber.xml, 'Code')).toEqual(['InvalidParameterValue']);
    const outOfRange = await query({ Action: 'ReceiveMessage', QueueUrl: stack.resources.feedbackQueueUrl, MaxNumberOfMessages: '11' });
    expect(only(outOfRange.xml, 'Code')).toEqual(['InvalidParameterValue']);
    const noAction = await query({});
    expect(noAction.status).toBe(400);
    expect(only(noAction.xml, 'Code')).toEqual(['MissingAction']);
  });
});

describe('bad requests at the edge', () => {
  it('refuses a query-protocol body over its limit with an XML error, and keeps serving', async () => {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `Action=SendMessage&MessageBody=${'x'.repeat(3 * 1024 * 1024)}` });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('<Code>RequestEntityTooLarge</Code>');
    expect((await query({ Action: 'ListQueues' })).status).toBe(200);
  });
});

describe('requests no local service serves', () => {
  it('get an AWS-shaped error in the protocol they spoke', async () => {
    const json = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSLambda.Invoke' }, body: '{}' });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ __type: 'UnknownServiceException', message: expect.stringContaining('AWSLambda.Invoke') });
    const signed = await fetch(`${endpoint}/2015-03-31/functions`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=local/20261130/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0' },
    });
    expect(signed.status).toBe(400);
    expect(await signed.text()).toMatch(/<Error><Code>UnknownServiceException<\/Code><Message>the local stack does not serve service lambda<\/Message>/);
  });
});
