// `npm start`: runs the whole pipeline on this machine. Starts the local stack, submits feedback through
// the HTTP intake as readers would, waits until every message is triaged or dead-lettered, and prints
// the triage summary. `npm start -- --serve` keeps the stack running for the browser, curl,
// `serverless invoke local` and the AWS CLI.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { mapWithConcurrency } from '../functions/shared/concurrency.js';
import { toQueueBody, type FeedbackSubmission } from '../functions/shared/feedback.js';
import { parseFeedbackFile, type FeedbackRequest } from './feedback-file.js';
import { describeFaults, parseFaults } from './faults.js';
import { projectRoot } from './service-definition.js';
import { startLocalStack, type LocalStack } from './stack.js';
import { accountFor, formatSummary, isClean, type Submission } from './summary.js';
import { deadLetters, storedFeedback, takeAlerts, waitUntilSettled } from './triage-ledger.js';

const usage = `Usage: npm start -- [FILE] [options]

  FILE                 feedback to submit: JSON lines (one request body per line) or CSV with a header
                       (bookId,text,rating,readerId). Default: events/sample-feedback.jsonl
  --serve              keep the stack running after the run (or without FILE: only serve)
  --port N             port of the HTTP API (default: any free port; 3000 with --serve)
  --data-dir DIR       keep DynamoDB data on disk in DIR (default: in memory)
  --timeout S          give up waiting for the pipeline after S seconds (default 120)
  --log-level LEVEL    the handlers' log level: DEBUG, INFO, WARN, ERROR (default ERROR; INFO with --serve)
  --faults SPEC        inject faults: all=0.05, or comprehend=,dynamodb=,sns=,crash=,hang=,lost= rates from 0 to 1
                       (also FEEDBACK_TRIAGE_FAULTS); see docs/RELIABILITY.md
  --time-scale X       run function timeouts and workflow retries X times as long (e.g. 0.05), to see faults play out fast
  --visibility-timeout S  the queue's visibility timeout in seconds (default: as serverless.yml declares, 540)
  --help               this text`;

