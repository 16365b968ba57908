// Packages the service with `serverless package`, without AWS credentials, and checks what the document
// moderation pipeline puts in the CloudFormation template: the EventBridge trigger, the bucket, the table,
// the topic, the Standard machine and a least-privilege role per function.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { extractText } from '../../functions/document-moderation/extractText/text.js';
import { loadServiceDefinition, projectRoot } from '../../local/service-definition.js';
import { copyService, packageService, templateResources } from '../helpers/service-copy.js';
import { unzip } from '../helpers/zip.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped; the assertions check its shape
type Resource = { Type: string; Properties: Record<string, any>; Condition?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: unknown };

const settings = loadServiceDefinition().documents as {
  uploadPrefix: string;
  derivedPrefix: string;
  derivedExpirationDays: number;
  noncurrentVersionExpirationDays: number;
  recentIndex: string;
  timeouts: Record<string, { function: number; task?: number }> & { machine: number };
  memorySize: Record<string, number>;
};

const workflowFunctions = ['acceptDocument', 'extractImages', 'extractText', 'moderateImages', 'moderateText', 'notifyOffensive', 'recordVerdict'];
const documentFunctions = [...workflowFunctions, 'requestUpload', 'listDocuments'];
const logicalId = (fn: string) => `${fn.charAt(0).toUpperCase()}${fn.slice(1)}`;

let workDir: string;
let outputDir: string;
let resources: Record<string, Resource>;

beforeAll(async () => {
  const copy = copyService('document-template');
  workDir = copy.workDir;
  outputDir = join(workDir, 'package');
  await packageService(copy, outputDir);
  resources = templateResources<Resource>(outputDir);
}, 180_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Unzips a function's package into a folder of its own under the temporary work folder, as Lambda would. */
function unzipBundle(fn: string): string {
  const dir = join(workDir, fn);
  for (const [name, data] of unzip(readFileSync(join(outputDir, `${fn}.zip`)))) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

const statementsOf = (role: Resource): Statement[] =>
  role.Properties.Policies.flatMap((policy: { PolicyDocument: { Statement: Statement[] } }) => policy.PolicyDocument.Statement);
const actionsOf = (statement: Statement) => [statement.Action].flat();
/** What a role may do, as "action on resource" lines, logs of its own log group left out. */
function grants(roleName: string): string[] {
  return statementsOf(resources[roleName]!)
    .filter((statement) => !actionsOf(statement).every((action) => action === 'logs:CreateLogStream' || action === 'logs:PutLogEvents'))
    .flatMap((statement) => actionsOf(statement).map((action) => `${action} on ${JSON.stringify(statement.Resource)}`))
    .sort();
}
const objectsUnder = (prefix: string) => JSON.stringify({ 'Fn::Sub': `\${DocumentsBucket.Arn}/${prefix}*` });
const table = JSON.stringify({ 'Fn::GetAtt': ['DocumentsTable', 'Arn'] });

describe('the EventBridge trigger', () => {
  it('matches Object Created in the documents bucket under the upload prefix, and nothing else', () => {
    const rule = resources.DocumentModerationEventsRuleCloudWatchEvent1!;
    expect(rule.Type).toBe('AWS::Events::Rule');
    expect(rule.Properties.State).toBe('ENABLED');
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [{ Ref: 'DocumentsBucket' }] }, object: { key: [{ prefix: settings.uploadPrefix }] } },
    });
    expect(settings.uploadPrefix).toBe('uploads/');
  });

  it('starts the machine with the event as input, through a role of its own, dead-lettering what it cannot deliver', () => {
    const [target, ...others] = resources.DocumentModerationEventsRuleCloudWatchEvent1!.Properties.Targets;
    expect(others).toEqual([]);
    expect(target).toMatchObject({
      Arn: { Ref: 'DocumentModerationStateMachine' },
      RoleArn: { 'Fn::GetAtt': ['DocumentModerationEventToStepFunctionsRole', 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DocumentEventsDeadLetterQueue', 'Arn'] } },
    });
    // The machine's input is the whole event: no Input, InputPath or InputTransformer.
    expect(Object.keys(target).filter((key) => key.startsWith('Input'))).toEqual([]);
    const role = resources.DocumentModerationEventToStepFunctionsRole!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(statementsOf(role)).toEqual([{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: { Ref: 'DocumentModerationStateMachine' } }]);
  });

  it('lets only that rule write to the dead-letter queue, which is encrypted and alarmed', () => {
    const [statement] = resources.DocumentEventsDeadLetterQueuePolicy!.Properties.PolicyDocument.Statement;
    expect(statement).toEqual({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['DocumentEventsDeadLetterQueue', 'Arn'] },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['DocumentModerationEventsRuleCloudWatchEvent1', 'Arn'] } } },
    });
    expect(resources.DocumentEventsDeadLetterQueue!.Properties.SqsManagedSseEnabled).toBe(true);
    expect(resources.DocumentEventsNotDeliveredAlarm!.Properties.AlarmActions).toEqual([{ Ref: 'OperationsTopic' }]);
  });
});

