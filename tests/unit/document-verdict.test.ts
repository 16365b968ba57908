import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/document-moderation/recordVerdict/handler.js';
import { causeMessage, decideVerdict, MAX_CAUSE_CHARS, MAX_FLAGGED_IMAGES_RECORDED } from '../../functions/document-moderation/recordVerdict/verdict.js';
import type { FlaggedImage, RecordVerdictInput, RecordVerdictOutput } from '../../functions/document-moderation/shared/contract.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const input = sampleEvent<RecordVerdictInput>('recordVerdict');
const context = lambdaContext('recordVerdict');
const [imagesBranch, textBranch] = input.results!;
const record = (event: unknown) => handler(event as RecordVerdictInput, context) as Promise<RecordVerdictOutput>;
const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at handler (/var/task/index.js:1:1)'] });

beforeAll(() => {
  process.env.DOCUMENTS_TABLE = 'documents-test';
});
beforeEach(() => dynamo.reset());

describe('decideVerdict', () => {
  it('calls a document OFFENSIVE when images offend, with pages, counts and the flagged images', () => {
    expect(decideVerdict(input)).toEqual({
      status: 'OFFENSIVE',
      pages: 12,
      imageCount: 31,
      imagesModerated: 30,
      flaggedImages: imagesBranch.batches[0]?.flagged,
      flaggedImageCount: 2,
      text: {
        calls: 3,
        segmentsChecked: 26,
        truncated: false,
        language: 'en',
        languageSupported: true,
        toxicity: 0.1243,
        labels: textBranch.toxicity.labels,
        offensive: false,
        excerpts: [],
        characters: 23817,
        pagesWithoutText: 1,
      },
    });
  });

  it('calls it OFFENSIVE for its text alone, and CLEAN when neither branch offends', () => {
    const cleanImages = { ...imagesBranch, offensive: false, batches: imagesBranch.batches.map((batch) => ({ ...batch, offensive: false, flagged: [], flaggedCount: 0 })) };
    const offensiveText = { ...textBranch, toxicity: { ...textBranch.toxicity, offensive: true } };
    expect(decideVerdict({ ...input, results: [cleanImages, offensiveText] }).status).toBe('OFFENSIVE');
    expect(decideVerdict({ ...input, results: [cleanImages, textBranch] })).toMatchObject({ status: 'CLEAN', flaggedImages: [], flaggedImageCount: 0 });
  });

  it('is CLEAN for a document without images (the Map ran over nothing)', () => {
    const noImages = { extraction: { pages: 2, imageCount: 0, imageBatches: [], undecodable: 0 }, batches: [], offensive: false };
    expect(decideVerdict({ ...input, results: [noImages, textBranch] })).toMatchObject({ status: 'CLEAN', pages: 2, imageCount: 0, imagesModerated: 0 });
  });

  it('does not pass images nobody could decode: REJECTED with the count and a reason, unless something offends', () => {
    const cleanImages = { ...imagesBranch, offensive: false, batches: imagesBranch.batches.map((batch) => ({ ...batch, offensive: false, flagged: [], flaggedCount: 0 })) };
    const unreadable = { ...cleanImages, extraction: { ...cleanImages.extraction, undecodable: 2 } };
    expect(decideVerdict({ ...input, results: [unreadable, textBranch] })).toMatchObject({
      status: 'REJECTED',
      reason: expect.stringMatching(/2 images in it could not be decoded .*not checked/),
      undecodableImages: 2,
      imagesModerated: 30,
    });
    const offensiveText = { ...textBranch, toxicity: { ...textBranch.toxicity, offensive: true } };
    expect(decideVerdict({ ...input, results: [unreadable, offensiveText] })).toMatchObject({ status: 'OFFENSIVE', undecodableImages: 2 });
    expect(decideVerdict({ ...input, results: [unreadable, offensiveText] }).reason).toBeUndefined();
    const readable = { ...cleanImages, extraction: { ...cleanImages.extraction, undecodable: 0 } };
    expect(decideVerdict({ ...input, results: [readable, textBranch] })).toMatchObject({ status: 'CLEAN', undecodableImages: 0 });
  });

  it('keeps a bounded number of flagged images and counts them all', () => {
    const flagged: FlaggedImage[] = Array.from({ length: 120 }, (_, index) => ({ imageKey: `derived/x/${index}.png`, page: index, labels: [] }));
    const verdict = decideVerdict({ ...input, results: [{ ...imagesBranch, batches: [{ moderated: 120, skipped: 0, offensive: true, flagged, flaggedCount: 120 }] }, textBranch] });
    expect(verdict.flaggedImages).toHaveLength(MAX_FLAGGED_IMAGES_RECORDED);
    expect(verdict.flaggedImageCount).toBe(120);
    // Batches that listed only their first flagged images count the rest.
    const counted = decideVerdict({
      ...input,
      results: [{ ...imagesBranch, batches: [{ moderated: 25, skipped: 0, offensive: true, flagged: flagged.slice(0, 5), flaggedCount: 25 }, { moderated: 3, skipped: 0, offensive: true, flagged: flagged.slice(0, 1), flaggedCount: 1 }] }, textBranch],
    });
    expect(counted.flaggedImageCount).toBe(26);
    expect(counted.flaggedImages).toHaveLength(6);
  });

  it("records AcceptDocument's rejection as REJECTED with its reason", () => {
    expect(decideVerdict({ document: input.document, executionArn: input.executionArn, rejection: 'the file is empty (0 bytes)' })).toEqual({
      status: 'REJECTED',
      reason: 'the file is empty (0 bytes)',
    });
  });

  it("records a DocumentRejectedError as REJECTED with the message from Lambda's JSON cause", () => {
    const failure = { Error: 'DocumentRejectedError', Cause: lambdaCause('DocumentRejectedError', 'the file is not a PDF (it starts with "PK")') };
    expect(decideVerdict({ document: input.document, executionArn: input.executionArn, failure })).toEqual({
      status: 'REJECTED',
      reason: 'the file is not a PDF (it starts with "PK")',
    });
  });

  it('records any other failure as FAILED with its error and a bounded cause, without the stack trace', () => {
    const failure = { Error: 'PermanentDependencyError', Cause: lambdaCause('PermanentDependencyError', `Rekognition failed: ${'x'.repeat(3_000)}`) };
    const verdict = decideVerdict({ document: input.document, executionArn: input.executionArn, failure });
    expect(verdict.status).toBe('FAILED');
    expect(verdict.error?.name).toBe('PermanentDependencyError');
    expect(Array.from(verdict.error?.cause ?? '')).toHaveLength(MAX_CAUSE_CHARS);
    expect(verdict.error?.cause).not.toContain('/var/task');
    expect(decideVerdict({ document: input.document, executionArn: input.executionArn, failure: { Error: 'States.Timeout' } })).toEqual({
      status: 'FAILED',
      error: { name: 'States.Timeout' },
    });
  });

  it('reads a cause as it is when it is not a Lambda error', () => {
    expect(causeMessage('Task timed out after 15 seconds')).toBe('Task timed out after 15 seconds');
    expect(causeMessage('{"not":"lambda"}')).toBe('{"not":"lambda"}');
    expect(causeMessage('')).toBeUndefined();
  });

  it('records FAILED, rather than nothing, when the workflow hands over no result at all', () => {
    expect(decideVerdict({ document: input.document, executionArn: input.executionArn })).toMatchObject({
      status: 'FAILED',
      error: { name: 'IncompleteWorkflowError' },
    });
  });
});

