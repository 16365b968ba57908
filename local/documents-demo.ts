// The sample run's documents: each sample PDF of events/documents/ put under uploads/ on the local stack as a
// reader's upload would land, followed to its verdict, with the alerts the document alert inbox received.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { mapWithConcurrency } from '../functions/shared/concurrency.js';
import type { DocumentVerdict } from '../functions/document-moderation/shared/contract.js';
import type { RekognitionStats } from './rekognition/server.js';
import type { ExecutionOutcome } from './s3/document-verdicts.js';
import { projectRoot } from './service-definition.js';
import type { LocalStack } from './stack.js';

export const SAMPLE_DOCUMENTS = join(projectRoot, 'events/documents');

export interface DocumentAlert {
  documentId: string;
  kind: string;
  subject: string;
  message: string;
}

export interface SampleDocument {
  file: string;
  key: string;
  executions: ExecutionOutcome[];
  /** Absent only when the run failed to produce one: the summary says so. */
  verdict?: DocumentVerdict;
  /** Why it has no verdict (the wait ran out). */
  problem?: string;
  alerts: DocumentAlert[];
}

export interface EnginesUsed {
  /** What labelled images: the classifier the Rekognition stand-in loaded, if any image reached it. */
  imageClassifier?: string;
  imagesClassified: number;
  /** Images whose labels came from the stand-in's fixture table (test cards standing for offensive pictures). */
  fixtureTableAnswers: number;
  fixtureTable?: string;
  toxicity: string;
}

export interface DocumentRun {
  documents: SampleDocument[];
  engines: EnginesUsed;
  /** Alerts in the inbox that name none of the sample documents. */
  strayAlerts: DocumentAlert[];
}

/** Everything waiting in the document alert inbox, taken off it. Bounded: the inbox is the sample run's own. */
async function takeDocumentAlerts(stack: LocalStack): Promise<DocumentAlert[]> {
  const queueUrl = stack.resources.documentAlertInboxQueueUrl;
  const alerts: DocumentAlert[] = [];
  for (let receives = 0; receives < 100; receives++) {
    const { Messages = [] } = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const envelope = JSON.parse(message.Body ?? '{}') as { Subject?: string; Message?: string; MessageAttributes?: Record<string, { Value?: string }> };
      alerts.push({
        documentId: envelope.MessageAttributes?.documentId?.Value ?? '',
        kind: envelope.MessageAttributes?.kind?.Value ?? '',
        subject: envelope.Subject ?? '',
        message: envelope.Message ?? '',
      });
    }
    await stack.clients.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }),
    );
  }
  return alerts;
}

function toxicityEngine(): string {
  // obscenity's exports leave out its package.json: find it beside the entry point.
  const entry = createRequire(import.meta.url).resolve('obscenity');
  const packageDir = entry.slice(0, entry.lastIndexOf('/node_modules/obscenity/') + '/node_modules/obscenity/'.length);
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return `the local DetectToxicContent stand-in: obscenity ${version} for profanity, hand-written lexicons for the other labels (local/comprehend/toxicity.ts), English only`;
}

/** Uploads every sample PDF under `uploads/samples/<run>/`, waits for each verdict, and collects the alerts. */
export async function moderateSampleDocuments(stack: LocalStack, options: { timeoutMs: number; folder?: string }): Promise<DocumentRun> {
  const folder = options.folder ?? SAMPLE_DOCUMENTS;
  const files = readdirSync(folder)
    .filter((file) => file.toLowerCase().endsWith('.pdf'))
    .sort();
  const prefix = `uploads/samples/${new Date().toISOString().replace(/[:.]/g, '-')}/`;
  const documents = await mapWithConcurrency(files, 4, async (file): Promise<SampleDocument> => {
    const key = `${prefix}${file}`;
    await stack.clients.s3.send(
      new PutObjectCommand({ Bucket: stack.resources.documentsBucket, Key: key, Body: readFileSync(join(folder, file)), ContentType: 'application/pdf' }),
    );
    try {
      const outcome = await stack.documents.waitFor(key, { timeoutMs: options.timeoutMs });
      return { file, key, executions: outcome.executions, verdict: outcome.verdict as DocumentVerdict | undefined, alerts: [] };
    } catch (error) {
      return { file, key, executions: [], problem: (error as Error).message, alerts: [] };
    }
  });
  const alerts = await takeDocumentAlerts(stack);
  const byDocument = new Map(documents.filter((document) => document.verdict).map((document) => [document.verdict?.documentId, document]));
  const strayAlerts: DocumentAlert[] = [];
  for (const alert of alerts) (byDocument.get(alert.documentId)?.alerts ?? strayAlerts).push(alert);
  // The stack types the stand-in loosely, as it runs without it; its stats are local/rekognition/server.ts's.
  const rekognition = stack.rekognition?.stats() as RekognitionStats | undefined;
  return {
    documents,
    strayAlerts,
    engines: {
      imageClassifier: rekognition?.engine,
      imagesClassified: rekognition?.classified ?? 0,
      fixtureTableAnswers: rekognition?.fixtureHits ?? 0,
      fixtureTable: rekognition ? `${rekognition.fixtureTable.entries} entries, ${rekognition.fixtureTable.source.replace(`file://${projectRoot}/`, '')}` : undefined,
      toxicity: toxicityEngine(),
    },
  };
}