describe('the documents bucket', () => {
  const bucket = () => resources.DocumentsBucket!.Properties;

  it('sends its events to EventBridge and keeps every version', () => {
    expect(bucket().NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(bucket().VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('is encrypted, owned by the account alone, and closed to the public', () => {
    expect(bucket().BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true },
    ]);
    expect(bucket().PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket().OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('refuses every request that is not over TLS', () => {
    const policy = resources.DocumentsBucketPolicy!.Properties;
    expect(policy.Bucket).toEqual({ Ref: 'DocumentsBucket' });
    expect(policy.PolicyDocument.Statement).toContainEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [{ 'Fn::GetAtt': ['DocumentsBucket', 'Arn'] }, { 'Fn::Sub': '${DocumentsBucket.Arn}/*' }],
      Condition: { Bool: { 'aws:SecureTransport': false } },
    });
  });

  it('expires derived objects, old versions and abandoned uploads', () => {
    const rules = bucket().LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    expect(rules).toContainEqual({ Id: 'expire-derived-objects', Status: 'Enabled', Prefix: settings.derivedPrefix, ExpirationInDays: settings.derivedExpirationDays });
    expect(rules).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: settings.noncurrentVersionExpirationDays },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      }),
    );
    // Uploads expire too: readers upload without an account (docs/SIGN-IN.md); team-routes.test.ts checks the rule.
    expect(rules.filter((rule) => rule.ExpirationInDays !== undefined).map((rule) => rule.Prefix).sort()).toEqual([settings.derivedPrefix, settings.uploadPrefix].sort());
  });

  it('accepts browser uploads (PUT only) from the dashboard origin alone', () => {
    expect(bucket().CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedMethods: ['PUT'], AllowedOrigins: [{ 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] }] }),
    ]);
  });
});

