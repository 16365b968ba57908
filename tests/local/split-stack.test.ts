// The split stack (DynamoDB emulator in a worker thread) runs the same pipeline: a feedback submitted over the
// HTTP API is stored, readable through the handlers' endpoint and through the edge, and stop ends the thread.
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { waitUntilSettled } from '../../local/triage-ledger.js';

describe('startLocalStack({ split: true })', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ split: true, logLevel: 'ERROR' });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('stores a submitted feedback in the DynamoDB emulator on the other thread', async () => {
    const answer = await fetch(`${stack.httpUrl}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bookId: 'split-1', text: 'The binding fell apart on the first day, very disappointing.', rating: 1 }),
    });
    expect(answer.status).toBe(202);
    const { feedbackId } = (await answer.json()) as { feedbackId: string };
    expect((await waitUntilSettled(stack, { timeoutMs: 30_000 })).settled).toBe(true);

    const direct = DynamoDBDocumentClient.from(stack.clients.dynamodb);
    const { Item } = await direct.send(new GetCommand({ TableName: stack.resources.feedbackTable, Key: { feedbackId } }));
    expect(Item).toMatchObject({ feedbackId, bookId: 'split-1' });
    expect(Item?.storedAt).toEqual(expect.any(String));

    const throughEdge = DynamoDBDocumentClient.from(
      new DynamoDBClient({ region: 'us-east-1', endpoint: stack.edge.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    const viaEdge = await throughEdge.send(new GetCommand({ TableName: stack.resources.feedbackTable, Key: { feedbackId } }));
    expect(viaEdge.Item).toEqual(Item);
    throughEdge.destroy();
  }, 60_000);
});
