/**
 * The links from the team's pages to the execution that handled each item: StoreFeedback records the executionArn,
 * the item's triage read (from the table: the list's index does not project it) and the documents list answer it, and the webPages function serves the link setting (EXECUTION_DETAILS_URL) to the
 * pages, http(s) only. The pages' rendering of the link is driven in chromium (tests/browser/executions.test.ts).
 */
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { toDocumentListItem } from '../../functions/document-moderation/listDocuments/list.js';
import type { DocumentVerdict } from '../../functions/document-moderation/shared/contract.js';
import { handler as storeFeedback } from '../../functions/feedback-triage/storeFeedback/handler.js';
import { buildListQuery } from '../../functions/feedback-triage/listFeedback/list.js';
import { triageStateOf } from '../../functions/feedback-triage/triageFeedback/triage.js';
import type { TriageStateEvent } from '../../functions/shared/state-event.js';
import { PAGE_LINKS_PATH, pageLinks, serveWeb } from '../../functions/webPages/site.js';
import { lambdaContext, sampleEvent } from '../helpers/lambda.js';

const EXECUTION_ARN = 'arn:aws:states:us-east-1:000000000000:express:feedback-triage-local-triage:m-1:5f0e8a2c-6a43-4d7e-9a55-0d1f2b3c4d5e';

describe('StoreFeedback records the execution that stored the feedback', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const event = sampleEvent<TriageStateEvent>('storeFeedback');
  beforeAll(() => {
    process.env.FEEDBACK_TABLE = 'feedback-test';
    process.env.FEEDBACK_RETENTION_DAYS = '30';
  });
  afterAll(() => dynamo.restore());

  it('writes executionArn from the state input, and nothing when the input has none', async () => {
    dynamo.on(PutCommand).resolves({});
    await storeFeedback({ ...event, executionArn: EXECUTION_ARN }, lambdaContext('storeFeedback'));
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item?.executionArn).toBe(EXECUTION_ARN);
    dynamo.resetHistory();
    const { executionArn: _omitted, ...withoutArn } = event;
    await storeFeedback({ ...withoutArn }, lambdaContext('storeFeedback'));
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).not.toHaveProperty('executionArn');
  });
});

describe('the team APIs answer executionArn', () => {
  it('GET /feedback/{id}/history answers it from the table, and GET /feedback does not ask the index for it', () => {
    // The bySentiment index does not project executionArn: a deployed index's projection cannot change in place.
    const query = buildListQuery({ sentiment: 'NEGATIVE', limit: 20 }, 'table', 'bySentiment');
    expect(Object.values(query.ExpressionAttributeNames ?? {})).not.toContain('executionArn');
    expect(triageStateOf({ feedbackId: 'f-1', sentiment: 'NEGATIVE', executionArn: EXECUTION_ARN }).executionArn).toBe(EXECUTION_ARN);
  });

  it('GET /documents answers the execution that decided the verdict', () => {
    const verdict = {
      documentId: '0'.repeat(32),
      bucket: 'b',
      key: 'uploads/a.pdf',
      size: 10,
      status: 'CLEAN',
      receivedAt: '2026-11-30T00:00:00.000Z',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:documents:d-1',
    } as DocumentVerdict;
    expect(toDocumentListItem(verdict).executionArn).toBe(verdict.executionArn);
  });
});

describe('the link setting the pages read', () => {
  it('serves EXECUTION_DETAILS_URL as /assets/links.json, http(s) only', () => {
    const saved = process.env.EXECUTION_DETAILS_URL;
    try {
      process.env.EXECUTION_DETAILS_URL = 'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/';
      const answer = serveWeb({ path: PAGE_LINKS_PATH });
      expect(answer.statusCode).toBe(200);
      expect(answer.headers?.['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(String(answer.body))).toEqual({ executionDetailsUrl: process.env.EXECUTION_DETAILS_URL });
      for (const hostile of ['javascript:alert(1)//', 'data:text/html,x', 'not a url']) {
        expect(pageLinks({ EXECUTION_DETAILS_URL: hostile })).toEqual({});
      }
      expect(pageLinks({})).toEqual({});
      expect(pageLinks({ EXECUTION_DETAILS_URL: 'http://127.0.0.1:4566/_local/executions?executionArn=' })).toEqual({
        executionDetailsUrl: 'http://127.0.0.1:4566/_local/executions?executionArn=',
      });
    } finally {
      if (saved === undefined) delete process.env.EXECUTION_DETAILS_URL;
      else process.env.EXECUTION_DETAILS_URL = saved;
    }
  });
});
