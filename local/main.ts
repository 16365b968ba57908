// `npm start`: runs the whole pipeline on this machine. Starts the local stack, submits feedback through
// the HTTP intake as readers would, waits until every message is triaged or dead-lettered, and prints
// the triage summary; then uploads the sample PDFs and prints their verdicts (local/documents-demo.ts).
// `npm start -- --serve` keeps the stack running for the browser, curl,
// `serverless invoke local` and the AWS CLI.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { mapWithConcurrency } from '../functions/shared/concurrency.js';
import { toQueueBody, type FeedbackSubmission } from '../functions/shared/feedback.js';
import { parseFeedbackFile, type FeedbackRequest } from './feedback-file.js';
import { describeFaults, parseFaults } from './faults.js';
import { parseRateQuotas } from './quota/token-bucket.js';
import { projectRoot } from './service-definition.js';
import { startLocalStack, type LocalStack } from './stack.js';
import { moderateSampleDocuments } from './documents-demo.js';
import { documentsAccountedFor, formatDocumentSummary, formatSummary } from './summary.js';
import { accountFor, deadLetters, isClean, storedFeedback, takeAlerts, waitUntilSettled, type Submission } from './triage-ledger.js';
import { EXECUTIONS_VIEW_PATH } from './executions-view/view.js';

/** The edge's port with --serve: LocalStack's, so tools set up for it find this stack. */
const SERVE_EDGE_PORT = 4566;

const usage = `Usage: npm start -- [FILE] [options]

  FILE                 feedback to submit: JSON lines (one request body per line) or CSV with a header
                       (bookId,text,rating,readerId), submitted as it is. Default: events/sample-feedback.jsonl,
                       plus a redelivery and a malformed message put straight on the queue
  --serve              keep the stack running after the run (or without FILE: only serve)
  --port N             port of the HTTP API (default: any free port; 3000 with --serve; 0: any free port)
  --edge-port N        port of the edge endpoint, AWS_ENDPOINT_URL for every local AWS service
                       (default: any free port; ${SERVE_EDGE_PORT}, as LocalStack's, with --serve; 0: any free port)
  --data-dir DIR       keep DynamoDB data on disk in DIR (default: in memory)
  --timeout S          give up waiting for the pipeline after S seconds (default 120)
  --log-level LEVEL    the handlers' log level: DEBUG, INFO, WARN, ERROR (default ERROR; INFO with --serve)
  --faults SPEC        inject faults: all=0.05, or comprehend=,dynamodb=,sns=,crash=,hang=,lost= rates from 0 to 1
                       (also FEEDBACK_TRIAGE_FAULTS); see docs/RELIABILITY.md
  --time-scale X       run function timeouts and workflow retries X times as long (e.g. 0.05), to see faults play out fast
  --visibility-timeout S  the queue's visibility timeout in seconds (default: as serverless.yml declares)
  --comprehend-rate SPEC  Comprehend's request-rate quota, requests per second: 20 (every operation), or
                       DetectSentiment=20,BatchDetectSentiment=5 (default: AWS's, custom.triage.comprehendRequestsPerSecond;
                       see docs/QUOTAS.md)
  --single-thread      run the handlers on the stack's own thread instead of workers of their own (the split
                       stack uses both cores; see docs/BENCHMARKS.md)
  --handler-workers N  workers the handlers run on (default 1)
  --handler-isolation process|thread
                       each handler worker a process of its own (default: faster, and each process stays smaller)
                       or a thread of the stack's process
  --help               this text`;

function portOption(name: string, value: string | undefined, servePort: number, serve: boolean): number | undefined {
  if (value === undefined) return serve ? servePort : undefined;
  const port = Number(value);
  if (!(/^\d+$/.test(value) && port < 65536)) throw new Error(`--${name} must be a port number (0 for any free port), got ${value}`);
  return port;
}

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

/** A value as a POSIX shell reads it back verbatim, spaces and quotes included. */
const shellQuoted = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** The environment file `set -a; . FILE; set +a` loads. */
const environmentFile = (environment: Record<string, string>) =>
  `${Object.entries(environment)
    .map(([name, value]) => `${name}=${shellQuoted(value)}`)
    .join('\n')}\n`;

