import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { asciiSubject, formatAlert, MAX_IMAGES_IN_ALERT } from '../../functions/document-moderation/notifyOffensive/alert.js';
import { handler } from '../../functions/document-moderation/notifyOffensive/handler.js';
import type { FlaggedImage, NotifyOffensiveInput, NotifyOffensiveOutput, TextModeration } from '../../functions/document-moderation/shared/contract.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const input = sampleEvent<NotifyOffensiveInput>('notifyOffensive');
const context = lambdaContext('notifyOffensive');
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:offensive-documents';
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const updates = () => dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const notify = (event: unknown) => handler(event as NotifyOffensiveInput, context) as Promise<NotifyOffensiveOutput>;

const toxicity: TextModeration = {
  cursor: 900,
  done: true,
  calls: 1,
  segmentsChecked: 2,
  truncated: true,
  language: 'en',
  languageSupported: true,
  toxicity: 0.91,
  labels: [
    { name: 'INSULT', score: 0.93 },
    { name: 'PROFANITY', score: 0.42 },
  ],
  offensive: true,
  excerpts: ['You are all idiots\u0007 and this book is garbage.'],
};
const textInput: NotifyOffensiveInput = { document: input.document, kind: 'text', text: toxicity };

beforeAll(() => {
  process.env.DOCUMENTS_TABLE = 'documents-test';
  process.env.DOCUMENT_ALERT_TOPIC_ARN = TOPIC;
  process.env.DOCUMENT_ALERT_CLAIM_SECONDS = '30';
});
beforeEach(() => {
  dynamo.reset();
  sns.reset();
});

describe('formatAlert', () => {
  it('names the document, each flagged image with its page, labels and S3 key, and where to look', () => {
    const alert = formatAlert(input);
    expect(alert.subject).toBe('Offensive images in reading-guide-infinite-jest.pdf');
    expect(alert.message).toContain(`Document: s3://${input.document.bucket}/${input.document.key}`);
    expect(alert.message).toContain(`Document id: ${input.document.documentId}`);
    expect(alert.message).toContain('2 images flagged, on pages 7, 9:');
    expect(alert.message).toContain('- page 7: Graphic Violence (Violence) 91.4%; Blood & Gore (Graphic Violence) 88.2%');
    expect(alert.message).toContain(`s3://${input.document.bucket}/derived/${input.document.documentId}/images/p0009-i02.png`);
    expect(alert.message).toContain("the dashboard's Documents view");
    expect(alert.attributes).toEqual({
      kind: { DataType: 'String', StringValue: 'images' },
      status: { DataType: 'String', StringValue: 'OFFENSIVE' },
      documentId: { DataType: 'String', StringValue: input.document.documentId },
    });
  });

  it('lists a bounded number of images and counts the rest', () => {
    const images: FlaggedImage[] = Array.from({ length: 45 }, (_, index) => ({
      imageKey: `derived/x/images/${index}.png`,
      page: index + 1,
      labels: [{ name: 'Middle Finger', parentName: 'Rude Gestures', confidence: 90 }],
    }));
    const alert = formatAlert({ ...input, images });
    expect(alert.message.match(/^- page /gm)).toHaveLength(MAX_IMAGES_IN_ALERT);
    expect(alert.message).toContain(`45 images flagged; the first ${MAX_IMAGES_IN_ALERT}, on pages 1, 2, 3,`);
    expect(alert.message).toContain(`- and ${45 - MAX_IMAGES_IN_ALERT} more`);
    // The batches listed only some of their flagged images: the count says how many there are.
    expect(formatAlert({ ...input, flaggedCount: 130 }).message).toContain('130 images flagged; the first 2, on pages 7, 9:');
  });

  it('gives the text labels with scores, the language, a truncation note and printable excerpts', () => {
    const alert = formatAlert(textInput);
    expect(alert.subject).toBe('Offensive text in reading-guide-infinite-jest.pdf');
    expect(alert.message).toContain('Toxicity: 0.91 (highest over 2 segments checked)');
    expect(alert.message).toContain('Labels: INSULT 0.93, PROFANITY 0.42');
    expect(alert.message).toContain('Language: en');
    expect(alert.message).toContain('Only the start of the text was checked');
    expect(alert.message).toContain('  "You are all idiots? and this book is garbage."');
    expect(alert.attributes.kind?.StringValue).toBe('text');
  });

  it('keeps the subject ASCII, on one line and under 100 characters, whatever the file is called', () => {
    expect(asciiSubject('Offensive text in Résumé – 読書会\n.pdf')).toBe('Offensive text in Resume ? ?.pdf');
    const long = asciiSubject(`Offensive images in ${'x'.repeat(200)}.pdf`);
    expect(long.length).toBeLessThan(100);
    expect(long.endsWith('...')).toBe(true);
  });

  it('puts no line break of a hostile key into the message', () => {
    const alert = formatAlert({ ...textInput, document: { ...input.document, key: 'uploads/evil\nDocument id: forged.pdf' } });
    expect(alert.message).not.toMatch(/^Document id: forged/m);
  });
});

