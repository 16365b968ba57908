// Every hostile file of tests/fixtures/documents/hostile/ (made by scripts/make-documents.ts) uploaded under
// uploads/ on the embedded local stack, through the real S3 client, rule, ASL file and handlers: each ends
// with the verdict written down for it below, none times out, none is lost, none alerts anyone.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { mapWithConcurrency } from '../../functions/shared/concurrency.js';
import type { DocumentVerdict } from '../../functions/document-moderation/shared/contract.js';
import type { DocumentOutcome } from '../../local/s3/document-verdicts.js';
import { projectRoot } from '../../local/service-definition.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

const HOSTILE = join(projectRoot, 'tests/fixtures/documents/hostile');
/** Uploads in flight at once: enough to overlap S3, Lambda and Step Functions waits on two shared cores. */
const UPLOADS_IN_FLIGHT = 4;
/** One document's bound: far above the slowest file here (the 300-page text), far below the machine's timeout. */
const DOCUMENT_TIMEOUT_MS = 60_000;

/** What a file must end as: its status, the words its reason must say, and what the record must show. */
interface Expected {
  status: 'CLEAN' | 'OFFENSIVE' | 'REJECTED';
  reason?: RegExp;
  record?: (verdict: DocumentVerdict) => void;
}

const rejected = (reason: RegExp): Expected => ({ status: 'REJECTED', reason });
const clean = (record?: Expected['record']): Expected => ({ status: 'CLEAN', ...(record ? { record } : {}) });
/** Images found, each one through Rekognition (or listed as too small for it), none undecodable. */
const imagesChecked = (imageCount: number, moderated = imageCount) => (verdict: DocumentVerdict) =>
  expect({ imageCount: verdict.imageCount, imagesModerated: verdict.imagesModerated, undecodableImages: verdict.undecodableImages }).toEqual({
    imageCount,
    imagesModerated: moderated,
    undecodableImages: 0,
  });
/** Text in a language DetectToxicContent cannot check: recorded with the language, as not checked. */
const notEnglish = (language: string) => (verdict: DocumentVerdict) =>
  expect({ language: verdict.text?.language, languageSupported: verdict.text?.languageSupported }).toEqual({ language, languageSupported: false });

const EXPECTED: Record<string, Expected> = {
  'not-a-pdf.pdf': rejected(/not a PDF/),
  'png-named-pdf.pdf': rejected(/not a PDF/),
  'zero-bytes.pdf': rejected(/empty/),
  'truncated-half.pdf': rejected(/incomplete.*cut short/),
  'header-then-garbage.pdf': rejected(/damaged and cannot be read/),
  'corrupt-xref.pdf': clean(imagesChecked(0)),
  'circular-page-tree.pdf': rejected(/Page 1 .*damaged/),
  'encrypted-user-password.pdf': rejected(/password-protected/),
  'encrypted-owner-only.pdf': clean(),
  'zero-pages.pdf': rejected(/no pages/),
  'many-pages.pdf': rejected(/2500 pages, over the limit of \d+ pages/),
  'bomb-content-stream.pdf': rejected(/decompression bomb/),
  'bomb-image.pdf': rejected(/decompression bomb/),
  'image-flate-rgb.pdf': clean(imagesChecked(1)),
  'image-dct-jpeg.pdf': clean(imagesChecked(1)),
  'image-cmyk.pdf': clean(imagesChecked(1)),
  'image-mask-1bit.pdf': clean(imagesChecked(1)),
  'image-gray-1bit.pdf': clean(imagesChecked(1)),
  'image-inline.pdf': clean(imagesChecked(1)),
  'image-ccitt.pdf': clean(imagesChecked(1)),
  'image-jbig2.pdf': clean(imagesChecked(1)),
  // Not passed as CLEAN: an image nobody could decode is an image nobody checked.
  'image-jpx-damaged.pdf': {
    ...rejected(/1 image in it could not be decoded.*not checked/),
    record: (verdict) => expect({ undecodableImages: verdict.undecodableImages, imageCount: verdict.imageCount }).toEqual({ undecodableImages: 1, imageCount: 0 }),
  },
  // Under Rekognition's 80×80 minimum: listed as skipped, not sent.
  'image-too-small.pdf': clean(imagesChecked(1, 0)),
  'image-too-large.pdf': clean(imagesChecked(1)),
  'image-over-pixel-limit.pdf': rejected(/too large to decode and check/),
  'empty-text.pdf': clean((verdict) => expect(verdict.text).toMatchObject({ characters: 0, pagesWithoutText: 1 })),
  'scanned-only.pdf': clean((verdict) => {
    expect(verdict.text).toMatchObject({ characters: 0, pagesWithoutText: 1 });
    imagesChecked(1)(verdict);
  }),
  'rtl-hebrew.pdf': clean(notEnglish('he')),
  'rtl-arabic.pdf': clean(notEnglish('ar')),
  'non-english-chinese.pdf': clean(notEnglish('zh')),
  'non-english-french.pdf': clean(notEnglish('fr')),
  'huge-text.pdf': clean((verdict) =>
    expect(verdict.text).toMatchObject({ language: 'en', languageSupported: true, truncated: false, characters: expect.any(Number) }),
  ),
  'javascript-action.pdf': clean(),
};