/** Calls Comprehend refused for its quota, for every operation that has one (0 included). */
function throttlesByOperation(stack: LocalStack): Record<string, number> {
  const refused = stack.comprehend.stats().overQuota;
  return Object.fromEntries(Object.keys(stack.comprehend.quotas()).map((operation) => [operation, refused[operation] ?? 0]));
}

function printServeHelp(stack: LocalStack, envFile: string): void {
  const exports = Object.entries(stack.clientEnvironment)
    .map(([name, value]) => `export ${name}=${shellQuoted(value)}`)
    .join('\n');
  const edge = stack.edge.url;
  const { resources: r } = stack;
  console.log(`
Local stack running. Ctrl-C (or SIGTERM to this process) stops it.

  Feedback form      ${stack.httpUrl}/
  Triage dashboard   ${stack.httpUrl}/dashboard  (sign in as one of the team members below)
  Sign-in service    ${stack.signIn.issuer}  (OpenID provider: discovery at /.well-known/openid-configuration)
${stack.signIn.users.map((user) => `                     ${user.username.padEnd(8)} password ${user.password}  (group ${user.groups.join(', ')})`).join('\n')}
  Intake API         curl -i -X POST ${stack.httpUrl}/feedback -H 'content-type: application/json' \\
                       -d '{"bookId":"dune","rating":2,"text":"Too long and dull."}'
  AWS endpoint       ${stack.edge.url}  (every local AWS service; --edge-port changes the port)
  Executions view    ${stack.edge.url}${EXECUTIONS_VIEW_PATH}  (Step Functions executions, Standard and Express, with their timelines)
  Upload a PDF       aws s3 cp file.pdf "s3://$DOCUMENTS_BUCKET/uploads/file.pdf" --endpoint-url ${edge}
                       (with the environment below loaded; only keys under uploads/ are moderated. The verdict:
                       ${stack.httpUrl}/dashboard/documents, or aws dynamodb scan --table-name ${r.documentsTable};
                       alerts of offensive documents land on ${r.documentAlertInboxQueueUrl})

Environment for \`npx serverless invoke local -f NAME --path events/NAME.json\`, the AWS CLI and SDK scripts
(also written to ${envFile}: \`set -a; . ${envFile}; set +a\`):
${exports}

  aws dynamodb scan --table-name ${r.feedbackTable}
  aws --endpoint-url ${edge} sqs receive-message --queue-url ${r.deadLetterQueueUrl} --message-attribute-names All
  aws stepfunctions start-sync-execution --state-machine-arn ${r.stateMachineArn} --input file://events/feedbackTriage.json
  (AWS CLI v1 sends sqs commands to queue.amazonaws.com unless --endpoint-url is given. AWS CLI 2.9, as Debian
   packages it, reads neither AWS_ENDPOINT_URL nor AWS_DISABLE_HOST_PREFIX_INJECTION: give it
   --endpoint-url ${edge.replace('://', '://local@')} and the "sync-" prefix it adds for start-sync-execution
   lands in the URL's user name instead of the host name.)
Each service also answers on its own port: ${Object.entries(stack.endpoints)
    .map(([service, url]) => `${service} ${url}`)
    .join(', ')}.
`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      serve: { type: 'boolean', default: false },
      port: { type: 'string' },
      'edge-port': { type: 'string' },
      'data-dir': { type: 'string' },
      timeout: { type: 'string', default: '120' },
      'log-level': { type: 'string' },
      faults: { type: 'string', default: process.env.FEEDBACK_TRIAGE_FAULTS },
      'time-scale': { type: 'string', default: '1' },
      'comprehend-rate': { type: 'string' },
      'visibility-timeout': { type: 'string' },
      'single-thread': { type: 'boolean', default: false },
      'handler-workers': { type: 'string', default: '1' },
      'handler-isolation': { type: 'string', default: 'process' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  // The demo's injected messages belong to the sample run alone: a user's own file is submitted as it is.
  const sampleRun = positionals[0] === undefined && !values.serve;
  const file = positionals[0] ?? (sampleRun ? join(projectRoot, 'events/sample-feedback.jsonl') : undefined);
  const requests = file ? parseFeedbackFile(readFileSync(file, 'utf8'), relative(process.cwd(), file) || basename(file)) : [];
  const port = portOption('port', values.port, 3000, values.serve);
  const edgePort = portOption('edge-port', values['edge-port'], SERVE_EDGE_PORT, values.serve);
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
  const handlerIsolation = values['handler-isolation'];
  if (handlerIsolation !== 'process' && handlerIsolation !== 'thread') throw new Error(`--handler-isolation is process or thread, got ${handlerIsolation}`);
  const handlerWorkers = Number(values['handler-workers']);
  if (!(Number.isInteger(handlerWorkers) && handlerWorkers >= 1 && handlerWorkers <= 16)) {
    throw new Error(`--handler-workers must be a whole number from 1 to 16, got ${values['handler-workers']}`);
  }
  const stack = await startLocalStack({
    httpPort: port,
    edgePort,
    dataDir: values['data-dir'],
    logLevel,
    faults,
    timeScale,
    visibilityTimeoutSeconds: visibility,
    split: !values['single-thread'],
    handlerWorkers,
    handlerIsolation,
  });
  console.log(`Local stack up in ${Math.round(performance.now() - started)} ms (HTTP API ${stack.httpUrl}, AWS endpoint ${stack.edge.url}).`);
  if (faults) console.log(`Injecting faults: ${describeFaults(faults)}.`);
  if (values['comprehend-rate'] !== undefined) {
    try {
      stack.comprehend.setQuotas(parseRateQuotas(values['comprehend-rate'], stack.comprehend.quotas()));
    } catch (error) {
      await stack.stop();
      throw new Error(`--comprehend-rate: ${(error as Error).message}`);
    }
  }
  console.log(`Comprehend quotas (requests/s): ${Object.entries(stack.comprehend.quotas()).map(([operation, rate]) => `${operation} ${rate}`).join(', ') || 'none'}.`);
  let exitCode = 0;
  let removeOnExit: string | undefined;
  try {
    if (requests.length > 0) {
      console.log(`Submitting ${requests.length} feedback from ${file} through POST /feedback…`);
      const submissions = await submitAll(stack, requests);
      const byId = new Map(requests.map((request, index) => [submissions[index]?.feedbackId, request.body]));
      const negativeLooking = submissions.find((s) => s.status === 202 && /hated|awful/i.test(byId.get(s.feedbackId) ?? ''));
      // The redelivered body is the one the intake queued: read it back from what the intake answered.
      const queuedBody = (s: Submission) =>
        toQueueBody({ ...(JSON.parse(byId.get(s.feedbackId) as string) as FeedbackSubmission), feedbackId: s.feedbackId as string, submittedAt: new Date().toISOString() });
      const direct = sampleRun ? await enqueueDirectly(stack, negativeLooking, queuedBody) : [];
      const accepted = submissions.filter((s) => s.status < 400).length;
      const refused = submissions.length - accepted;
      const straight = direct.map((s) => s.source).join(' and ');
      console.log(`${accepted} accepted, ${refused} refused by the intake${direct.length ? `; ${direct.length} more put straight on the queue (${straight})` : ''}.`);
      submissions.push(...direct);
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
      console.log(`\n${formatSummary(accounting, { elapsedMs: performance.now() - started, throttles: throttlesByOperation(stack) })}`);
      if (!settled.settled) console.log(`The pipeline had not settled after ${timeoutSeconds} s.`);
      if (!settled.settled || !isClean(accounting)) exitCode = 1;
    }
    if (sampleRun) {
      const documentsStarted = performance.now();
      console.log('\nUploading the sample PDFs of events/documents/ under uploads/ in the documents bucket…');
      const documents = await moderateSampleDocuments(stack, { timeoutMs: timeoutSeconds * 1000 });
      console.log(`\n${formatDocumentSummary(documents, { elapsedMs: performance.now() - documentsStarted })}`);
      if (!documentsAccountedFor(documents)) exitCode = 1;
    }
    if (values.serve) {
      const envFile = join(projectRoot, '.local-stack.env');
      writeFileSync(envFile, environmentFile(stack.clientEnvironment));
      removeOnExit = envFile;
      printServeHelp(stack, relative(process.cwd(), envFile));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    if (removeOnExit) rmSync(removeOnExit, { force: true });
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
