// Real clients no one here wrote: the AWS CLI, run against the local stack's one edge endpoint for every service
// the product uses. Debian's awscli (2.9, installed by `npm test`'s pretest) is always run; an AWS CLI 1.x on the
// PATH is run too when the machine has one. What each version cannot do is asserted as the limit it is:
// - CLI 2.9 predates AWS_ENDPOINT_URL (2.13) and AWS_DISABLE_HOST_PREFIX_INJECTION: it needs --endpoint-url, and
//   for start-sync-execution an endpoint whose host survives the `sync-` prefix (README);
// - CLI 1.x sends `sqs` commands in us-east-1 to queue.amazonaws.com unless --endpoint-url is given
//   (awscli/customizations/overridesslcommonname.py), whatever AWS_ENDPOINT_URL says.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

const run = promisify(execFile);
const DEBIAN_CLI = '/usr/bin/aws';

interface Cli {
  path: string;
  version: string;
  major: number;
  minor: number;
}

async function describeCli(path: string): Promise<Cli | undefined> {
  try {
    const { stdout, stderr } = await run(path, ['--version'], { timeout: 30_000 });
    const version = (stdout || stderr).trim();
    const [, major, minor] = /aws-cli\/(\d+)\.(\d+)/.exec(version) ?? [];
    return major ? { path, version, major: Number(major), minor: Number(minor) } : undefined;
  } catch {
    return undefined;
  }
}

/** Debian's CLI, and an AWS CLI 1.x elsewhere on the PATH when there is one. */
async function availableClis(): Promise<Cli[]> {
  if (!existsSync(DEBIAN_CLI)) throw new Error(`Debian's AWS CLI is missing at ${DEBIAN_CLI}: run \`npm test\` (its pretest installs it) or apt-get install awscli`);
  const debian = (await describeCli(DEBIAN_CLI)) as Cli;
  const onPath = (await run('bash', ['-c', 'type -a -P aws || true'])).stdout.split('\n').filter((path) => path && path !== DEBIAN_CLI);
  const others = await Promise.all(onPath.map(describeCli));
  const v1 = others.find((cli) => cli?.major === 1);
  const clis = [debian, ...(v1 ? [v1] : [])];
  console.log(`The CLI tests run ${clis.map((cli) => cli.version).join(' and ')}${v1 ? '' : ' (no AWS CLI 1.x on this machine)'}.`);
  return clis;
}

let stack: LocalStack;
let clis: Cli[];
const home = mkdtempSync(join(tmpdir(), 'aws-cli-home-'));