let stack: LocalStack;
/** This run's uploads live under their own prefix, so records of other runs never count. */
const run = randomUUID();
const keyOf = (file: string) => `uploads/hostile-${run}/${file}`;
const outcomes = new Map<string, DocumentOutcome>();

async function upload(key: string, body: Buffer): Promise<void> {
  await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.resources.documentsBucket, Key: key, Body: body, ContentType: 'application/pdf' }));
}

/** Takes every message waiting in the document alert inbox (an empty receive twice in a row ends the look). */
async function takeAlerts(): Promise<Array<{ subject: string; message: string }>> {
  const alerts: Array<{ subject: string; message: string }> = [];
  for (let emptyReceives = 0, receives = 0; emptyReceives < 2 && receives < 100; receives++) {
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

const recordsOf = async (prefix: string) => (await stack.documents.all()).filter((record) => String(record.key).startsWith(prefix)) as unknown as DocumentVerdict[];

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
  const files = readdirSync(HOSTILE).sort();
  await mapWithConcurrency(files, UPLOADS_IN_FLIGHT, async (file) => {
    await upload(keyOf(file), readFileSync(join(HOSTILE, file)));
    outcomes.set(file, await stack.documents.waitFor(keyOf(file), { timeoutMs: DOCUMENT_TIMEOUT_MS }));
  });
}, 150_000);
afterAll(async () => {
  await stack?.stop();
});

describe('hostile documents on the local stack', () => {
  it('has a verdict written down for every file of the hostile set, at least 20 of them', () => {
    const files = readdirSync(HOSTILE).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    const outcome = outcomes.get(file);
    // One execution, ended by the workflow itself (no timeout, no failure), and a final verdict.
    expect(outcome?.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
    const verdict = outcome?.verdict as DocumentVerdict | undefined;
    expect({ file, key: verdict?.key, status: verdict?.status }).toEqual({ file, key: keyOf(file), status: expected.status });
    expect(verdict?.error).toBeUndefined();
    if (expected.reason) {
      // A sentence a person can act on: no stack trace, no error class, no JSON.
      expect(verdict?.reason).toMatch(expected.reason);
      expect(verdict?.reason).not.toMatch(/\n\s+at |Error:|[{}]|undefined/);
      expect(verdict?.reason?.length).toBeLessThanOrEqual(500);
    } else {
      expect(verdict?.reason).toBeUndefined();
    }
    expected.record?.(verdict as DocumentVerdict);
  });

  it('loses nothing and records nothing twice: one final verdict per upload', async () => {
    const records = await recordsOf(`uploads/hostile-${run}/`);
    expect(records.map((record) => record.key).sort()).toEqual(Object.keys(EXPECTED).map(keyOf).sort());
    expect(records.filter((record) => record.status === 'PROCESSING' || record.status === 'FAILED')).toEqual([]);
  });

  it('alerts nobody: no hostile file is offensive', async () => {
    expect(await takeAlerts()).toEqual([]);
  });
});

describe('the same offensive file uploaded twice', () => {
  const key = `uploads/duplicate-${run}/insults.pdf`;
  const body = readFileSync(join(projectRoot, 'events/documents/offensive-text.pdf'));

  it('gives one verdict and one alert: the second upload finds the verdict there', async () => {
    await upload(key, body);
    const first = await stack.documents.waitFor(key, { timeoutMs: DOCUMENT_TIMEOUT_MS });
    expect(first.verdict).toMatchObject({ key, status: 'OFFENSIVE', textAlertStatus: 'SENT' });
    expect(await takeAlerts()).toHaveLength(1);

    await upload(key, body);
    // S3 sends the event after it answers the PUT.
    for (let looks = 0; stack.documents.eventsFor(key).length < 2 && looks < 200; looks++) await new Promise((resolve) => setTimeout(resolve, 25));
    const events = stack.documents.eventsFor(key);
    expect(events).toHaveLength(2);
    const second = await stack.documents.waitFor(key, { timeoutMs: DOCUMENT_TIMEOUT_MS, event: events[1] });
    expect(second.event.id).not.toBe(first.event.id);
    expect(second.executions).toEqual([expect.objectContaining({ status: 'SUCCEEDED', output: expect.objectContaining({ outcome: 'ALREADY_DECIDED', status: 'OFFENSIVE' }) })]);
    expect(second.verdict).toEqual(first.verdict);
    expect(await recordsOf(`uploads/duplicate-${run}/`)).toHaveLength(1);
    expect(await takeAlerts()).toEqual([]);
  }, 2 * DOCUMENT_TIMEOUT_MS);
});

describe('an upload outside uploads/', () => {
  it('starts nothing and records nothing', async () => {
    const key = `elsewhere/${run}/not-a-pdf.pdf`;
    const before = (await stack.documents.all()).length;
    await upload(key, readFileSync(join(HOSTILE, 'not-a-pdf.pdf')));
    const outcome = await stack.documents.waitFor(key, { timeoutMs: DOCUMENT_TIMEOUT_MS });
    expect(outcome.event.detail).toMatchObject({ object: { key } });
    expect(outcome.executions).toEqual([]);
    expect((await stack.documents.all()).length).toBe(before);
  }, DOCUMENT_TIMEOUT_MS);
});
