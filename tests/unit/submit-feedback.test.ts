import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/feedback-triage/submitFeedback/handler.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const sqs = mockClient(SQSClient);
const event = sampleEvent<APIGatewayProxyEventV2>('submitFeedback');
const context = lambdaContext('submitFeedback');

async function submit(overrides: Partial<APIGatewayProxyEventV2>) {
  const result = (await handler({ ...event, ...overrides }, context)) as APIGatewayProxyStructuredResultV2;
  return { statusCode: result.statusCode, body: JSON.parse(String(result.body)) as Record<string, unknown> };
}

beforeAll(() => {
  process.env.FEEDBACK_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/feedback';
});
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});

describe('submitFeedback handler', () => {
  it('queues valid feedback with a new feedbackId and answers 202', async () => {
    const { statusCode, body } = await submit({});
    expect(statusCode).toBe(202);
    expect(body.feedbackId).toMatch(/^[0-9a-f-]{36}$/);
    const input = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(input?.QueueUrl).toBe(process.env.FEEDBACK_QUEUE_URL);
    const queued = JSON.parse(String(input?.MessageBody));
    expect(queued).toMatchObject({ feedbackId: body.feedbackId, bookId: 'infinite-jest', rating: 2, readerId: 'reader-0107' });
    expect(Date.parse(queued.submittedAt)).not.toBeNaN();
  });

  it('decodes a base64 body', async () => {
    const body = Buffer.from(JSON.stringify({ bookId: 'dune', text: 'Spice must flow' })).toString('base64');
    expect((await submit({ body, isBase64Encoded: true })).statusCode).toBe(202);
  });

  it.each([
    ['no body', 400, { body: undefined }, 'request body is required'],
    ['invalid JSON', 400, { body: '{"bookId":' }, 'body is not valid JSON'],
    ['an array', 400, { body: '[]' }, 'feedback must be a JSON object'],
    ['a missing field', 400, { body: '{"text":"hi"}' }, 'bookId is required'],
    ['empty text', 400, { body: '{"bookId":"b","text":""}' }, 'text must not be empty'],
    ['text over the limit', 413, { body: JSON.stringify({ bookId: 'b', text: 'x'.repeat(10_001) }) }, 'at most 10000 characters'],
    // The same wording as the text's limit, but a malformed id, not a large payload: the code decides, not the words.
    ['an id over the limit', 400, { body: JSON.stringify({ bookId: 'b'.repeat(129), text: 'fine' }) }, 'bookId must be at most 128 characters'],
    ['a body over the limit', 413, { body: 'x'.repeat(70_000) }, 'request body must be at most 65536 bytes'],
    ['invalid UTF-8', 400, { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), isBase64Encoded: true }, 'not valid UTF-8'],
    ['a form post', 415, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 'content-type must be application/json'],
  ] as const)('answers %s with %d and a clear message', async (_case, status, overrides, message) => {
    const { statusCode, body } = await submit(overrides as Partial<APIGatewayProxyEventV2>);
    expect(statusCode).toBe(status);
    expect(String(body.message)).toContain(message);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('names the field at fault', async () => {
    const { body } = await submit({ body: '{"bookId":"b","text":"fine","rating":"5"}' });
    expect(body).toEqual({ message: 'rating must be a whole number from 1 to 5', field: 'rating' });
  });

  it('answers 503 when the queue throttles, so the reader can retry', async () => {
    sqs.on(SendMessageCommand).rejects(awsError('RequestThrottled', 503));
    expect((await submit({})).statusCode).toBe(503);
  });

  it('answers 500 when the queue refuses for good', async () => {
    sqs.on(SendMessageCommand).rejects(awsError('AccessDenied', 403));
    expect((await submit({})).statusCode).toBe(500);
  });
});