beforeAll(async () => {
  [stack, clis] = await Promise.all([startLocalStack({ logLevel: 'SILENT' }), availableClis()]);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Whether this CLI reads AWS_ENDPOINT_URL (2.13 and later; every 1.x this test meets). */
const readsEndpointVariable = (cli: Cli) => cli.major === 1 || cli.minor >= 13;

/** Runs one CLI command with only what .local-stack.env gives a user (no config files); answers its parsed JSON. */
async function aws(cli: Cli, args: string[], options: { endpointUrl?: string } = {}): Promise<Record<string, unknown>> {
  const endpointUrl = options.endpointUrl ?? (readsEndpointVariable(cli) && !(cli.major === 1 && args[0] === 'sqs') ? undefined : stack.edge.url);
  const { stdout } = await run(cli.path, [...(endpointUrl ? ['--endpoint-url', endpointUrl] : []), ...args, '--output', 'json'], {
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      ...stack.clientEnvironment,
      AWS_PAGER: '',
    },
  });
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}

/** The failure a CLI command ends with: its exit code and what it printed. */
async function awsFailure(cli: Cli, args: string[]): Promise<{ code: number; output: string }> {
  try {
    await aws(cli, args);
  } catch (error) {
    const failed = error as { code?: number; stderr?: string; stdout?: string };
    return { code: failed.code ?? -1, output: `${failed.stderr ?? ''}${failed.stdout ?? ''}` };
  }
  throw new Error(`aws ${args.join(' ')} succeeded where it should have failed`);
}

const feedbackInput = (n: number, text: string) =>
  JSON.stringify({
    feedback: { feedbackId: `0b7e6d1c-5d3e-4f61-9a2e-3c1f0000000${n}`, bookId: 'cli-book', text, rating: 3, submittedAt: '2026-11-30T07:00:00.000Z' },
    messageId: `cli-${n}`,
  });

describe('the AWS CLI against the edge endpoint', () => {
  it('works on SQS (JSON or query protocol), SNS, DynamoDB, Step Functions and Comprehend', async () => {
    for (const [index, cli] of clis.entries()) {
      const context = cli.version;
      const queueName = `cli-check-${cli.major}-${index}`;
      const { QueueUrl } = (await aws(cli, ['sqs', 'create-queue', '--queue-name', queueName])) as { QueueUrl: string };
      expect(QueueUrl).toContain(queueName);
      const listed = (await aws(cli, ['sqs', 'list-queues'])) as { QueueUrls: string[] };
      expect(listed.QueueUrls).toEqual(expect.arrayContaining([QueueUrl, stack.resources.feedbackQueueUrl]));
      const sent = (await aws(cli, ['sqs', 'send-message', '--queue-url', QueueUrl, '--message-body', `hello from ${context}`])) as { MessageId: string };
      expect(sent.MessageId).toMatch(/\S/);
      const received = (await aws(cli, ['sqs', 'receive-message', '--queue-url', QueueUrl, '--wait-time-seconds', '1'])) as { Messages: Array<{ Body: string }> };
      expect(received.Messages.map((message) => message.Body)).toEqual([`hello from ${context}`]);

      const topics = (await aws(cli, ['sns', 'list-topics'])) as { Topics: Array<{ TopicArn: string }> };
      expect(topics.Topics.map((topic) => topic.TopicArn)).toContain(stack.resources.alertTopicArn);
      expect(await aws(cli, ['sns', 'publish', '--topic-arn', stack.resources.alertTopicArn, '--message', `hello from ${context}`])).toEqual({ MessageId: expect.any(String) });

      const scanned = (await aws(cli, ['dynamodb', 'scan', '--table-name', stack.resources.feedbackTable, '--select', 'COUNT'])) as { Count: number };
      expect(scanned.Count).toEqual(expect.any(Number));

      const machine = stack.resources.stateMachineArn;
      const started = (await aws(cli, ['stepfunctions', 'start-execution', '--state-machine-arn', machine, '--input', feedbackInput(2 * index + 1, 'Dull and far too long.')])) as { executionArn: string };
      expect(started.executionArn).toContain(':express:');
      // CLI 2.9 puts `sync-` before the endpoint's host: a user name in the URL keeps the host whole (README).
      const syncEndpoint = readsEndpointVariable(cli) ? undefined : stack.edge.url.replace('http://', 'http://local@');
      const synced = (await aws(cli, ['stepfunctions', 'start-sync-execution', '--state-machine-arn', machine, '--input', feedbackInput(2 * index + 2, 'Wonderful from start to finish.')], {
        endpointUrl: syncEndpoint,
      })) as { status: string; executionArn: string; output: string };
      expect(synced.status).toBe('SUCCEEDED');
      expect(JSON.parse(synced.output)).toMatchObject({ sentiment: { sentiment: 'POSITIVE' }, stored: { created: true } });

      const executions = (await aws(cli, ['stepfunctions', 'list-executions', '--state-machine-arn', machine])) as { executions: Array<{ executionArn: string; status: string }> };
      expect(executions.executions.map((execution) => execution.executionArn)).toContain(synced.executionArn);
      const history = (await aws(cli, ['stepfunctions', 'get-execution-history', '--execution-arn', synced.executionArn])) as { events: Array<{ type: string }> };
      expect(history.events[0]?.type).toBe('ExecutionStarted');
      expect(history.events.at(-1)?.type).toBe('ExecutionSucceeded');
      expect(history.events.map((event) => event.type)).toContain('LambdaFunctionSucceeded');

      const sentiment = (await aws(cli, ['comprehend', 'detect-sentiment', '--language-code', 'en', '--text', 'I loved this book, a wonderful read.'])) as { Sentiment: string };
      expect(sentiment.Sentiment).toBe('POSITIVE');
      const language = (await aws(cli, ['comprehend', 'detect-dominant-language', '--text', 'Un libro maravilloso, lo recomiendo.'])) as { Languages: Array<{ LanguageCode: string }> };
      expect(language.Languages[0]?.LanguageCode).toBe('es');
    }
  }, 240_000);

  it('gets AWS-shaped errors, never a crash, for what does not exist', async () => {
    for (const cli of clis) {
      const queue = await awsFailure(cli, ['sqs', 'get-queue-url', '--queue-name', 'no-such-queue']);
      expect(queue.output).toMatch(/QueueDoesNotExist|NonExistentQueue/);
      const table = await awsFailure(cli, ['dynamodb', 'describe-table', '--table-name', 'no-such-table']);
      expect(table.output).toContain('ResourceNotFoundException');
      const execution = await awsFailure(cli, ['stepfunctions', 'describe-execution', '--execution-arn', 'arn:aws:states:us-east-1:000000000000:execution:none:none']);
      expect(execution.output).toMatch(/ExecutionDoesNotExist|StateMachineDoesNotExist/);
      const text = await awsFailure(cli, ['comprehend', 'detect-sentiment', '--language-code', 'xx', '--text', 'hello']);
      expect(text.output).toMatch(/ValidationException|InvalidRequestException|UnsupportedLanguage|Invalid choice|valid choices/i);
    }
    // The server is still whole afterwards.
    expect((await fetch(`${stack.httpUrl}/feedback?limit=1`)).status).toBeLessThan(500);
  }, 120_000);
});