describe('notifyOffensive handler', () => {
  it('claims the alert of its kind, publishes once to the topic and marks it sent', async () => {
    dynamo.on(UpdateCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    await expect(notify(input)).resolves.toEqual({ notified: true, messageId: 'sns-1' });
    const [claim, sent] = updates();
    expect(claim?.Key).toEqual({ documentId: input.document.documentId });
    expect(claim?.ExpressionAttributeValues?.[':imageAlertStatus']).toBe('PUBLISHING');
    expect(sent?.ExpressionAttributeValues).toMatchObject({ ':imageAlertStatus': 'SENT', ':imageAlertMessageId': 'sns-1' });
    expect(sent?.ExpressionAttributeValues?.[':token']).toBe(claim?.ExpressionAttributeValues?.[':imageAlertClaimToken']);
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish).toMatchObject({ TopicArn: TOPIC, Subject: 'Offensive images in reading-guide-infinite-jest.pdf' });
    expect(publish?.MessageAttributes?.kind?.StringValue).toBe('images');
  });

  it('claims the text alert apart from the images one', async () => {
    dynamo.on(UpdateCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'sns-2' });
    await expect(notify(textInput)).resolves.toEqual({ notified: true, messageId: 'sns-2' });
    expect(updates()[0]?.ExpressionAttributeValues?.[':textAlertStatus']).toBe('PUBLISHING');
  });

  it('joins the Map’s flagged lists, one per manifest, and adds up their counts', async () => {
    dynamo.on(UpdateCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'sns-3' });
    await notify({ ...input, images: [input.images?.slice(0, 1), [], input.images?.slice(1)] });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message).toContain('2 images flagged, on pages 7, 9:');
    await notify({ ...input, flaggedCount: [9, 0, 'x', 4] });
    expect(sns.commandCalls(PublishCommand)[1]?.args[0].input.Message).toContain('13 images flagged; the first 2');
  });

  it('publishes nothing when an earlier delivery sent the alert', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { documentId: input.document.documentId, imageAlertStatus: 'SENT' } });
    await expect(notify(input)).resolves.toEqual({ notified: false, skipped: 'already-sent' });
    expect(sns.calls()).toHaveLength(0);
  });

  it('asks for a retry while another delivery holds a live claim', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({ Item: { documentId: input.document.documentId, imageAlertStatus: 'PUBLISHING' } });
    await expect(notify(input)).rejects.toMatchObject({ name: 'AlertInProgressError' });
    expect(sns.calls()).toHaveLength(0);
  });

  it.each([
    ['ThrottledException', 400, 'TransientDependencyError'],
    ['InternalErrorException', 500, 'TransientDependencyError'],
    ['KMSThrottlingException', 400, 'TransientDependencyError'],
    ['AuthorizationErrorException', 403, 'PermanentDependencyError'],
    ['NotFoundException', 404, 'PermanentDependencyError'],
    ['InvalidParameterException', 400, 'PermanentDependencyError'],
  ])('releases the claim when SNS answers %s (HTTP %d), raising %s', async (name, status, expected) => {
    dynamo.on(UpdateCommand).resolves({});
    sns.on(PublishCommand).rejects(awsError(name, status));
    await expect(notify(input)).rejects.toMatchObject({ name: expected });
    const [claim, release] = updates();
    expect(release?.UpdateExpression).toMatch(/^REMOVE /);
    expect(release?.ExpressionAttributeValues?.[':token']).toBe(claim?.ExpressionAttributeValues?.[':imageAlertClaimToken']);
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400, 'TransientDependencyError'],
    ['AccessDeniedException', 400, 'PermanentDependencyError'],
  ])('reports DynamoDB answering %s to the claim as %s, before publishing', async (name, status, expected) => {
    dynamo.on(UpdateCommand).rejects(awsError(name, status));
    await expect(notify(input)).rejects.toMatchObject({ name: expected });
    expect(sns.calls()).toHaveLength(0);
  });

  it.each([
    ['an unknown kind', { ...input, kind: 'video' }],
    ['images without flagged ones', { ...input, images: [] }],
    ['text without its result', { document: input.document, kind: 'text' }],
    ['no document', { kind: 'images', images: input.images }],
  ])('refuses %s with a PermanentDependencyError', async (_case, event) => {
    await expect(notify(event)).rejects.toMatchObject({ name: 'PermanentDependencyError' });
    expect(dynamo.calls()).toHaveLength(0);
  });
});