describe('the verdict table and the alert topic', () => {
  it('has an on-demand, encrypted table with point-in-time recovery and an index of recent verdicts', () => {
    const properties = resources.DocumentsTable!.Properties;
    expect(properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(properties.KeySchema).toEqual([{ AttributeName: 'documentId', KeyType: 'HASH' }]);
    expect(properties.GlobalSecondaryIndexes[0]).toMatchObject({
      IndexName: settings.recentIndex,
      KeySchema: [
        { AttributeName: 'listing', KeyType: 'HASH' },
        { AttributeName: 'receivedAt', KeyType: 'RANGE' },
      ],
    });
  });

  it('encrypts the alert topic and subscribes an email only when one is given', () => {
    expect(resources.DocumentAlertTopic!.Properties.KmsMasterKeyId).toEqual({ Ref: 'TopicKey' });
    expect(resources.DocumentAlertEmailSubscription).toMatchObject({ Condition: 'HasDocumentAlertEmail', Properties: { Protocol: 'email' } });
  });
});

describe('the state machine', () => {
  const machine = () => resources.DocumentModerationStateMachine!.Properties;

  it('is a Standard workflow that logs to its log group without execution data, and is traced', () => {
    expect(machine().StateMachineType).toBe('STANDARD');
    expect(machine().LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['DocumentModerationLogGroup', 'Arn'] } } }],
    });
    expect(machine().TracingConfiguration).toEqual({ Enabled: true });
    expect(machine().RoleArn).toEqual({ 'Fn::GetAtt': ['DocumentModerationStateMachineRole', 'Arn'] });
  });

  it('is the ASL file with its settings in place: numbers where numbers go, each Task a reference to its function', () => {
    const [text, refs] = machine().DefinitionString['Fn::Sub'] as [string, Record<string, unknown>];
    expect(text).not.toMatch(/\$\{self:|\$\{file\(/);
    const definition = JSON.parse(text);
    expect(definition.TimeoutSeconds).toBe(settings.timeouts.machine);
    const tasks: Array<[string, Record<string, unknown>]> = [];
    const visit = (states: Record<string, Record<string, unknown>>) => {
      for (const [name, state] of Object.entries(states)) {
        if (state.Type === 'Task') tasks.push([name, state]);
        for (const branch of (state.Branches as Array<{ States: typeof states }> | undefined) ?? []) visit(branch.States);
        if (state.ItemProcessor) visit((state.ItemProcessor as { States: typeof states }).States);
      }
    };
    visit(definition.States);
    const functionOf = Object.fromEntries(
      tasks.map(([name, state]) => [name, refs[/^\$\{(\w+)\}$/.exec(state.Resource as string)?.[1] as string]]),
    );
    expect(functionOf).toEqual({
      AcceptDocument: { 'Fn::GetAtt': ['AcceptDocumentLambdaFunction', 'Arn'] },
      ExtractImages: { 'Fn::GetAtt': ['ExtractImagesLambdaFunction', 'Arn'] },
      ModerateImageBatch: { 'Fn::GetAtt': ['ModerateImagesLambdaFunction', 'Arn'] },
      NotifyImages: { 'Fn::GetAtt': ['NotifyOffensiveLambdaFunction', 'Arn'] },
      ExtractText: { 'Fn::GetAtt': ['ExtractTextLambdaFunction', 'Arn'] },
      ModerateText: { 'Fn::GetAtt': ['ModerateTextLambdaFunction', 'Arn'] },
      NotifyText: { 'Fn::GetAtt': ['NotifyOffensiveLambdaFunction', 'Arn'] },
      RecordVerdict: { 'Fn::GetAtt': ['RecordVerdictLambdaFunction', 'Arn'] },
      RecordUploadRefused: { 'Fn::GetAtt': ['RecordVerdictLambdaFunction', 'Arn'] },
      RecordRejected: { 'Fn::GetAtt': ['RecordVerdictLambdaFunction', 'Arn'] },
      RecordFailed: { 'Fn::GetAtt': ['RecordVerdictLambdaFunction', 'Arn'] },
    });
    for (const [name, state] of tasks) {
      expect({ name, timeout: typeof state.TimeoutSeconds }).toEqual({ name, timeout: 'number' });
      for (const retrier of state.Retry as Array<Record<string, unknown>>) {
        for (const field of ['IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds']) expect(typeof retrier[field]).toBe('number');
      }
    }
  });

  it('may invoke the seven workflow functions and nothing else', () => {
    const role = resources.DocumentModerationStateMachineRole!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const invoke = statementsOf(role).filter((statement) => actionsOf(statement).includes('lambda:InvokeFunction'));
    expect(invoke).toEqual([
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: workflowFunctions.map((fn) => ({ 'Fn::GetAtt': [`${logicalId(fn)}LambdaFunction`, 'Arn'] })),
      },
    ]);
    const others = statementsOf(role).filter((statement) => statement !== invoke[0]).flatMap(actionsOf);
    for (const action of others) expect(action).toMatch(/^(logs:[A-Za-z]+(LogDelivery|LogDeliveries|ResourcePolicy|ResourcePolicies|LogGroups)|xray:[A-Za-z]+)$/);
  });

  it('alarms on failed and timed-out moderations to the operations topic', () => {
    const alarm = resources.DocumentExecutionsFailedAlarm!.Properties;
    expect(alarm.AlarmActions).toEqual([{ Ref: 'OperationsTopic' }]);
    const metrics = (alarm.Metrics as Array<{ MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } } }>)
      .filter((metric) => metric.MetricStat)
      .map((metric) => [metric.MetricStat!.Metric.MetricName, metric.MetricStat!.Metric.Dimensions]);
    expect(metrics).toEqual([
      ['ExecutionsFailed', [{ Name: 'StateMachineArn', Value: { Ref: 'DocumentModerationStateMachine' } }]],
      ['ExecutionsTimedOut', [{ Name: 'StateMachineArn', Value: { Ref: 'DocumentModerationStateMachine' } }]],
    ]);
  });
});

