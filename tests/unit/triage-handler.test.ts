// The triage handler against a mocked table: the conditional write on the version, its 409 with the current
// state, the scope check, and a clear 4xx for every bad request.
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/feedback-triage/triageFeedback/handler.js';
import type { TriageState } from '../../functions/feedback-triage/triageFeedback/triage.js';
import { TEAM_SCOPES } from '../../functions/team/tokenScopes/scopes.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const table = mockClient(DynamoDBDocumentClient);

/** The handler's JSON answers: an item, the current state with a 409, or a message naming a field. */
interface TriageAnswer {
  item?: TriageState;
  current?: TriageState;
  message?: string;
  field?: string;
}
const FEEDBACK_ID = '7a2d4e6f-1b3c-4d5e-8f9a-0b1c2d3e4f52';

beforeEach(() => {
  table.reset();
  process.env.FEEDBACK_TABLE = 'feedback-test';
});

function event(overrides: { body?: string; method?: string; scopes?: string[]; feedbackId?: string; contentType?: string } = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const sample = sampleEvent<APIGatewayProxyEventV2WithJWTAuthorizer>('triageFeedback');
  const method = overrides.method ?? 'POST';
  return {
    ...sample,
    headers: { ...sample.headers, 'content-type': overrides.contentType ?? 'application/json' },
    pathParameters: { feedbackId: overrides.feedbackId ?? FEEDBACK_ID },
    body: method === 'POST' ? (overrides.body ?? sample.body) : undefined,
    requestContext: {
      ...sample.requestContext,
      http: { ...sample.requestContext.http, method },
      authorizer: { ...sample.requestContext.authorizer, jwt: { ...sample.requestContext.authorizer.jwt, scopes: overrides.scopes ?? sample.requestContext.authorizer.jwt.scopes } },
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

async function call(input: APIGatewayProxyEventV2WithJWTAuthorizer) {
  const result = (await handler(input, lambdaContext('triageFeedback'))) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as TriageAnswer };
}

const stored = (overrides: Record<string, unknown> = {}) => ({ feedbackId: FEEDBACK_ID, sentiment: 'NEGATIVE', bookId: 'dune', ...overrides });

describe('POST /feedback/{feedbackId}/triage', () => {
  it('acknowledges a NEW item with a write conditional on it never having been triaged', async () => {
    table.on(GetCommand).resolves({ Item: stored() });
    table.on(UpdateCommand).resolves({});
    const answer = await call(event());
    expect(answer.status).toBe(200);
    expect(answer.body.item).toMatchObject({ feedbackId: FEEDBACK_ID, status: 'ACKNOWLEDGED', version: 1, assignee: null, updatedBy: 'tove' });
    expect(answer.body.item?.history).toEqual([expect.objectContaining({ action: 'acknowledge', by: 'tove', from: 'NEW', to: 'ACKNOWLEDGED', note: 'Calling the reader back this week.' })]);
    const update = table.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.ConditionExpression).toBe('attribute_exists(feedbackId) AND attribute_not_exists(erasedAt) AND attribute_not_exists(triageVersion)');
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':status': 'ACKNOWLEDGED', ':version': 1, ':by': 'tove' });
    expect(table.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ ConsistentRead: true, TableName: 'feedback-test' });
    // The reader's text is never read by this function.
    expect(Object.values(table.commandCalls(GetCommand)[0]?.args[0].input.ExpressionAttributeNames ?? {})).not.toContain('text');
  });

  it('answers 409 with the item as it is now when another change won the conditional write', async () => {
    table
      .on(GetCommand)
      .resolvesOnce({ Item: stored({ triageStatus: 'ACKNOWLEDGED', triageVersion: 1 }) })
      .resolvesOnce({ Item: stored({ triageStatus: 'RESOLVED', triageVersion: 2, triageUpdatedBy: 'vera' }) });
    table.on(UpdateCommand).rejects(awsError('ConditionalCheckFailedException'));
    const answer = await call(event({ body: JSON.stringify({ action: 'resolve', expectedVersion: 1 }) }));
    expect(answer.status).toBe(409);
    expect(answer.body.message).toBe('someone changed this item first: it is now at version 2');
    expect(answer.body.current).toMatchObject({ status: 'RESOLVED', version: 2, updatedBy: 'vera' });
    expect(table.commandCalls(UpdateCommand)[0]?.args[0].input.ConditionExpression).toBe('attribute_exists(feedbackId) AND attribute_not_exists(erasedAt) AND triageVersion = :expected');
  });

  it('answers 409 without writing when the member saw an older version', async () => {
    table.on(GetCommand).resolves({ Item: stored({ triageStatus: 'ACKNOWLEDGED', triageVersion: 3 }) });
    const answer = await call(event({ body: JSON.stringify({ action: 'resolve', expectedVersion: 2 }) }));
    expect(answer).toMatchObject({ status: 409, body: { current: { status: 'ACKNOWLEDGED', version: 3 } } });
    expect(table.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers 403 to a token without the triage scope, before touching the table', async () => {
    const answer = await call(event({ scopes: ['openid', TEAM_SCOPES.read] }));
    expect(answer).toEqual({ status: 403, body: { message: 'Forbidden' } });
    expect(table.calls()).toHaveLength(0);
  });

  it('answers 404 for feedback that is not stored, or erased at its reader\'s request', async () => {
    table.on(GetCommand).resolves({});
    expect(await call(event())).toEqual({ status: 404, body: { message: `no feedback ${FEEDBACK_ID}` } });
    table.on(GetCommand).resolves({ Item: { feedbackId: FEEDBACK_ID, erasedAt: '2026-11-30T09:00:00.000Z' } });
    expect(await call(event())).toEqual({ status: 404, body: { message: `no feedback ${FEEDBACK_ID}` } });
    expect(table.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it.each([
    [{ contentType: 'text/plain' }, 415, 'content-type'],
    [{ body: '{"action":' }, 400, 'body'],
    [{ body: 'x'.repeat(5000) }, 400, 'body'],
    [{ body: '{"action":"close","expectedVersion":0}' }, 400, 'action'],
    [{ feedbackId: 'x'.repeat(129) }, 400, 'feedbackId'],
    [{ feedbackId: 'bad\nid' }, 400, 'feedbackId'],
  ])('refuses %j with %i naming %s', async (overrides, status, field) => {
    table.on(GetCommand).resolves({ Item: stored() });
    const answer = await call(event(overrides));
    expect(answer.status).toBe(status);
    expect(answer.body.field).toBe(field);
    expect(table.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers 503 when the table throttles, so the member can try again', async () => {
    table.on(GetCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    expect((await call(event())).status).toBe(503);
  });
});

describe('GET /feedback/{feedbackId}/history', () => {
  it('answers the triage state and history, for readers too', async () => {
    const history = [{ action: 'acknowledge', by: 'tove', at: '2026-11-30T09:00:00.000Z', from: 'NEW', to: 'ACKNOWLEDGED' }];
    table.on(GetCommand).resolves({ Item: stored({ triageStatus: 'ACKNOWLEDGED', triageVersion: 1, assignee: 'tove', triageHistory: history }) });
    const answer = await call(event({ method: 'GET', scopes: [TEAM_SCOPES.read] }));
    expect(answer).toEqual({
      status: 200,
      body: { item: { feedbackId: FEEDBACK_ID, sentiment: 'NEGATIVE', bookId: 'dune', status: 'ACKNOWLEDGED', version: 1, assignee: 'tove', history } },
    });
  });
});
