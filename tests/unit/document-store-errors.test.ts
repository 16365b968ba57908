// How the documents store reports what DynamoDB answers besides a lost condition: throttling and 5xx as
// TransientDependencyError (the state machine retries), access denied and validation as PermanentDependencyError.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { DocumentRef } from '../../functions/document-moderation/shared/contract.js';
import { claimAlert, claimDocument, listRecent, markAlertSent, recordVerdict, releaseAlert } from '../../functions/document-moderation/shared/document-store.js';
import { awsError } from '../helpers/lambda.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const document: DocumentRef = { documentId: '0123456789abcdef0123456789abcdef', bucket: 'b', key: 'uploads/a.pdf', etag: 'e', size: 10 };
const arn = 'arn:aws:states:us-east-1:000000000000:execution:documents:x';
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeAll(() => {
  process.env.DOCUMENTS_TABLE = 'documents-test';
  process.env.PROCESSING_CLAIM_SECONDS = '600';
  process.env.DOCUMENT_ALERT_CLAIM_SECONDS = '30';
});
beforeEach(() => dynamo.reset());

const operations: [string, () => Promise<unknown>][] = [
  ['claimDocument', () => claimDocument(document, arn, new Date())],
  ['recordVerdict', () => recordVerdict({ document, status: 'CLEAN', executionArn: arn }, new Date())],
  ['claimAlert', () => claimAlert(document.documentId, 'images', 't', new Date())],
  ['markAlertSent', () => markAlertSent(document.documentId, 'text', 't', 'm', new Date())],
  ['listRecent', () => listRecent(20)],
];

describe.each(operations)('%s', (_name, operation) => {
  it.each([
    ['ProvisionedThroughputExceededException', 400, 'TransientDependencyError'],
    ['ThrottlingException', 400, 'TransientDependencyError'],
    ['InternalServerError', 500, 'TransientDependencyError'],
    ['AccessDeniedException', 400, 'PermanentDependencyError'],
    ['ValidationException', 400, 'PermanentDependencyError'],
    ['ResourceNotFoundException', 400, 'PermanentDependencyError'],
  ])('turns %s (HTTP %d) into %s', async (name, status, expected) => {
    dynamo.on(UpdateCommand).rejects(awsError(name, status));
    dynamo.on(QueryCommand).rejects(awsError(name, status));
    await expect(operation()).rejects.toMatchObject({ name: expected, message: expect.stringContaining(name) });
  });
});

describe('after a lost condition', () => {
  it('reports a read that fails as the dependency error it is', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).rejects(awsError('ThrottlingException'));
    await expect(claimDocument(document, arn, new Date())).rejects.toMatchObject({ name: 'TransientDependencyError' });
  });

  it('treats a record gone between the write and the read as a race to retry', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({});
    await expect(recordVerdict({ document, status: 'CLEAN', executionArn: arn }, new Date())).rejects.toMatchObject({
      name: 'TransientDependencyError',
    });
  });
});

it('releaseAlert never fails its caller: the lease runs out by itself', async () => {
  dynamo.on(UpdateCommand).rejects(awsError('InternalServerError', 500));
  await expect(releaseAlert(document.documentId, 'images', 't')).resolves.toBeUndefined();
});