describe('the functions', () => {
  it('each run on nodejs24.x with its own role, timeout and memory from the settings', () => {
    for (const fn of documentFunctions) {
      const properties = resources[`${logicalId(fn)}LambdaFunction`]!.Properties;
      expect({ fn, runtime: properties.Runtime, role: properties.Role, timeout: properties.Timeout, memory: properties.MemorySize }).toEqual({
        fn,
        runtime: 'nodejs24.x',
        role: { 'Fn::GetAtt': [`${logicalId(fn)}Role`, 'Arn'] },
        timeout: settings.timeouts[fn]!.function,
        memory: settings.memorySize[fn],
      });
    }
  });

  it('each get every setting functions/document-moderation/shared/config.ts requires', () => {
    const config = readFileSync(join(projectRoot, 'functions/document-moderation/shared/config.ts'), 'utf8');
    const required = [...config.matchAll(/(?:required|positiveInteger|fraction|percentage)\('([A-Z_]+)'\)/g)].map((match) => match[1]);
    expect(required.length).toBeGreaterThan(10);
    for (const fn of documentFunctions) {
      const variables = resources[`${logicalId(fn)}LambdaFunction`]!.Properties.Environment.Variables as Record<string, unknown>;
      expect({ fn, missing: required.filter((name) => variables[name as string] === undefined) }).toEqual({ fn, missing: [] });
      expect(variables).toMatchObject({
        DOCUMENTS_BUCKET: { Ref: 'DocumentsBucket' },
        DOCUMENTS_TABLE: { Ref: 'DocumentsTable' },
        DOCUMENT_ALERT_TOPIC_ARN: { Ref: 'DocumentAlertTopic' },
        UPLOAD_PREFIX: settings.uploadPrefix,
        DERIVED_PREFIX: settings.derivedPrefix,
      });
    }
  });

  it('serve POST /documents and GET /documents', () => {
    const routes = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map((route) => [route.Properties.RouteKey, route.Properties.Target['Fn::Join'][1][1].Ref])
      .filter(([key]) => /^[A-Z]+ \/documents$/.test(String(key)));
    expect(Object.fromEntries(routes)).toEqual({
      'POST /documents': 'HttpApiIntegrationRequestUpload',
      'GET /documents': 'HttpApiIntegrationListDocuments',
    });
  });

  it('may each make exactly the calls their code makes, on the resources they use', () => {
    const uploads = objectsUnder(settings.uploadPrefix);
    const derived = objectsUnder(settings.derivedPrefix);
    expect(grants('AcceptDocumentRole')).toEqual(
      [
        `dynamodb:GetItem on ${table}`,
        `dynamodb:UpdateItem on ${table}`,
        `s3:GetObject on ${uploads}`,
        `s3:GetObjectVersion on ${uploads}`,
        `s3:ListBucket on ${JSON.stringify({ 'Fn::GetAtt': ['DocumentsBucket', 'Arn'] })}`,
      ].sort(),
    );
    for (const role of ['ExtractImagesRole', 'ExtractTextRole']) {
      expect(grants(role)).toEqual([`s3:GetObject on ${uploads}`, `s3:GetObjectVersion on ${uploads}`, `s3:PutObject on ${derived}`].sort());
    }
    expect(grants('ModerateImagesRole')).toEqual(['rekognition:DetectModerationLabels on "*"', `s3:GetObject on ${derived}`]);
    expect(grants('ModerateTextRole')).toEqual([
      'comprehend:DetectDominantLanguage on "*"',
      'comprehend:DetectToxicContent on "*"',
      `s3:GetObject on ${derived}`,
    ]);
    expect(grants('NotifyOffensiveRole')).toEqual(
      [
        `dynamodb:GetItem on ${table}`,
        `dynamodb:UpdateItem on ${table}`,
        `kms:Decrypt on ${JSON.stringify({ 'Fn::GetAtt': ['TopicKey', 'Arn'] })}`,
        `kms:GenerateDataKey on ${JSON.stringify({ 'Fn::GetAtt': ['TopicKey', 'Arn'] })}`,
        `sns:Publish on ${JSON.stringify({ Ref: 'DocumentAlertTopic' })}`,
      ].sort(),
    );
    expect(grants('RecordVerdictRole')).toEqual([`dynamodb:GetItem on ${table}`, `dynamodb:UpdateItem on ${table}`]);
    expect(grants('RequestUploadRole')).toEqual([`s3:PutObject on ${uploads}`]);
    expect(grants('ListDocumentsRole')).toEqual([
      `dynamodb:Query on ${JSON.stringify({ 'Fn::Sub': `\${DocumentsTable.Arn}/index/${settings.recentIndex}` })}`,
    ]);
  });

  it('write logs to their own log group only, and no action is a wildcard', () => {
    for (const fn of documentFunctions) {
      const role = resources[`${logicalId(fn)}Role`]!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
      const logs = statementsOf(role).filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
      expect({ fn, logs }).toEqual({
        fn,
        logs: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::Sub': `\${${logicalId(fn)}LogGroup.Arn}` } }],
      });
      for (const statement of statementsOf(role)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      }
    }
  });
});