async function submitAll(stack: LocalStack, requests: FeedbackRequest[]): Promise<Submission[]> {
  return mapWithConcurrency(requests, 16, async (request) => {
    const response = await fetch(`${stack.httpUrl}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: request.body,
    });
    const answer = (await response.json().catch(() => ({}))) as { feedbackId?: string; message?: string };
    return { source: request.source, status: response.status, feedbackId: answer.feedbackId, message: answer.message };
  });
}

/**
 * Shows the two ways a message reaches the consumer without the intake's checks: a redelivery of one
 * already accepted (SQS delivers at least once) and a broken message already on the queue.
 */
async function enqueueDirectly(stack: LocalStack, redeliver: Submission | undefined, bodyOf: (s: Submission) => string): Promise<Submission[]> {
  const send = async (source: string, body: string, feedbackId?: string): Promise<Submission> => {
    const { MessageId } = await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.resources.feedbackQueueUrl, MessageBody: body }));
    return { source, status: 0, feedbackId, messageId: MessageId };
  };
  const direct: Submission[] = [];
  if (redeliver?.feedbackId) direct.push(await send('redelivery of an accepted message', bodyOf(redeliver), redeliver.feedbackId));
  direct.push(await send('malformed message already on the queue', '{"bookId": "dune", "text": '));
  return direct;
}

function printServeHelp(stack: LocalStack, envFile: string): void {
  const exports = Object.entries(stack.environment)
    .map(([name, value]) => `export ${name}='${value}'`)
    .join('\n');
  console.log(`
Local stack running. Ctrl-C stops it.

  Feedback form      ${stack.httpUrl}/
  Triage dashboard   ${stack.httpUrl}/dashboard
  Intake API         curl -i -X POST ${stack.httpUrl}/feedback -H 'content-type: application/json' \\
                       -d '{"bookId":"dune","rating":2,"text":"Too long and dull."}'

Environment for \`npx serverless invoke local -f NAME --path events/NAME.json\` and the AWS CLI
(also written to ${envFile}: \`set -a; . ${envFile}; set +a\`):
${exports}

  aws --endpoint-url ${stack.endpoints.dynamodb} dynamodb scan --table-name ${stack.resources.feedbackTable}
  aws --endpoint-url ${stack.endpoints.sqs} sqs receive-message --queue-url ${stack.resources.deadLetterQueueUrl} --message-attribute-names All
  aws --endpoint-url ${stack.endpoints.sfn} stepfunctions start-execution --state-machine-arn ${stack.resources.stateMachineArn} --input file://events/feedbackTriage.json
  (the CLI sends start-sync-execution to a "sync-" host that a local endpoint lacks: use start-execution, then describe-execution)
`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      serve: { type: 'boolean', default: false },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      timeout: { type: 'string', default: '120' },
      'log-level': { type: 'string' },
      faults: { type: 'string', default: process.env.FEEDBACK_TRIAGE_FAULTS },
      'time-scale': { type: 'string', default: '1' },
      'visibility-timeout': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const file = positionals[0] ?? (values.serve ? undefined : join(projectRoot, 'events/sample-feedback.jsonl'));
  const requests = file ? parseFeedbackFile(readFileSync(file, 'utf8'), relative(process.cwd(), file) || basename(file)) : [];
  const port = values.port ? Number(values.port) : values.serve ? 3000 : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port must be a port number, got ${values.port}`);
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new Error(`--timeout must be a positive number of seconds, got ${values.timeout}`);

  const started = performance.now();
  const logLevel = values['log-level'] ?? (values.serve ? 'INFO' : 'ERROR');
  const faults = values.faults ? parseFaults(values.faults) : undefined;
  const timeScale = Number(values['time-scale']);
  if (!(timeScale > 0 && timeScale <= 1)) throw new Error(`--time-scale must be a number above 0 and at most 1, got ${values['time-scale']}`);
  const visibility = values['visibility-timeout'] === undefined ? undefined : Number(values['visibility-timeout']);
  if (visibility !== undefined && !(Number.isInteger(visibility) && visibility >= 0 && visibility <= 43_200)) {
    throw new Error(`--visibility-timeout must be whole seconds from 0 to 43200, got ${values['visibility-timeout']}`);
  }
  const stack = await startLocalStack({ httpPort: port, dataDir: values['data-dir'], logLevel, faults, timeScale, visibilityTimeoutSeconds: visibility });
  console.log(`Local stack up in ${Math.round(performance.now() - started)} ms (HTTP API ${stack.httpUrl}).`);
  if (faults) console.log(`Injecting faults: ${describeFaults(faults)}.`);
  let exitCode = 0;
  try {
    if (requests.length > 0) {
      console.log(`Submitting ${requests.length} feedback from ${file} through POST /feedback…`);
      const submissions = await submitAll(stack, requests);
      const byId = new Map(requests.map((request, index) => [submissions[index]?.feedbackId, request.body]));
      const negativeLooking = submissions.find((s) => s.status === 202 && /hated|awful/i.test(byId.get(s.feedbackId) ?? ''));
      // The redelivered body is the one the intake queued: read it back from what the intake answered.
      const queuedBody = (s: Submission) =>
        toQueueBody({ ...(JSON.parse(byId.get(s.feedbackId) as string) as FeedbackSubmission), feedbackId: s.feedbackId as string, submittedAt: new Date().toISOString() });
      submissions.push(...(await enqueueDirectly(stack, negativeLooking, queuedBody)));
      const accepted = submissions.filter((s) => s.status < 400).length;
      console.log(`${accepted} accepted, ${submissions.length - accepted} refused by the intake; 2 more put straight on the queue (a redelivery and a malformed message).`);
      const tty = process.stdout.isTTY;
      let lastLine = '';
      const settled = await waitUntilSettled(stack, {
        timeoutMs: timeoutSeconds * 1000,
        onProgress: ({ queued, inFlight, executions, deadLettered }) => {
          const line = `  queued ${queued} · in flight ${inFlight} · executions ${executions} · dead-lettered ${deadLettered}`;
          if (line === lastLine) return;
          lastLine = line;
          if (tty) process.stdout.write(`\r${line}\x1b[K`);
          else console.log(line);
        },
      });
      if (tty) process.stdout.write('\n');
      const accounting = accountFor(submissions, await storedFeedback(stack), await deadLetters(stack), await takeAlerts(stack));
      console.log(`\n${formatSummary(accounting, { elapsedMs: performance.now() - started })}`);
      if (!settled.settled) console.log(`The pipeline had not settled after ${timeoutSeconds} s.`);
      if (!settled.settled || !isClean(accounting)) exitCode = 1;
    }
    if (values.serve) {
      const envFile = join(projectRoot, '.local-stack.env');
      writeFileSync(envFile, `${Object.entries(stack.environment).map(([name, value]) => `${name}=${value}`).join('\n')}\n`);
      printServeHelp(stack, relative(process.cwd(), envFile));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    await stack.stop();
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`npm start failed: ${error.message}`);
    process.exit(1);
  },
);
