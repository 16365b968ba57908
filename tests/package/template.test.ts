// Packages the service with `serverless package`, without AWS credentials, and checks the CloudFormation template.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { functionLogicalId, loadServiceDefinition, projectRoot } from '../../local/service-definition.js';
import { pagesDir, renderPage } from '../../scripts/build-web.js';
import { unzip } from '../helpers/zip.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped; the assertions check its shape
type Resource = { Type: string; Properties: Record<string, any>; Condition?: string; DependsOn?: string | string[] };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** The service as the framework reads it (tests/package/config.test.ts proves the two readings equal). */
const service = loadServiceDefinition('dev');
const functionNames = Object.keys(service.functions);
let outputDir: string;
let resources: Record<string, Resource>;

beforeAll(async () => {
  outputDir = mkdtempSync(join(tmpdir(), 'feedback-triage-package-'));
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
  await promisify(execFile)(join(projectRoot, 'node_modules/.bin/serverless'), ['package', '--package', outputDir], {
    cwd: projectRoot,
    env: { ...env, HOME: outputDir, SLS_TELEMETRY_DISABLED: '1' },
    timeout: 120_000,
  });
  const template = JSON.parse(readFileSync(join(outputDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = template.Resources;
}, 180_000);

afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

/** Writes a bundle's files to a folder and calls its handler in a plain Node process, as Lambda would. */
async function runBundled(
  files: Map<string, Buffer>,
  handlerFile: string,
  events: unknown[],
): Promise<Array<{ statusCode?: number; headers?: Record<string, string>; body?: string }>> {
  const dir = mkdtempSync(join(outputDir, 'bundle-'));
  for (const [name, data] of files) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  const script = `
    const { handler } = require(process.argv[1]);
    const context = { functionName: 'bundle', awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 3000 };
    (async () => {
      const answers = [];
      for (const event of JSON.parse(process.argv[2])) answers.push(await handler(event, context));
      process.stdout.write(JSON.stringify(answers));
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, join(dir, handlerFile), JSON.stringify(events)], {
    cwd: dir,
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', FEEDBACK_TABLE: 'feedback-bundle-test' },
    timeout: 30_000,
  });
  return JSON.parse(stdout);
}

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const statementsOf = (role: Resource): Statement[] =>
  role.Properties.Policies.flatMap((policy: { PolicyDocument: { Statement: Statement[] } }) => policy.PolicyDocument.Statement);
const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('the packaged template', () => {
  it('has an Express state machine that logs to its log group without reader text', () => {
    const machine = resources.FeedbackTriageStateMachine!;
    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(machine.Properties.StateMachineType).toBe('EXPRESS');
    expect(machine.Properties.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['TriageStateMachineLogGroup', 'Arn'] } } }],
    });
  });

  it('writes each Task Resource as a reference to its Lambda function', () => {
    const [text, refs] = resources.FeedbackTriageStateMachine!.Properties.DefinitionString['Fn::Sub'] as [string, Record<string, unknown>];
    const definition = JSON.parse(text);
    for (const [state, fn] of <Array<[string, string]>>[
      ['DetectSentiment', 'DetectSentimentLambdaFunction'],
      ['StoreFeedback', 'StoreFeedbackLambdaFunction'],
      ['NotifyNegative', 'NotifyNegativeLambdaFunction'],
    ]) {
      const variable = /^\$\{(\w+)\}$/.exec(definition.States[state].Resource)?.[1] as string;
      expect(refs[variable]).toEqual({ 'Fn::GetAtt': [fn, 'Arn'] });
    }
  });

  it('gives the queue a redrive policy to its dead-letter queue, and encrypts both', () => {
    const queue = resources.FeedbackQueue!.Properties;
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['FeedbackDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
    expect(queue.VisibilityTimeout).toBe(service.triage.visibilityTimeout);
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(resources.FeedbackDeadLetterQueue!.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('feeds the consumer from the queue with partial batch failures', () => {
    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties).toMatchObject({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': ['FeedbackQueue', 'Arn'] },
    });
  });

  it('has an on-demand, encrypted table with point-in-time recovery and a sentiment-by-time index', () => {
    const table = resources.FeedbackTable!.Properties;
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.GlobalSecondaryIndexes[0]).toMatchObject({
      IndexName: 'bySentiment',
      KeySchema: [
        { AttributeName: 'sentiment', KeyType: 'HASH' },
        { AttributeName: 'submittedAt', KeyType: 'RANGE' },
      ],
    });
  });

  it('encrypts the topics and subscribes an email only when one is given', () => {
    for (const [, topic] of ofType('AWS::SNS::Topic')) expect(topic.Properties.KmsMasterKeyId).toEqual({ Ref: 'TopicKey' });
    expect(resources.AlertEmailSubscription!.Condition).toBe('HasAlertEmail');
  });

  it('runs every function on nodejs24.x with its own role', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns.map(([logicalId]) => logicalId).sort()).toEqual(functionNames.map(functionLogicalId).sort());
    expect(functionNames).toEqual(expect.arrayContaining(['submitFeedback', 'processFeedback', 'detectSentiment', 'storeFeedback', 'notifyNegative', 'listFeedback', 'webPages']));
    const roles = new Set(fns.map(([, fn]) => JSON.stringify(fn.Properties.Role)));
    expect(roles.size).toBe(fns.length);
    for (const [, fn] of fns) expect(fn.Properties.Runtime).toBe('nodejs24.x');
  });

  it('grants least privilege: named actions only, and "*" resources only where IAM allows nothing else', () => {
    // Actions IAM authorises on no narrower resource.
    const allowedStar = new Set([
      'comprehend:DetectSentiment',
      'comprehend:BatchDetectSentiment',
      'comprehend:DetectToxicContent',
      'comprehend:DetectDominantLanguage',
      'comprehend:BatchDetectDominantLanguage',
      'rekognition:DetectModerationLabels',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ]);
    const roles = ofType('AWS::IAM::Role').filter(([name]) => name !== 'IamRoleLambdaExecution');
    const functionRoles = ofType('AWS::Lambda::Function').map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]);
    expect(roles.map(([name]) => name)).toEqual(expect.arrayContaining([...functionRoles, 'TriageStateMachineRole']));
    for (const [, role] of roles) {
      for (const statement of statementsOf(role)) {
        for (const action of actionsOf(statement)) {
          expect(action).not.toMatch(/\*/);
          if (statement.Resource === '*') expect(allowedStar).toContain(action);
        }
      }
    }
  });

  it('lets each function make exactly the calls its code makes', () => {
    const actions = (role: string) => statementsOf(resources[role]!).flatMap(actionsOf).filter((a) => !a.startsWith('logs:')).sort();
    expect(actions('SubmitFeedbackRole')).toEqual(['sqs:SendMessage']);
    expect(actions('ProcessFeedbackRole')).toEqual([
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
      'states:StartSyncExecution',
    ]);
    expect(actions('DetectSentimentRole')).toEqual([
      'comprehend:BatchDetectDominantLanguage',
      'comprehend:BatchDetectSentiment',
      'comprehend:DetectDominantLanguage',
      'comprehend:DetectSentiment',
    ]);
    expect(actions('StoreFeedbackRole')).toEqual(['dynamodb:PutItem']);
    expect(actions('NotifyNegativeRole')).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'kms:Decrypt', 'kms:GenerateDataKey', 'sns:Publish']);
    expect(actions('ListFeedbackRole')).toEqual(['dynamodb:Query']);
    expect(actions('WebPagesRole')).toEqual([]);
  });

  it('lets each function write logs to its own log group only', () => {
    for (const [name, fn] of ofType('AWS::Lambda::Function')) {
      const role = resources[fn.Properties.Role['Fn::GetAtt'][0]]!;
      const logs = statementsOf(role).filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
      expect({ name, logs }).toEqual({
        name,
        logs: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::Sub': `\${${name.replace(/LambdaFunction$/, '')}LogGroup.Arn}` } }],
      });
    }
  });

  it('lets the dashboard query the sentiment index, and nothing of the table itself', () => {
    const index = resources.FeedbackTable!.Properties.GlobalSecondaryIndexes[0].IndexName;
    const [, query] = statementsOf(resources.ListFeedbackRole!);
    expect(query).toEqual({ Effect: 'Allow', Action: ['dynamodb:Query'], Resource: { 'Fn::Sub': `\${FeedbackTable.Arn}/index/${index}` } });
    expect(resources.ListFeedbackLambdaFunction!.Properties.Environment.Variables).toMatchObject({
      FEEDBACK_TABLE: { Ref: 'FeedbackTable' },
      FEEDBACK_INDEX: index,
    });
  });

  it('routes each HTTP path to its function', () => {
    const routes = Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Route').map(([, route]) => [route.Properties.RouteKey, route.Properties.Target['Fn::Join'][1][1].Ref]),
    );
    const declared = Object.fromEntries(
      Object.entries(service.raw.functions as Record<string, { events: Array<{ httpApi?: { method: string; path: string } }> }>).flatMap(([name, fn]) =>
        fn.events.flatMap((event) =>
          event.httpApi ? [[`${event.httpApi.method.toUpperCase()} ${event.httpApi.path}`, `HttpApiIntegration${name.charAt(0).toUpperCase()}${name.slice(1)}`]] : [],
        ),
      ),
    );
    expect(routes).toEqual(declared);
    expect(routes).toMatchObject({
      'POST /feedback': 'HttpApiIntegrationSubmitFeedback',
      'GET /feedback': 'HttpApiIntegrationListFeedback',
      'GET /feedback/stats': 'HttpApiIntegrationListFeedback',
      'GET /': 'HttpApiIntegrationWebPages',
      'GET /dashboard': 'HttpApiIntegrationWebPages',
      'GET /assets/{file}': 'HttpApiIntegrationWebPages',
    });
  });

  it('alarms on dead letters, failed executions and consumer errors to the operations topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.map(([name]) => name)).toEqual(expect.arrayContaining(['DeadLetterQueueNotEmptyAlarm', 'ExecutionsFailedAlarm', 'ConsumerErrorsAlarm']));
    for (const [name, alarm] of alarms) expect({ name, actions: alarm.Properties.AlarmActions }).toEqual({ name, actions: [{ Ref: 'OperationsTopic' }] });
  });

  it('traces every function and both triage machines in X-Ray, each role allowed to write traces', () => {
    const fns = ofType('AWS::Lambda::Function');
    const policy = resources.FunctionTracingPolicy!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]);
    const tracedRoles = policy.Properties.Roles.map((role: { Ref: string }) => role.Ref).sort();
    expect(tracedRoles).toEqual(fns.map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]).sort());
    for (const [name, fn] of fns) {
      expect({ name, tracing: fn.Properties.TracingConfig }).toEqual({ name, tracing: { Mode: 'Active' } });
      // Lambda refuses a traced function whose role cannot write traces yet.
      expect({ name, waitsForPolicy: [fn.DependsOn].flat().includes('FunctionTracingPolicy') }).toEqual({ name, waitsForPolicy: true });
    }
    for (const machine of ['FeedbackTriageStateMachine', 'FeedbackTriageBatchStateMachine']) {
      expect(resources[machine]!.Properties.TracingConfiguration).toEqual({ Enabled: true });
    }
    const machineActions = statementsOf(resources.TriageStateMachineRole!).flatMap(actionsOf);
    expect(machineActions).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets']));
  });

  it('gives every function the metrics namespace the alarms read, and no source-map flag for maps it does not ship', () => {
    for (const [name, fn] of ofType('AWS::Lambda::Function')) {
      const variables = fn.Properties.Environment.Variables;
      expect({ name, namespace: variables.POWERTOOLS_METRICS_NAMESPACE, nodeOptions: variables.NODE_OPTIONS }).toEqual({
        name,
        namespace: 'feedback-triage/dev',
        nodeOptions: undefined,
      });
    }
  });

  it('keeps dead letters longer than the queue keeps messages, and lets a dev stage be removed', () => {
    const queueRetention = resources.FeedbackQueue!.Properties.MessageRetentionPeriod;
    expect(resources.FeedbackDeadLetterQueue!.Properties.MessageRetentionPeriod).toBeGreaterThan(queueRetention);
    expect(resources.FeedbackTable!.Properties.DeletionProtectionEnabled).toBe(false);
  });

  it("lets only this account's alarms use the topics' key, which has an alias", () => {
    const statement = resources.TopicKey!.Properties.KeyPolicy.Statement.find((s: { Sid: string }) => s.Sid === 'CloudWatchAlarmsPublish');
    expect(statement.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*' } },
    });
    expect(resources.TopicKeyAlias!.Properties).toEqual({ AliasName: 'alias/feedback-triage-dev-topics', TargetKeyId: { Ref: 'TopicKey' } });
  });

  it('writes HTTP API access logs', () => {
    expect(resources.HttpApiStage!.Properties.AccessLogSettings).toMatchObject({ DestinationArn: { 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] } });
  });

  it('throttles the HTTP API', () => {
    expect(resources.HttpApiStage!.Properties.DefaultRouteSettings).toEqual({ ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 });
  });

  it('builds one bundle per function, small ones for feedback triage', () => {
    const zips = readdirSync(outputDir).filter((file) => file.endsWith('.zip'));
    expect(zips.sort()).toEqual(functionNames.map((name) => `${name}.zip`).sort());
    // The feedback triage bundles measured 146-153 KiB; the document functions carry the PDF reader on top.
    const triageFunctions = ['submitFeedback', 'processFeedback', 'detectSentiment', 'storeFeedback', 'notifyNegative', 'listFeedback', 'webPages'];
    for (const name of triageFunctions) expect(statSync(join(outputDir, `${name}.zip`)).size).toBeLessThan(300 * 1024);
  });

  it('bundles the web pages into the webPages handler, which serves them from the zip alone', async () => {
    const files = unzip(readFileSync(join(outputDir, 'webPages.zip')));
    expect([...files.keys()]).toEqual(['functions/webPages/handler.cjs']);
    const answers = await runBundled(files, 'functions/webPages/handler.cjs', [
      { rawPath: '/', requestContext: { http: { method: 'GET', path: '/' } }, headers: {} },
      { rawPath: '/dashboard', requestContext: { http: { method: 'GET', path: '/dashboard' } }, headers: {} },
      { rawPath: '/assets/dashboard.js', pathParameters: { file: 'dashboard.js' }, requestContext: { http: { method: 'GET', path: '/assets/dashboard.js' } }, headers: {} },
      { rawPath: '/assets/nope.js', pathParameters: { file: 'nope.js' }, requestContext: { http: { method: 'GET', path: '/assets/nope.js' } }, headers: {} },
    ]);
    const page = (name: string) => renderPage(name, readFileSync(join(pagesDir, name), 'utf8'));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 404]);
    expect(answers[0]?.body).toBe(page('form.html'));
    expect(answers[1]?.body).toBe(page('dashboard.html'));
    expect(answers[2]?.body).toBe(page('dashboard.js'));
    expect(answers[2]?.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'x-content-type-options': 'nosniff' });
    expect(answers[0]?.headers?.['content-security-policy']).toMatch(/^default-src 'none'; script-src 'self';/);
  });

  it('bundles a listFeedback handler that loads and refuses a bad request without calling AWS', async () => {
    const files = unzip(readFileSync(join(outputDir, 'listFeedback.zip')));
    const [answer] = await runBundled(files, 'functions/feedback-triage/listFeedback/handler.cjs', [
      { rawPath: '/feedback', queryStringParameters: { sentiment: 'SAD' }, requestContext: { http: { method: 'GET', path: '/feedback' } }, headers: {} },
    ]);
    expect(answer?.statusCode).toBe(400);
    expect(JSON.parse(String(answer?.body))).toEqual({ message: 'sentiment must be one of POSITIVE, NEGATIVE, NEUTRAL, MIXED', field: 'sentiment' });
  });
});
