// Document moderation end to end on the embedded local stack: a PDF put into the documents bucket with the real
// S3 client (or through the presigned URL POST /documents answers) -> the local S3 endpoint's "Object Created"
// event -> the EventBridge rule serverless.yml declares -> the Standard machine of the real ASL file -> the
// real handlers -> the verdict record and the alert in the local inbox.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { projectRoot } from '../../local/service-definition.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

let stack: LocalStack;

const samplePdf = (name: string) => readFileSync(join(projectRoot, 'events', 'documents', name));

interface Alert {
  subject: string;
  message: string;
}

/** Takes every alert waiting in the document alert inbox (SNS envelopes, as an email subscription would get them). */
async function takeAlerts(): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (let emptyReceives = 0; emptyReceives < 2; ) {
    const { Messages = [] } = await stack.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.resources.documentAlertInboxQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) emptyReceives++;
    for (const message of Messages) {
      const envelope = JSON.parse(message.Body as string) as { Subject: string; Message: string };
      alerts.push({ subject: envelope.Subject, message: envelope.Message });
      await stack.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: stack.resources.documentAlertInboxQueueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return alerts;
}

async function upload(key: string, body: Buffer) {
  return stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.resources.documentsBucket, Key: key, Body: body, ContentType: 'application/pdf' }));
}

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe('document moderation on the local stack', () => {
  it('moderates an upload under uploads/: one execution, a CLEAN verdict, no alert', async () => {
    const key = `uploads/${randomUUID()}/clean handout.pdf`;
    const body = samplePdf('clean-handout.pdf');
    await upload(key, body);
    const outcome = await stack.documents.waitFor(key);
    expect(outcome.executions).toHaveLength(1);
    expect(outcome.executions[0]).toMatchObject({ status: 'SUCCEEDED' });
    expect(outcome.verdict).toMatchObject({ bucket: stack.resources.documentsBucket, key, size: body.length, status: 'CLEAN' });
    expect(await takeAlerts()).toEqual([]);
  }, 60_000);

  describe('an offensive upload, and a duplicate of its S3 event', () => {
    const key = `uploads/${randomUUID()}/Reading guide é 日本.pdf`;
    let first: Awaited<ReturnType<LocalStack['documents']['waitFor']>>;

    beforeAll(async () => {
      await upload(key, samplePdf('offensive-text.pdf'));
      first = await stack.documents.waitFor(key);
    }, 60_000);

    it('records an OFFENSIVE verdict for the key as uploaded and sends exactly one alert', async () => {
      expect(first.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
      expect(first.verdict).toMatchObject({ key, status: 'OFFENSIVE' });
      const alerts = await takeAlerts();
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.subject).toMatch(/^Offensive text in /);
    });

    it('publishes nothing new when EventBridge delivers the same event again', async () => {
      const redelivered = await stack.eventBus.putEvent(first.event);
      expect(redelivered).toHaveLength(1);
      // Both deliveries of the event, the first execution and the one the duplicate started.
      const again = await stack.documents.waitFor(key, { event: first.event });
      expect(again.executions).toHaveLength(2);
      expect(again.executions[0]?.executionArn).toBe(first.executions[0]?.executionArn);
      expect(again.executions[1]).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'ALREADY_DECIDED', status: 'OFFENSIVE' } });
      // The same record, untouched: same verdict, same decision time, same execution.
      expect(again.verdict).toEqual(first.verdict);
      expect(await takeAlerts()).toEqual([]);
    }, 60_000);
  });

  it('starts nothing for an object outside uploads/', async () => {
    const key = `elsewhere/${randomUUID()}.pdf`;
    const before = (await stack.documents.all()).length;
    await upload(key, samplePdf('clean-handout.pdf'));
    const outcome = await stack.documents.waitFor(key);
    expect(outcome.event.detail).toMatchObject({ object: { key } });
    expect(outcome.executions).toEqual([]);
    expect((await stack.documents.all()).length).toBe(before);
  }, 60_000);

  it('moderates an upload through the presigned URL POST /documents answers', async () => {
    const body = samplePdf('with-images.pdf');
    const asked = await fetch(`${stack.httpUrl}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fileName: 'club photos.pdf', contentType: 'application/pdf', size: body.length }),
    });
    expect(asked.status).toBe(201);
    const grant = (await asked.json()) as { key: string; uploadUrl: string; method: string; headers: Record<string, string> };
    const put = await fetch(grant.uploadUrl, { method: grant.method, headers: grant.headers, body });
    expect(put.status).toBe(200);
    const stored = await stack.clients.s3.send(new HeadObjectCommand({ Bucket: stack.resources.documentsBucket, Key: grant.key }));
    expect(stored.ContentLength).toBe(body.length);
    const outcome = await stack.documents.waitFor(grant.key);
    expect(outcome.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
    expect(outcome.verdict).toMatchObject({ key: grant.key, size: body.length, status: expect.stringMatching(/^(CLEAN|OFFENSIVE)$/) });
    await takeAlerts();
  }, 60_000);

  it('records a broken PDF as REJECTED with a reason, and alerts nobody', async () => {
    const key = `uploads/${randomUUID()}/broken.pdf`;
    await upload(key, samplePdf('broken.pdf'));
    const outcome = await stack.documents.waitFor(key);
    expect(outcome.executions).toHaveLength(1);
    expect(outcome.verdict).toMatchObject({ key, status: 'REJECTED', reason: expect.any(String) });
    expect(await takeAlerts()).toEqual([]);
  }, 60_000);
});
