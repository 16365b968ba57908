/**
 * The Executions view's page and JSON API over a real local Step Functions server: listing (newest first,
 * status and machine filters, paging), one execution's timeline (retries, the Catch taken, Map iterations),
 * reader text masked on the server unless asked, and clear AWS-shaped 400s for bad requests. The edge routes
 * /_local/ paths to the view and nothing else.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CreateStateMachineCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';

import { routeByHeaders } from '../../local/edge/route.js';
import type { ExecutionDetail, ExecutionListPage } from '../../local/executions-view/api.js';
import { EXECUTIONS_VIEW_PATH, executionLinkBase, executionsView } from '../../local/executions-view/view.js';
import { startStepFunctionsServer, type StepFunctionsServer } from '../../local/stepfunctions/server.js';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/local-sfn`;
const fnArn = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const SECRET = 'The ending made me furious, what a waste of paper';

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const TRIAGE = {
  StartAt: 'DetectSentiment',
  States: {
    DetectSentiment: {
      Type: 'Task',
      Resource: fnArn('detect'),
      Parameters: { 'feedback.$': '$.feedback' },
      ResultPath: '$.sentiment',
      Retry: [{ ErrorEquals: ['TransientDependencyError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'TriageFailed' }],
      Next: 'IsNegative',
    },
    IsNegative: { Type: 'Choice', Choices: [{ Variable: '$.sentiment', StringEquals: 'NEGATIVE', Next: 'Triaged' }], Default: 'Triaged' },
    Triaged: { Type: 'Succeed' },
    TriageFailed: { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' },
  },
};

const BATCH = {
  StartAt: 'EachItem',
  States: {
    EachItem: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ItemProcessor: { StartAt: 'Detect', States: { Detect: { Type: 'Task', Resource: fnArn('detect'), ResultPath: '$.sentiment', End: true } } },
      End: true,
    },
  },
};

let sfn: StepFunctionsServer;
let client: SFNClient;
let view: Server;
let base: string;
let triageArn: string;
let batchArn: string;
const arns: { ok: string[]; caught?: string; batch?: string } = { ok: [] };
let failNext = false;

async function get(path: string): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const response = await fetch(`${base}${path}`);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

beforeAll(async () => {
  let failures = 0;
  sfn = await startStepFunctionsServer({
    retryIntervalScale: 0.01,
    invokeLambda: async (_arn, payload) => {
      if (failNext) {
        failures++;
        throw new NamedError(failures >= 3 ? 'PermanentDependencyError' : 'TransientDependencyError', `Comprehend said no (${failures})`);
      }
      return (payload as { feedback?: { rating?: number } }).feedback?.rating === 1 ? 'NEGATIVE' : 'POSITIVE';
    },
  });
  client = new SFNClient({ endpoint: sfn.url, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' }, disableHostPrefix: true, maxAttempts: 1 });
  const create = async (name: string, definition: object) =>
    (await client.send(new CreateStateMachineCommand({ name, type: 'EXPRESS', roleArn: ROLE, definition: JSON.stringify(definition) }))).stateMachineArn!;
  triageArn = await create('feedback-triage', TRIAGE);
  batchArn = await create('feedback-triage-batch', BATCH);
  for (let i = 0; i < 4; i++) {
    const out = await client.send(new StartSyncExecutionCommand({ stateMachineArn: triageArn, name: `ok-${i}`, input: JSON.stringify({ feedback: { text: SECRET, rating: i + 1 } }) }));
    arns.ok.push(out.executionArn!);
  }
  failNext = true;
  // Two transient failures (retried), then a permanent one: caught, to the Fail state.
  const caught = await client.send(new StartSyncExecutionCommand({ stateMachineArn: triageArn, name: 'caught', input: JSON.stringify({ feedback: { text: SECRET, rating: 1 } }) }));
  failNext = false;
  arns.caught = caught.executionArn!;
  const batch = await client.send(
    new StartSyncExecutionCommand({ stateMachineArn: batchArn, name: 'batch', input: JSON.stringify({ items: [{ feedback: { text: SECRET } }, { feedback: { text: 'fine' } }] }) }),
  );
  arns.batch = batch.executionArn!;
  view = createServer(executionsView(sfn.inspector));
  await new Promise<void>((resolve) => view.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(view.address() as AddressInfo).port}`;
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => view.close(() => resolve()));
  await sfn.close();
});

test('the page and its assets: plain files under a strict Content-Security-Policy', async () => {
  const page = await get(EXECUTIONS_VIEW_PATH);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(page.headers.get('content-security-policy')).toContain("require-trusted-types-for 'script'");
  expect(page.text).toContain('<h1>Executions</h1>');
  expect(page.text).toContain('<label for="show-reader-text">Show reader text</label>');
  for (const asset of ['executions.js', 'executions.css']) expect((await get(`${EXECUTIONS_VIEW_PATH}/${asset}`)).status).toBe(200);
  expect(await get(`${EXECUTIONS_VIEW_PATH}/nope`)).toMatchObject({ status: 404, body: { __type: 'NotFound' } });
  const posted = await fetch(`${base}${EXECUTIONS_VIEW_PATH}/api/executions`, { method: 'POST' });
  expect(posted.status).toBe(405);
  expect(executionLinkBase('http://127.0.0.1:4566')).toBe('http://127.0.0.1:4566/_local/executions?executionArn=');
});

test('the list: every machine, newest first, filtered by status and machine, paged with a cursor', async () => {
  const all = (await get(`${EXECUTIONS_VIEW_PATH}/api/executions`)).body as ExecutionListPage;
  expect(all.machines.map((m) => m.name)).toEqual(['feedback-triage', 'feedback-triage-batch']);
  expect(all.executions.map((e) => e.executionArn)).toEqual([arns.batch, arns.caught, ...[...arns.ok].reverse()]);
  expect(all.executions[1]).toMatchObject({ name: 'caught', stateMachineName: 'feedback-triage', type: 'EXPRESS', status: 'FAILED', error: 'PermanentDependencyError' });
  expect(all.executions[1]!.durationMs).toBeGreaterThanOrEqual(0);
  expect(all.nextCursor).toBeUndefined();

  const failed = (await get(`${EXECUTIONS_VIEW_PATH}/api/executions?${q({ status: 'FAILED' })}`)).body as ExecutionListPage;
  expect(failed.executions.map((e) => e.name)).toEqual(['caught']);
  const batchOnly = (await get(`${EXECUTIONS_VIEW_PATH}/api/executions?${q({ stateMachineArn: batchArn })}`)).body as ExecutionListPage;
  expect(batchOnly.executions.map((e) => e.name)).toEqual(['batch']);

  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const body = (await get(`${EXECUTIONS_VIEW_PATH}/api/executions?${q({ limit: '2', ...(cursor ? { cursor } : {}) })}`)).body as ExecutionListPage;
    seen.push(...body.executions.map((e) => e.executionArn));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  expect(seen).toEqual(all.executions.map((e) => e.executionArn));
});

test('bad list requests get clear AWS-shaped 400s', async () => {
  const badStatus = await get(`${EXECUTIONS_VIEW_PATH}/api/executions?status=DONE`);
  expect(badStatus.status).toBe(400);
  expect(badStatus.headers.get('x-amzn-errortype')).toBe('ValidationException');
  expect(badStatus.body).toEqual({
    __type: 'ValidationException',
    message:
      "1 validation error detected: Value 'DONE' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED]",
  });
  expect((await get(`${EXECUTIONS_VIEW_PATH}/api/executions?status=FAILED&status=RUNNING`)).body).toMatchObject({ __type: 'ValidationException' });
  for (const limit of ['0', '201', 'ten', '1.5']) {
    expect(await get(`${EXECUTIONS_VIEW_PATH}/api/executions?limit=${limit}`)).toMatchObject({ status: 400, body: { __type: 'ValidationException' } });
  }
  expect(await get(`${EXECUTIONS_VIEW_PATH}/api/executions?cursor=abc`)).toMatchObject({ status: 400, body: { __type: 'InvalidToken' } });
  const unknownMachine = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:nope`;
  expect(await get(`${EXECUTIONS_VIEW_PATH}/api/executions?${q({ stateMachineArn: unknownMachine })}`)).toMatchObject({
    status: 400,
    body: { __type: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${unknownMachine}'` },
  });
});

test('bad execution requests get clear AWS-shaped 400s', async () => {
  const unknown = `arn:aws:states:us-east-1:${ACCOUNT}:express:feedback-triage:nope:00000000-0000-4000-8000-000000000000`;
  expect(await get(`${EXECUTIONS_VIEW_PATH}/api/execution?${q({ executionArn: unknown })}`)).toMatchObject({
    status: 400,
    body: { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${unknown}'` },
  });
  expect(await get(`${EXECUTIONS_VIEW_PATH}/api/execution?${q({ executionArn: 'arn:nope' })}`)).toMatchObject({ status: 400, body: { __type: 'InvalidArn' } });
  expect(await get(`${EXECUTIONS_VIEW_PATH}/api/execution`)).toMatchObject({ status: 400, body: { __type: 'ValidationException' } });
  expect(await get(`${EXECUTIONS_VIEW_PATH}/api/execution?${q({ executionArn: arns.ok[0]!, showReaderText: 'yes' })}`)).toMatchObject({
    status: 400,
    body: { __type: 'ValidationException', message: "'showReaderText' must be true or false, got 'yes'" },
  });
});

test('one execution: a timeline with the retries, their errors and the Catch taken', async () => {
  const detail = (await get(`${EXECUTIONS_VIEW_PATH}/api/execution?${q({ executionArn: arns.caught! })}`)).body as ExecutionDetail;
  expect(detail.execution).toMatchObject({ name: 'caught', status: 'FAILED', error: 'PermanentDependencyError' });
  expect(detail.states!.map((s) => [s.name, s.type, s.outcome])).toEqual([
    ['DetectSentiment', 'Task', 'caught'],
    ['TriageFailed', 'Fail', 'failed'],
  ]);
  const detect = detail.states![0]!;
  expect(detect.retries).toBe(2);
  expect(detect.attempts.map((a) => [a.number, a.outcome, a.error])).toEqual([
    [1, 'failed', 'TransientDependencyError'],
    [2, 'failed', 'TransientDependencyError'],
    [3, 'failed', 'PermanentDependencyError'],
  ]);
  expect(detect.caught).toMatchObject({ error: 'PermanentDependencyError', cause: expect.stringContaining('Comprehend said no'), next: 'TriageFailed' });
  expect(detect.durationMs).toBeGreaterThanOrEqual(0);
  expect(detect.output).toMatchObject({ failure: { Error: 'PermanentDependencyError' } });
  expect(detail.historyEvents).toBe(14);

  const ok = (await get(`${EXECUTIONS_VIEW_PATH}/api/execution?${q({ executionArn: arns.ok[0]! })}`)).body as ExecutionDetail;
  expect(ok.states!.map((s) => [s.name, s.outcome, s.next])).toEqual([
    ['DetectSentiment', 'succeeded', 'IsNegative'],
    ['IsNegative', 'succeeded', 'Triaged'],
    ['Triaged', 'succeeded', undefined],
  ]);
});

test('Map iterations are nested under their Map, with their index', async () => {
  const detail = (await get(`${EXECUTIONS_VIEW_PATH}/api/execution?${q({ executionArn: arns.batch! })}`)).body as ExecutionDetail;
  const [map, ...items] = detail.states!;
  expect(map).toMatchObject({ name: 'EachItem', type: 'Map', outcome: 'succeeded' });
  expect(items.map((s) => [s.name, s.parentId, s.iteration, s.outcome])).toEqual([
    ['Detect', map!.id, 0, 'succeeded'],
    ['Detect', map!.id, 1, 'succeeded'],
  ]);
});

test('reader text is masked on the server unless the request asks for it', async () => {
  for (const arn of [arns.ok[0]!, arns.caught!, arns.batch!]) {
    const hidden = await get(`${EXECUTIONS_VIEW_PATH}/api/execution?${q({ executionArn: arn })}`);
    expect(hidden.text).not.toContain(SECRET);
    expect((hidden.body as ExecutionDetail).readerText).toBe('hidden');
    expect(hidden.text).toContain(`‹reader text hidden: ${SECRET.length} characters›`);
    const shown = await get(`${EXECUTIONS_VIEW_PATH}/api/execution?${q({ executionArn: arn, showReaderText: 'true' })}`);
    expect(shown.text).toContain(SECRET);
    expect((shown.body as ExecutionDetail).readerText).toBe('shown');
  }
  const detail = (await get(`${EXECUTIONS_VIEW_PATH}/api/execution?${q({ executionArn: arns.batch! })}`)).body as ExecutionDetail;
  expect(detail.execution.input).toEqual({ items: [{ feedback: { text: `‹reader text hidden: ${SECRET.length} characters›` } }, { feedback: { text: '‹reader text hidden: 4 characters›' } }] });
});

test('a Standard execution is listed beside the Express ones', async () => {
  const standard = (await client.send(new CreateStateMachineCommand({ name: 'documents', type: 'STANDARD', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) })))
    .stateMachineArn!;
  const started = await client.send(new StartExecutionCommand({ stateMachineArn: standard, name: 'doc-1' }));
  let listed: ExecutionListPage | undefined;
  for (let i = 0; i < 50; i++) {
    listed = (await get(`${EXECUTIONS_VIEW_PATH}/api/executions?${q({ stateMachineArn: standard })}`)).body as ExecutionListPage;
    if (listed.executions[0]?.status === 'SUCCEEDED') break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(listed!.executions).toEqual([expect.objectContaining({ executionArn: started.executionArn, type: 'STANDARD', status: 'SUCCEEDED' })]);
});

test('the edge sends unsigned /_local/ paths to the local pages, and nothing else', () => {
  expect(routeByHeaders('GET', '/_local/executions', {})).toEqual({ localPage: true });
  expect(routeByHeaders('GET', '/_local/executions/api/execution?executionArn=x', {})).toEqual({ localPage: true });
  expect(routeByHeaders('GET', '/_local', {})).toEqual({ localPage: true });
  expect(routeByHeaders('GET', '/_localstack/health', {})).toEqual({ service: 's3' });
  expect(routeByHeaders('GET', '/bucket/_local/key', {})).toEqual({ service: 's3' });
  const signed = { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x' };
  expect(routeByHeaders('GET', '/_local/executions', signed)).toEqual({ service: 's3' });
});