describe('the bundles', () => {
  it('builds one bundle per document function', () => {
    const zips = readdirSync(outputDir).filter((file) => file.endsWith('.zip'));
    expect(zips).toEqual(expect.arrayContaining(documentFunctions.map((fn) => `${fn}.zip`)));
  });

  it('keeps error names through minification: a bundled Task fails with the name the ASL retries or catches on', async () => {
    // Step Functions matches Retry and Catch on the errorType Lambda reports, the thrown error's name.
    const dir = unzipBundle('acceptDocument');
    const script = `
      const { handler } = require(process.argv[1]);
      const context = { functionName: 'acceptDocument', awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 9000 };
      handler({ event: { source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }, executionArn: 'arn:x' }, context).then(
        () => process.stdout.write('resolved'),
        (error) => process.stdout.write(JSON.stringify({ name: error.name, message: error.message })),
      );`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, join(dir, 'functions/document-moderation/acceptDocument/handler.cjs')], {
      cwd: dir,
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      timeout: 30_000,
    });
    const failure = JSON.parse(stdout) as { name: string; message: string };
    expect(failure.name).toBe('PermanentDependencyError');
    expect(failure.message).toContain('detail.bucket and detail.object are required');
    const acceptRetry = JSON.stringify(JSON.parse(resources.DocumentModerationStateMachine!.Properties.DefinitionString['Fn::Sub'][0]).States.AcceptDocument.Retry);
    expect(acceptRetry).not.toContain(failure.name);
  });
});

