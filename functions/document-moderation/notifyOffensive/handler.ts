// NotifyOffensive state (NotifyImages and NotifyText): one SNS alert per document version and kind, however
// often the workflow runs for it.
//
// The verdict record carries an alert status per kind. A delivery claims the alert (none -> PUBLISHING, with
// a token and a lease), publishes, then marks it SENT. A delivery that finds SENT does nothing; one that finds
// a live claim fails with AlertInProgressError for the state machine to retry. The only window for a
// duplicate is a crash between Publish and the SENT mark, after which the lease must expire first.
import { randomUUID } from 'node:crypto';
import { PublishCommand } from '@aws-sdk/client-sns';
import { notifications } from '../../shared/clients.js';
import { AlertInProgressError, classifyAwsError, PermanentDependencyError } from '../../shared/errors.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { documentConfig } from '../shared/config.js';
import { readDocumentRef, type FlaggedImage, type NotifyOffensiveInput, type NotifyOffensiveOutput, type TextModeration } from '../shared/contract.js';
import { claimAlert, markAlertSent, releaseAlert } from '../shared/document-store.js';
import { formatAlert } from './alert.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the state input. `images` may come as the Map's flagged lists, one per manifest: they are joined.
 * A notification without anything to report is a wiring bug upstream, so it is refused for good.
 */
export function readNotifyInput(input: unknown): NotifyOffensiveInput {
  if (!isRecord(input)) throw new PermanentDependencyError('NotifyOffensive needs { document, kind, images | text }');
  const document = readDocumentRef(input.document, 'NotifyOffensive');
  if (input.kind === 'images') {
    const images = Array.isArray(input.images) ? (input.images.flat() as unknown[]) : [];
    const valid = images.filter(
      (image): image is FlaggedImage => isRecord(image) && typeof image.imageKey === 'string' && typeof image.page === 'number' && Array.isArray(image.labels),
    );
    if (valid.length === 0) throw new PermanentDependencyError('NotifyOffensive (images) needs the flagged images');
    const counts = [input.flaggedCount].flat().filter((value): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0);
    const flaggedCount = Math.max(valid.length, counts.reduce((sum, value) => sum + value, 0));
    return { document, kind: 'images', images: valid, flaggedCount };
  }
  if (input.kind === 'text') {
    const text = input.text;
    if (!isRecord(text) || typeof text.toxicity !== 'number' || !Array.isArray(text.labels) || !Array.isArray(text.excerpts)) {
      throw new PermanentDependencyError('NotifyOffensive (text) needs the text moderation result');
    }
    return { document, kind: 'text', text: text as unknown as TextModeration };
  }
  throw new PermanentDependencyError(`NotifyOffensive needs kind "images" or "text", got "${String(input.kind)}"`);
}

export const handler = lambdaHandler(async (input: unknown): Promise<NotifyOffensiveOutput> => {
  const request = readNotifyInput(input);
  const { document, kind } = request;
  logger.appendKeys({ documentId: document.documentId, kind });

  const token = randomUUID();
  const claim = await claimAlert(document.documentId, kind, token, new Date());
  if (claim === 'already-sent') {
    logger.info('Alert already sent by an earlier delivery');
    return { notified: false, skipped: 'already-sent' };
  }
  if (claim === 'in-progress') throw new AlertInProgressError(`Another delivery is publishing the ${kind} alert for document ${document.documentId}`);

  const alert = formatAlert(request);
  let messageId: string;
  try {
    const published = await notifications.send(
      new PublishCommand({
        TopicArn: documentConfig.alertTopicArn(),
        Subject: alert.subject,
        Message: alert.message,
        MessageAttributes: alert.attributes,
      }),
    );
    messageId = published.MessageId ?? 'unknown';
  } catch (error) {
    await releaseAlert(document.documentId, kind, token);
    throw classifyAwsError(error, 'SNS Publish');
  }
  await markAlertSent(document.documentId, kind, token, messageId, new Date());
  logger.info('Alert published', { messageId });
  return { notified: true, messageId };
});