describe('recordVerdict handler', () => {
  it('writes the verdict on the document record and answers its status', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await expect(record(input)).resolves.toEqual({ documentId: input.document.documentId, status: 'OFFENSIVE' });
    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual({ documentId: input.document.documentId });
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':status': 'OFFENSIVE', ':flaggedImageCount': 2, ':executionArn': input.executionArn });
  });

  it('keeps a verdict already final and answers that one', async () => {
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: { documentId: input.document.documentId, status: 'CLEAN' } });
    await expect(record({ ...input, results: undefined, failure: { Error: 'States.Timeout' } })).resolves.toEqual({
      documentId: input.document.documentId,
      status: 'CLEAN',
    });
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400, 'TransientDependencyError'],
    ['InternalServerError', 500, 'TransientDependencyError'],
    ['AccessDeniedException', 400, 'PermanentDependencyError'],
    ['ValidationException', 400, 'PermanentDependencyError'],
  ])('reports DynamoDB answering %s (HTTP %d) as %s', async (name, status, expected) => {
    dynamo.on(UpdateCommand).rejects(awsError(name, status));
    await expect(record(input)).rejects.toMatchObject({ name: expected });
  });

  it('refuses an input without a document or an executionArn', async () => {
    await expect(record({ ...input, document: undefined })).rejects.toMatchObject({ name: 'PermanentDependencyError' });
    await expect(record({ ...input, executionArn: '' })).rejects.toMatchObject({ name: 'PermanentDependencyError' });
    expect(dynamo.calls()).toHaveLength(0);
  });
});
