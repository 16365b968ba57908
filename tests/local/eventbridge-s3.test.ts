/**
 * S3 -> EventBridge -> Step Functions on local servers, driven by the real AWS SDK clients: the S3 endpoint
 * (fauxqs) emits "Object Created" events, the local bus matches them against a rule and starts a trivial
 * Standard state machine on the local Step Functions server with the event as its input.
 */
import { randomUUID } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { buildApp } from 'fauxqs';

import { LocalEventBus, type BusEvent } from '../../local/eventbridge/bus.js';
import { emitObjectCreatedEvents, type ObjectCreatedNotifications } from '../../local/s3/object-created.js';
import { startStepFunctionsServer, type StepFunctionsServer } from '../../local/stepfunctions/server.js';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const BUCKET = 'club-documents';
const QUIET_BUCKET = 'club-archive';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let s3App: ReturnType<typeof buildApp>;
let notifications: ObjectCreatedNotifications;
let stepFunctions: StepFunctionsServer;
let bus: LocalEventBus;
let s3: S3Client;
let sfn: SFNClient;
let deliveryFailures: string[];

const uploadsRule = {
  source: ['aws.s3'],
  'detail-type': ['Object Created'],
  detail: { bucket: { name: [BUCKET] }, object: { key: [{ prefix: 'uploads/' }] } },
};

beforeAll(async () => {
  stepFunctions = await startStepFunctionsServer({ invokeLambda: async () => ({}), region: REGION });
  sfn = new SFNClient({ region: REGION, credentials, endpoint: stepFunctions.url, disableHostPrefix: true });
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: 'echo',
      type: 'STANDARD',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/echo`,
      definition: JSON.stringify({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } }),
    }),
  );
  deliveryFailures = [];
  bus = new LocalEventBus({
    rules: [
      { name: 'documents-uploaded', eventPattern: uploadsRule, targets: [{ id: 'echo', arn: stateMachineArn as string }] },
      {
        name: 'to-a-machine-that-does-not-exist',
        eventPattern: { source: ['aws.s3'], detail: { object: { key: [{ prefix: 'orphans/' }] } } },
        targets: [{ id: 'gone', arn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:gone` }],
      },
    ],
    retryDelayMs: 1,
    deliver: async (target, input) => {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: target.arn, input }));
      return executionArn as string;
    },
    onDeliveryFailed: (delivery) => deliveryFailures.push(`${delivery.rule}: ${delivery.error}`),
  });
  s3App = buildApp({ logger: false, host: 'localhost', defaultRegion: REGION });
  notifications = emitObjectCreatedEvents(s3App, {
    region: REGION,
    accountId: ACCOUNT,
    notifies: (bucket) => bucket === BUCKET,
    publish: (event) => bus.putEvent(event),
  });
  const url = await s3App.listen({ port: 0, host: '127.0.0.1' });
  s3 = new S3Client({ region: REGION, credentials, endpoint: url, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: QUIET_BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  sfn?.destroy();
  await s3App?.close();
  await stepFunctions?.close();
});

/** The events emitted for a key, once every event in flight has been routed. */
async function eventsFor(key: string): Promise<BusEvent[]> {
  await notifications.idle();
  await bus.idle();
  return notifications.events().filter((event) => (event.detail as { object: { key: string } }).object.key === key);
}

async function executionsFor(event: BusEvent) {
  const arns = bus.deliveries().filter((delivery) => delivery.eventId === event.id && delivery.result).map((delivery) => delivery.result as string);
  return Promise.all(arns.map((executionArn) => sfn.send(new DescribeExecutionCommand({ executionArn }))));
}