describe('the pdfjs assets of the extraction bundles', () => {
  const pdfjs = join(projectRoot, 'node_modules/pdfjs-dist');
  /** What the engine loads from disk at run time: the wasm decoders (JBIG2, JPEG 2000, ICC colour) and the CMaps. */
  const engineFiles = [
    ...readdirSync(join(pdfjs, 'wasm'))
      .filter((file) => file.endsWith('.wasm'))
      .map((file) => `node_modules/pdfjs-dist/wasm/${file}`),
    ...readdirSync(join(pdfjs, 'cmaps')).map((file) => `node_modules/pdfjs-dist/cmaps/${file}`),
  ].sort();
  const modulesIn = (fn: string) => [...unzip(readFileSync(join(outputDir, `${fn}.zip`))).keys()].filter((name) => name.startsWith('node_modules/')).sort();

  it('ship every wasm decoder and CMap, with their licences, in extractText.zip and extractImages.zip and in no other bundle', () => {
    expect(engineFiles.filter((file) => file.endsWith('.wasm'))).toEqual(expect.arrayContaining([expect.stringMatching(/jbig2\.wasm$/), expect.stringMatching(/openjpeg\.wasm$/)]));
    expect(engineFiles.length).toBeGreaterThan(100);
    for (const fn of ['extractText', 'extractImages']) {
      const shipped = modulesIn(fn);
      expect({ fn, missing: engineFiles.filter((file) => !shipped.includes(file)) }).toEqual({ fn, missing: [] });
      // Beside the engine's files, only the licences they are distributed under.
      expect({ fn, others: shipped.filter((file) => !engineFiles.includes(file) && !/\/LICENSE[^/]*$/.test(file)) }).toEqual({ fn, others: [] });
      expect(shipped).toContain('node_modules/pdfjs-dist/LICENSE');
    }
    const others = readdirSync(outputDir).filter((file) => file.endsWith('.zip') && !['extractText.zip', 'extractImages.zip'].includes(file));
    expect(others.length).toBeGreaterThan(5);
    for (const zip of others) expect({ zip, modules: modulesIn(zip.replace(/\.zip$/, '')) }).toEqual({ zip, modules: [] });
  });

  describe('run from the unzipped package, with no node_modules of the project within reach', () => {
    const bucket = 'bundle-test-documents';
    let s3Server: ReturnType<typeof buildApp>;
    let endpoint: string;
    let s3: S3Client;

    beforeAll(async () => {
      s3Server = buildApp({ logger: false, host: 'localhost', defaultRegion: 'us-east-1' });
      endpoint = await s3Server.listen({ port: 0, host: '127.0.0.1' });
      s3 = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    });
    afterAll(async () => {
      s3.destroy();
      await s3Server?.close();
    });

    /**
     * Runs a bundled handler in its own process, as Lambda does: the package's folder is LAMBDA_TASK_ROOT and the
     * working directory, the environment is the one the template gives the function (its resources pointed at the
     * local S3), and the process first proves that pdfjs-dist cannot be resolved from node_modules.
     */
    async function invokeBundle(
      fn: string,
      event: unknown,
    ): Promise<{ dir: string; resolvable: boolean; assetsRead: string[]; result?: unknown; error?: { name: string; message: string } }> {
      const dir = unzipBundle(fn);
      const declared = resources[`${logicalId(fn)}LambdaFunction`]!.Properties.Environment.Variables as Record<string, unknown>;
      const settingsOnly = Object.fromEntries(Object.entries(declared).filter(([name, value]) => typeof value !== 'object' && name !== 'NODE_OPTIONS').map(([name, value]) => [name, String(value)]));
      // The engine's files the handler read successfully, to tell a decoder loaded from the package from a fallback.
      const script = `
        let resolvable = true;
        try { require.resolve('pdfjs-dist/package.json'); } catch { resolvable = false; }
        const files = require('node:fs/promises');
        const readFile = files.readFile;
        const assetsRead = [];
        files.readFile = async (path, ...rest) => {
          const data = await readFile(path, ...rest);
          if (String(path).includes('pdfjs-dist')) assetsRead.push(String(path));
          return data;
        };
        const { handler } = require(process.argv[1]);
        const context = { functionName: '${fn}', awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 60000 };
        handler(JSON.parse(process.argv[2]), context).then(
          (result) => process.stdout.write(JSON.stringify({ resolvable, assetsRead, result })),
          (error) => process.stdout.write(JSON.stringify({ resolvable, assetsRead, error: { name: error.name, message: error.message } })),
        );`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['-e', script, join(dir, `functions/document-moderation/${fn}/handler.cjs`), JSON.stringify(event)],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH,
            ...settingsOnly,
            LAMBDA_TASK_ROOT: dir,
            DOCUMENTS_BUCKET: bucket,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_ENDPOINT_URL_S3: endpoint,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            POWERTOOLS_LOG_LEVEL: 'SILENT',
          },
          timeout: 60_000,
        },
      );
      return { dir, ...(JSON.parse(stdout) as Omit<Awaited<ReturnType<typeof invokeBundle>>, 'dir'>) };
    }

    async function uploaded(documentId: string, file: string) {
      const body = readFileSync(join(projectRoot, file));
      const key = `${settings.uploadPrefix}${documentId}.pdf`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      return { documentId, bucket, key, size: body.length };
    }

    it('ExtractText extracts the text of the clean handout, the same text the source extracts', async () => {
      const document = await uploaded('bundle-clean-handout', 'events/documents/clean-handout.pdf');
      const answer = await invokeBundle('extractText', { document });
      expect(answer).toMatchObject({ resolvable: false, result: { pages: 2, textKey: `${settings.derivedPrefix}${document.documentId}/text.txt`, pagesWithoutText: 0 } });
      const written = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: (answer.result as { textKey: string }).textKey }));
      const text = await written.Body!.transformToString('utf8');
      expect(text).toContain('Reading group: The Remains of the Day');
      const bytes = readFileSync(join(projectRoot, 'events/documents/clean-handout.pdf'));
      const fromSource = await extractText(new Uint8Array(bytes), { maxDocumentBytes: bytes.length, maxPages: 10 }, Date.now() + 30_000);
      expect(text).toBe(fromSource.text);
      expect(answer.result).toMatchObject({ characters: fromSource.text.length });
    }, 60_000);

    it('ExtractImages loads its wasm decoders (JBIG2 and CCITT, JPEG 2000) from the package, and decodes a JBIG2 image', async () => {
      const document = await uploaded('bundle-jbig2', 'tests/fixtures/documents/hostile/image-jbig2.pdf');
      const answer = await invokeBundle('extractImages', { document });
      expect(answer).toMatchObject({ resolvable: false, result: { pages: 1, imageCount: 1, undecodable: 0 } });
      // Each once, at the function's initialisation (primeImageDecoders), from beside the bundle.
      expect([...answer.assetsRead].sort()).toEqual(['jbig2.wasm', 'openjpeg.wasm'].map((file) => join(answer.dir, 'node_modules/pdfjs-dist/wasm', file)));
    }, 60_000);
  });
});