describe('Object Created events from the local S3 endpoint', () => {
  it('sends the event S3 sends for a PutObject, and starts the machine with the whole event as input', async () => {
    const key = `uploads/${randomUUID()}.pdf`;
    const body = Buffer.from('%PDF-1.7 a handout');
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: 'application/pdf' }));

    const [event, ...more] = await eventsFor(key);
    expect(more).toHaveLength(0);
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: ACCOUNT,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: REGION,
      resources: [`arn:aws:s3:::${BUCKET}`],
      detail: {
        version: '0',
        bucket: { name: BUCKET },
        object: { key, size: body.length, etag: (put.ETag as string).replace(/"/g, ''), sequencer: expect.stringMatching(/^[0-9A-F]{18}$/) },
        'request-id': expect.stringMatching(/^[0-9A-F]{16}$/),
        requester: ACCOUNT,
        'source-ip-address': '127.0.0.1',
        reason: 'PutObject',
      },
    });

    const executions = await executionsFor(event as BusEvent);
    expect(executions).toHaveLength(1);
    expect(JSON.parse(executions[0]?.input as string)).toEqual(event);
  });

  it('keeps keys with spaces, unicode and characters outside the BMP exactly', async () => {
    const key = `uploads/Reading guide ${randomUUID()} é 日本 😀 +&=.pdf`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    const events = await eventsFor(key);
    expect(events).toHaveLength(1);
    expect(await executionsFor(events[0] as BusEvent)).toHaveLength(1);
  });

  it('gives later writes a later sequencer', async () => {
    const key = `uploads/${randomUUID()}.pdf`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'first' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'second version' }));
    const [first, second] = (await eventsFor(key)).map((event) => (event.detail as { object: { sequencer: string; size: number } }).object);
    expect(second?.sequencer.localeCompare(first?.sequencer ?? '')).toBe(1);
    expect([first?.size, second?.size]).toEqual([5, 14]);
  });

  it('emits the event for an object outside uploads/, which no rule matches: nothing starts', async () => {
    const key = `derived/${randomUUID()}/text.txt`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'text' }));
    const events = await eventsFor(key);
    expect(events).toHaveLength(1);
    expect(bus.matchingRules(events[0])).toEqual([]);
    expect(await executionsFor(events[0] as BusEvent)).toHaveLength(0);
  });

  it('sends nothing for a bucket without EventBridge notifications, nor for a failed write', async () => {
    const before = notifications.stats().emitted;
    await s3.send(new PutObjectCommand({ Bucket: QUIET_BUCKET, Key: 'uploads/a.pdf', Body: 'x' }));
    await expect(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'uploads/a.pdf', Body: 'x' }))).rejects.toThrow();
    await notifications.idle();
    expect(notifications.stats().emitted).toBe(before);
  });

  it('sends CopyObject with the copy size', async () => {
    const source = `drafts/${randomUUID()}.pdf`;
    const key = `uploads/${randomUUID()}.pdf`;
    await s3.send(new PutObjectCommand({ Bucket: QUIET_BUCKET, Key: source, Body: 'twelve bytes' }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${QUIET_BUCKET}/${encodeURIComponent(source)}` }));
    const [event] = await eventsFor(key);
    expect(event?.detail).toMatchObject({ reason: 'CopyObject', object: { key, size: 12 } });
    expect(await executionsFor(event as BusEvent)).toHaveLength(1);
  });

  it('sends one event for a multipart upload, on CompleteMultipartUpload, with the whole size', async () => {
    const key = `uploads/${randomUUID()} big.pdf`;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from('tail')];
    const etags: string[] = [];
    for (const [index, part] of parts.entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: part }));
      etags.push(ETag as string);
    }
    expect(await eventsFor(key)).toHaveLength(0);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
    const [event, ...more] = await eventsFor(key);
    expect(more).toHaveLength(0);
    expect(event?.detail).toMatchObject({
      reason: 'CompleteMultipartUpload',
      object: { key, size: 5 * 1024 * 1024 + 4, etag: (done.ETag as string).replace(/"/g, '') },
    });
    expect((event?.detail as { object: { etag: string } }).object.etag).toMatch(/-2$/);
  });

  it('sends PutObject for an upload through a presigned URL', async () => {
    const key = `uploads/${randomUUID()} presigned é.pdf`;
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: 'application/pdf' }), { expiresIn: 60 });
    const body = Buffer.from('%PDF-1.4 presigned upload');
    const answer = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/pdf' } });
    expect(answer.status).toBe(200);
    const [event] = await eventsFor(key);
    expect(event?.detail).toMatchObject({ reason: 'PutObject', object: { key, size: body.length } });
    expect(await executionsFor(event as BusEvent)).toHaveLength(1);
  });

  it('delivers a redelivered event again (EventBridge is at least once): one more execution', async () => {
    const key = `uploads/${randomUUID()}.pdf`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    const [event] = await eventsFor(key);
    await bus.putEvent(event as BusEvent);
    expect(await executionsFor(event as BusEvent)).toHaveLength(2);
  });

  it('records a delivery the target refuses, after its retries, and the upload itself still succeeds', async () => {
    const key = `orphans/${randomUUID()}.pdf`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    const [event] = await eventsFor(key);
    const [delivery] = bus.deliveries().filter((d) => d.eventId === event?.id);
    expect(delivery).toMatchObject({ rule: 'to-a-machine-that-does-not-exist', attempts: 3, error: expect.stringMatching(/StateMachineDoesNotExist/) });
    expect(deliveryFailures.some((failure) => failure.startsWith('to-a-machine-that-does-not-exist'))).toBe(true);
  });
});
