// The embedded local stack: local servers that speak the AWS protocols on 127.0.0.1, the resources
// serverless.yml declares, the project's handlers behind a local Lambda runtime, the SQS event source
// and the HTTP API. Handlers reach it through the SDK's standard AWS_ENDPOINT_URL_<SERVICE> variables; other
// processes (the AWS CLI, serverless invoke local) through the one edge endpoint, AWS_ENDPOINT_URL.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';
import { startComprehendServer, type ComprehendServer } from './comprehend/server.js';
import type { RateQuotas } from './quota/token-bucket.js';
import { triageQuotaSettings } from './quota/triage-quotas.js';
import { startStackEdge, type StackEdge } from './edge/stack-edge.js';
import { LocalEventBus } from './eventbridge/bus.js';
import { eventBridgeRules } from './eventbridge/rules.js';
import { QueuePoller } from './event-source.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { dynamoDbRules, invocationFaults, snsRules, type FaultCounts, type FaultRates } from './faults.js';
import { startHttpApi, type HttpApiServer } from './http-api.js';
import { LOCAL_DASHBOARD_CLIENT_ID, localAuthorizers, preTokenGenerationEvent, preTokenGenerationFunction, scopesAfterTrigger, teamPoolOf } from './auth/team-sign-in.js';
import { listenForSignIn, startLocalOidc, type LocalOidc } from './oidc/provider.js';

/** The pages that sign in (dashboard.js, documents.js through auth.js): serverless.yml's dashboardUrls on AWS. */
const TEAM_PAGES = ['/dashboard', '/dashboard/documents'];
import { LocalLambdaRuntime, type InvocationStats } from './lambda-runtime.js';
import { loadKeepingNativeBuiltins } from './native-builtins.js';
import { HandlerWorkers, type HandlerIsolation } from './split/handler-workers.js';
import { DocumentVerdicts } from './s3/document-verdicts.js';
import { applyBucketCors, type CorsRule } from './s3/cors.js';
import { emitObjectCreatedEvents, type ObjectCreatedNotifications } from './s3/object-created.js';
import {
  loadServiceDefinition,
  localEnvironmentValue,
  localFunctionArn,
  localStateMachines,
  type ServiceDefinition,
} from './service-definition.js';
import { startStepFunctionsServer, type StepFunctionsServer } from './stepfunctions/server.js';
import { executionLinkBase } from './executions-view/view.js';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalStackOptions {
  /** Keep DynamoDB data on disk in this folder; in memory when absent. */
  dataDir?: string;
  /** Port of the HTTP API; any free port when absent. */
  httpPort?: number;
  /** Port of the local sign-in service (OpenID provider); any free port when absent. */
  signInPort?: number;
  /** Port of the edge endpoint that serves every local AWS service; any free port when absent. */
  edgePort?: number;
  /** Multiplies function timeouts and the state machine's retry intervals and timeouts (1 = as deployed). */
  timeScale?: number;
  /** Overrides the queue's visibility timeout, so retries after failures come back within a short run. */
  visibilityTimeoutSeconds?: number;
  /** Batches the event source works on at once; by default the maximumConcurrency serverless.yml gives its execution mode. */
  pollerConcurrency?: number;
  /**
   * Comprehend's request-rate quota per operation, requests per second; by default custom.triage.comprehendRequestsPerSecond
   * (AWS's defaults). `{}` lifts every quota.
   */
  comprehendRequestsPerSecond?: RateQuotas;
  /** Log level for the handlers' Powertools logger. */
  logLevel?: string;
  /**
   * Puts fault injectors between the handlers and DynamoDB and SNS, with these starting rates
   * (change them later with setFaults). Without it the handlers talk to the services directly.
   */
  faults?: FaultRates;
  /** Seeds the fault draws, for runs that must repeat. */
  random?: () => number;
  /**
   * Splits the stack over the machine's cores: the handlers run on workers of their own (threads or processes), the emulators and the
   * stack's own servers on this one. Default true; false runs everything on this thread.
   */
  split?: boolean;
  /** Handler workers when split (default 1). */
  handlerWorkers?: number;
  /** Whether the handler workers are processes of their own (default: measured faster, docs/BENCHMARKS.md) or threads of this process. */
  handlerIsolation?: HandlerIsolation;
}

export interface LocalResources {
  feedbackQueueUrl: string;
  feedbackQueueArn: string;
  deadLetterQueueUrl: string;
  feedbackTable: string;
  alertTopicArn: string;
  /** A queue subscribed to the alert topic: the local stand-in for the team's email subscription. */
  alertInboxQueueUrl: string;
  stateMachineArn: string;
  /** The bucket uploads land in (DOCUMENTS_BUCKET); it sends its events to EventBridge. */
  documentsBucket: string;
  documentsTable: string;
  documentAlertTopicArn: string;
  /** A queue subscribed to the document alert topic: the local stand-in for the team's email subscription. */
  documentAlertInboxQueueUrl: string;
  /** The Standard machine the documents bucket's EventBridge rule starts. */
  documentStateMachineArn: string;
}

/** The Rekognition stand-in's handle (local/rekognition/server.ts). */
export interface RekognitionServer {
  url: string;
  close(): Promise<void>;
  stats(): unknown;
}

export interface LocalStack {
  service: ServiceDefinition;
  httpUrl: string;
  endpoints: Record<'sqs' | 'sns' | 'dynamodb' | 'sfn' | 'comprehend' | 's3', string> & { rekognition?: string };
  resources: LocalResources;
  /** The environment of the handlers in this process: each service by its own endpoint. */
  environment: Record<string, string>;
  /**
   * The environment another process needs to reach this stack (serverless invoke local, the AWS CLI, SDK
   * scripts): every service through the edge endpoint, AWS_ENDPOINT_URL.
   */
  clientEnvironment: Record<string, string>;
  /** The single endpoint every local AWS service answers on. */
  edge: StackEdge;
  clients: { sqs: SQSClient; sns: SNSClient; dynamodb: DynamoDBClient; sfn: SFNClient; s3: S3Client };
  runtime: LocalLambdaRuntime;
  /** The handlers' own workers, when the stack is split over both cores. */
  handlerWorkers?: HandlerWorkers;
  poller: QueuePoller;
  comprehend: ComprehendServer;
  stepFunctions: StepFunctionsServer;
  /** The team's sign-in: a local OpenID provider shaped like the user pool, with its seed users and passwords. */
  signIn: LocalOidc;
  /** The Rekognition stand-in; absent when local/rekognition/server.ts is not there. */
  rekognition?: RekognitionServer;
  /** The default EventBridge bus with the rules the service declares. */
  eventBus: LocalEventBus;
  /** The "Object Created" events the local S3 endpoint has sent. */
  objectCreated: ObjectCreatedNotifications;
  /** Waits for uploads to be moderated and reads their verdicts. */
  documents: DocumentVerdicts;
  /** Changes the injected fault rates; only when the stack was started with `faults`. */
  setFaults(rates: FaultRates): void;
  /** The faults injected so far, by kind. */
  faultStats(): FaultCounts;
  stop(): Promise<void>;
}

async function listen(server: Server, port = 0): Promise<string> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

type CfnRef = { Ref?: string; 'Fn::GetAtt'?: [string, string] };

interface CreatedResource {
  type: string;
  ref: string;
  arn?: string;
}

/** A resource's physical name when the service gives none: what CloudFormation would generate, made readable. */
const defaultName = (service: ServiceDefinition, logicalId: string) => `${service.service}-${service.stage}-${logicalId}`;

/** Creates the queues, tables, topics and buckets the service declares, in an order that satisfies their references. */
async function createResources(
  service: ServiceDefinition,
  clients: LocalStack['clients'],
  options: LocalStackOptions,
): Promise<Map<string, CreatedResource>> {
  const created = new Map<string, CreatedResource>();
  const resolveArn = (value: CfnRef) => {
    const logicalId = value['Fn::GetAtt']?.[0] ?? value.Ref ?? '';
    const target = created.get(logicalId);
    if (!target?.arn) throw new Error(`serverless.yml refers to ${logicalId}, which the local stack has not created`);
    return target.arn;
  };
  const queues = Object.entries(service.resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  // Dead-letter queues first: the others name them in their redrive policy.
  queues.sort(([, a], [, b]) => Number(Boolean(a.Properties?.RedrivePolicy)) - Number(Boolean(b.Properties?.RedrivePolicy)));
  for (const [logicalId, queue] of queues) {
    const props = queue.Properties ?? {};
    const attributes: Record<string, string> = {};
    if (props.VisibilityTimeout !== undefined) attributes.VisibilityTimeout = String(options.visibilityTimeoutSeconds ?? props.VisibilityTimeout);
    if (props.MessageRetentionPeriod !== undefined) attributes.MessageRetentionPeriod = String(props.MessageRetentionPeriod);
    const redrive = props.RedrivePolicy as { deadLetterTargetArn: CfnRef; maxReceiveCount: number } | undefined;
    if (redrive) {
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: resolveArn(redrive.deadLetterTargetArn), maxReceiveCount: redrive.maxReceiveCount });
    }
    const queueName = typeof props.QueueName === 'string' ? props.QueueName : defaultName(service, logicalId);
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    created.set(logicalId, { type: queue.Type, ref: QueueUrl as string, arn: Attributes?.QueueArn });
  }
  for (const [logicalId, table] of Object.entries(service.resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) {
    const props = table.Properties as Record<string, never> & { TableName?: string };
    const tableName = props.TableName ?? defaultName(service, logicalId);
    const { TableDescription } = await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: props.AttributeDefinitions,
        KeySchema: props.KeySchema,
        GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
        BillingMode: props.BillingMode,
      }),
    ).catch(async (error: Error) => {
      // A table kept on disk from an earlier run is reused.
      if (error.name !== 'ResourceInUseException') throw error;
      return { TableDescription: { TableName: tableName, TableArn: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:table/${tableName}` } };
    });
    await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
    created.set(logicalId, { type: table.Type, ref: tableName, arn: TableDescription?.TableArn });
  }
  for (const [logicalId, topic] of Object.entries(service.resources).filter(([, r]) => r.Type === 'AWS::SNS::Topic')) {
    const topicName = typeof topic.Properties?.TopicName === 'string' ? topic.Properties.TopicName : defaultName(service, logicalId);
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: topicName }));
    created.set(logicalId, { type: topic.Type, ref: TopicArn as string, arn: TopicArn });
  }
  for (const bucket of Object.values(service.buckets)) {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket.localName }));
    created.set(bucket.logicalId, { type: 'AWS::S3::Bucket', ref: bucket.localName, arn: `arn:aws:s3:::${bucket.localName}` });
  }
  return created;
}

/** The environment each function declares, with every reference to a resource given the local resource. */
function functionEnvironment(service: ServiceDefinition, created: Map<string, CreatedResource>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const fn of Object.values(service.functions)) {
    for (const [name, value] of Object.entries(fn.environment)) {
      // The handlers share this process's environment: where functions differ (POWERTOOLS_SERVICE_NAME), the last wins.
      environment[name] = localEnvironmentValue(name, value, (logicalId) => created.get(logicalId));
    }
  }
  // Tuning for a developer's process, not for the local handlers.
  delete environment.NODE_OPTIONS;
  return environment;
}

/** Starts the Rekognition stand-in when its module is there, so the stack runs while it is being built. */
async function startRekognition(s3Endpoint: string): Promise<RekognitionServer | undefined> {
  const modulePath = './rekognition/server.js';
  let module: { startRekognitionServer?: (options: { s3Endpoint: string }) => Promise<RekognitionServer> };
  try {
    module = (await import(modulePath)) as typeof module;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  if (typeof module.startRekognitionServer !== 'function') throw new Error('local/rekognition/server.ts exports no startRekognitionServer');
  return module.startRekognitionServer({ s3Endpoint });
}

/**
 * The document pipeline's resources, found as its functions name them (DOCUMENTS_BUCKET, DOCUMENTS_TABLE,
 * DOCUMENT_ALERT_TOPIC_ARN, the variables of functions/document-moderation/shared/config.ts), and the machine
 * that the documents bucket's rule starts.
 */
function documentPipelineResources(service: ServiceDefinition, environment: Record<string, string>, created: Map<string, CreatedResource>) {
  const named = (variable: string) => {
    const value = environment[variable];
    if (!value) throw new Error(`No function of serverless.yml sets ${variable}: the document pipeline is not declared`);
    return value;
  };
  const machine = Object.values(service.stateMachines).find((candidate) => candidate.events.length > 0);
  const documentStateMachineArn = machine ? created.get(machine.logicalId)?.arn : undefined;
  if (!documentStateMachineArn) throw new Error('No state machine of serverless.yml has an eventBridge event: nothing starts the document pipeline');
  return {
    documentsBucket: named('DOCUMENTS_BUCKET'),
    documentsTable: named('DOCUMENTS_TABLE'),
    documentAlertTopicArn: named('DOCUMENT_ALERT_TOPIC_ARN'),
    documentStateMachineArn,
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const timeScale = options.timeScale ?? 1;
  const split = options.split ?? true;
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
  };
  // The stack gives the handlers their environment through process.env; stopped, it leaves process.env as it
  // found it, so a stack started later in the same process reads none of this one's endpoints or names.
  const environmentBefore = { ...process.env };
  stoppers.push(async () => {
    for (const name of Object.keys(process.env)) if (!(name in environmentBefore)) delete process.env[name];
    Object.assign(process.env, environmentBefore);
  });
  // The pages' environment names the sign-in origin (SIGN_IN_ORIGIN): open its port before reading serverless.yml.
  const signInListener = await listenForSignIn(options.signInPort);
  stoppers.push(
    () =>
      new Promise<void>((resolve) => {
        signInListener.server.closeAllConnections();
        signInListener.server.close(() => resolve());
      }),
  );
  try {
    const service = loadServiceDefinition('local', undefined, {
      // DASHBOARD_URL gets its port once the HTTP API listens, EXECUTION_DETAILS_URL the edge's: below.
      environment: { ...process.env, SIGN_IN_ORIGIN: signInListener.origin, SIGN_IN_CLIENT_ID: LOCAL_DASHBOARD_CLIENT_ID, DASHBOARD_URL: 'http://127.0.0.1/dashboard', EXECUTION_DETAILS_URL: executionLinkBase('http://127.0.0.1') },
    });
    const dynaliteOptions = { path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
    const dynamoServer = dynalite(dynaliteOptions);
    const dynamodbUrl = await listen(dynamoServer);
    stoppers.push(() => new Promise((resolve) => dynamoServer.close(() => resolve())));

    // fauxqs serves SQS, SNS and S3 on one port; S3's EventBridge notifications go to the bus, made once the
    // state machines its rules target exist.
    const messaging = buildApp({ logger: false, host: 'localhost', defaultRegion: LOCAL_REGION });
    const routing: { bus?: LocalEventBus } = {};
    const notifyingBuckets = new Set(Object.values(service.buckets).filter((bucket) => bucket.eventBridge).map((bucket) => bucket.localName));
    const objectCreated = emitObjectCreatedEvents(messaging, {
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      notifies: (bucket) => notifyingBuckets.has(bucket),
      publish: async (event) => {
        if (!routing.bus) throw new Error(`The event bus is not ready yet; an object landed in ${event.resources[0]} during start-up`);
        return routing.bus.putEvent(event);
      },
    });
    // Buckets' CORS rules as declared; an origin given as the HTTP API's endpoint means the local pages' origins,
    // known once the HTTP API listens (below).
    const pageOrigins: string[] = [];
    const corsRules = new Map(
      Object.values(service.buckets).flatMap((bucket) => {
        const rules = (service.resources[bucket.logicalId]?.Properties?.CorsConfiguration as { CorsRules?: CorsRule[] } | undefined)?.CorsRules;
        return rules ? [[bucket.localName, rules] as const] : [];
      }),
    );
    applyBucketCors(messaging, (bucket) =>
      corsRules.get(bucket)?.map((rule) => ({
        ...rule,
        AllowedOrigins: rule.AllowedOrigins.flatMap((origin) => (typeof origin === 'string' ? [origin] : pageOrigins)),
      })),
    );
    const messagingUrl = await messaging.listen({ port: 0, host: '127.0.0.1' });
    stoppers.push(() => messaging.close());

    const comprehend = await startComprehendServer({ quotas: options.comprehendRequestsPerSecond ?? triageQuotaSettings(service).comprehendRequestsPerSecond });
    stoppers.push(() => comprehend.close());

    const handlerWorkers = split ? new HandlerWorkers(options.handlerWorkers, options.handlerIsolation) : undefined;
    const runtime = new LocalLambdaRuntime(service, timeScale, handlerWorkers);
    stoppers.push(() => runtime.close());
    const stepFunctions = await startStepFunctionsServer({
      invokeLambda: (functionArn, payload) => runtime.invoke(runtime.functionNameFromArn(functionArn), payload),
      region: LOCAL_REGION,
      retryIntervalScale: timeScale,
      timeoutScale: timeScale,
      lambdaErrorCause: 'lambda-json',
    });
    stoppers.push(() => stepFunctions.close());

    const rekognition = await startRekognition(messagingUrl);
    if (rekognition) stoppers.push(() => rekognition.close());

    const edge = await startStackEdge({ port: options.edgePort ?? 0, dynamodb: dynamoServer, messaging, messagingUrl, stepFunctions, comprehend, rekognition });
    stoppers.push(() => edge.close());

    const endpoints: LocalStack['endpoints'] = {
      sqs: messagingUrl,
      sns: messagingUrl,
      s3: messagingUrl,
      dynamodb: dynamodbUrl,
      sfn: stepFunctions.url,
      comprehend: comprehend.url,
      ...(rekognition ? { rekognition: rekognition.url } : {}),
    };
    // The handlers reach DynamoDB and SNS through the fault injectors; the stack itself goes direct.
    const handlerEndpoints = { ...endpoints };
    let dynamoFaults: FaultProxy | undefined;
    let snsFaults: FaultProxy | undefined;
    const setFaults = (rates: FaultRates) => {
      if (!dynamoFaults || !snsFaults) throw new Error('start the local stack with `faults` to inject faults');
      dynamoFaults.setRules(dynamoDbRules(rates));
      snsFaults.setRules(snsRules(rates));
      comprehend.setFaults({ throttleRate: rates.comprehend, random: options.random });
      runtime.setFaults(invocationFaults(rates, options.random));
    };
    if (options.faults) {
      dynamoFaults = await startFaultProxy({ target: dynamodbUrl, random: options.random });
      snsFaults = await startFaultProxy({ target: messagingUrl, random: options.random });
      stoppers.push(() => (dynamoFaults as FaultProxy).close(), () => (snsFaults as FaultProxy).close());
      handlerEndpoints.dynamodb = dynamoFaults.url;
      handlerEndpoints.sns = snsFaults.url;
      setFaults(options.faults);
    }
    const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const clients = {
      // Through the edge, so queue URLs name its port: fixed with --serve, they stay the same from run to run.
      sqs: new SQSClient({ ...common, endpoint: edge.url, useQueueUrlAsEndpoint: false }),
      sns: new SNSClient({ ...common, endpoint: endpoints.sns }),
      dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
      sfn: new SFNClient({ ...common, endpoint: endpoints.sfn, disableHostPrefix: true }),
      s3: new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true }),
    };
    stoppers.push(async () => Object.values(clients).forEach((client) => client.destroy()));

    const created = await createResources(service, clients, options);
    // Every machine serverless.yml declares; the consumer's STATE_MACHINE_ARN names the one its execution mode uses.
    for (const machine of localStateMachines(service, (fn) => localFunctionArn(fn, service.service, LOCAL_REGION))) {
      const { stateMachineArn: arn } = await clients.sfn.send(
        new CreateStateMachineCommand({
          name: machine.name,
          type: machine.type as 'EXPRESS',
          roleArn: 'arn:aws:iam::000000000000:role/local-triage-workflow',
          definition: machine.definition,
        }),
      );
      created.set(machine.logicalId, { type: 'AWS::StepFunctions::StateMachine', ref: arn as string, arn });
    }
    const stateMachineArn = created.get(service.stateMachine.logicalId)?.arn as string;

    // The rules that start the machines, matched in-process; a pattern PutRule would refuse stops the start here.
    const lookup = (logicalId: string, attribute?: string) => {
      const resource = created.get(logicalId);
      return attribute === undefined ? resource?.ref : attribute === 'Arn' ? resource?.arn : undefined;
    };
    const rules = eventBridgeRules(service, lookup, { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID, stackName: `${service.service}-${service.stage}` });
    const queueUrlByArn = new Map([...created.values()].filter((r) => r.type === 'AWS::SQS::Queue').map((r) => [r.arn, r.ref]));
    const eventBus = new LocalEventBus({
      rules,
      // Through the Step Functions front's own API, so executions are described and listed like any other.
      deliver: async (target, input) => {
        if (!target.arn.includes(':states:')) throw new Error(`the local bus delivers to state machines only, not to ${target.arn}`);
        const { executionArn } = await clients.sfn.send(new StartExecutionCommand({ stateMachineArn: target.arn, input }));
        return executionArn as string;
      },
      // EventBridge's dead-letter message: the event, with why it was not delivered.
      sendToDeadLetter: async (queueArn, event, delivery) => {
        const queueUrl = queueUrlByArn.get(queueArn);
        if (!queueUrl) throw new Error(`no local queue has the ARN ${queueArn}`);
        const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
        await clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(event),
            MessageAttributes: {
              RULE_ARN: attribute(`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/${delivery.rule}`),
              TARGET_ARN: attribute(delivery.targetArn),
              ERROR_MESSAGE: attribute(delivery.error ?? 'not delivered'),
            },
          }),
        );
      },
      onDeliveryFailed: (delivery) =>
        console.error(`[local EventBridge] rule ${delivery.rule} could not start ${delivery.targetArn} after ${delivery.attempts} attempts: ${delivery.error}`),
    });

    routing.bus = eventBus;
    // Stopping lets the events already sent start their executions before the servers close.
    stoppers.push(async () => {
      await objectCreated.idle();
      await eventBus.idle();
    });

    /** A queue subscribed to a topic: the local stand-in for the team's email subscription. */
    const subscribeInbox = async (topicArn: string, queueName: string) => {
      const inbox = await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
      const inboxArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
      await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxArn }));
      return inbox.QueueUrl as string;
    };
    const alertTopicArn = created.get('AlertTopic')?.arn as string;
    const alertInboxQueueUrl = await subscribeInbox(alertTopicArn, `${service.service}-local-alert-inbox`);

    const environment: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: handlerEndpoints.sqs,
      AWS_ENDPOINT_URL_SNS: handlerEndpoints.sns,
      AWS_ENDPOINT_URL_DYNAMODB: handlerEndpoints.dynamodb,
      AWS_ENDPOINT_URL_SFN: handlerEndpoints.sfn,
      AWS_ENDPOINT_URL_COMPREHEND: handlerEndpoints.comprehend,
      AWS_ENDPOINT_URL_S3: handlerEndpoints.s3,
      ...(handlerEndpoints.rekognition ? { AWS_ENDPOINT_URL_REKOGNITION: handlerEndpoints.rekognition } : {}),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Tracing switches itself off outside Lambda (functions/shared/tracer.ts), but the X-Ray SDK it imports
      // installs async hooks on every promise of the thread unless in manual mode: about a tenth of the handlers'
      // CPU locally, for traces that are never sent.
      AWS_XRAY_MANUAL_MODE: 'true',
      ...functionEnvironment(service, created),
      // The pages link executions to the Executions view the edge serves (local/executions-view/).
      EXECUTION_DETAILS_URL: executionLinkBase(edge.url),
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    };
    const documentsResources = documentPipelineResources(service, environment, created);
    const documentAlertInboxQueueUrl = await subscribeInbox(documentsResources.documentAlertTopicArn, `${service.service}-local-document-alert-inbox`);
    const documents = new DocumentVerdicts({
      bucket: documentsResources.documentsBucket,
      table: documentsResources.documentsTable,
      notifications: objectCreated,
      eventBus,
      dynamodb: clients.dynamodb,
      sfn: clients.sfn,
    });
    // The handlers share this process's environment: give it to them before their modules create SDK clients.
    Object.assign(process.env, environment);
    await loadKeepingNativeBuiltins(() => runtime.warm());

    // The user pool's trigger decides each token's scopes from the user's groups, here as on AWS.
    const tokenTrigger = preTokenGenerationFunction(service);
    const signIn = await startLocalOidc({
      listener: signInListener,
      clientId: LOCAL_DASHBOARD_CLIENT_ID,
      ...teamPoolOf(service),
      tokenScopes: async (user, requested) =>
        tokenTrigger ? scopesAfterTrigger(requested, await runtime.invoke(tokenTrigger, preTokenGenerationEvent(user, requested, LOCAL_DASHBOARD_CLIENT_ID))) : requested,
    });
    const authorizers = localAuthorizers(service, { issuer: signIn.issuer, clientId: LOCAL_DASHBOARD_CLIENT_ID });

    const feedbackQueue = created.get('FeedbackQueue') as CreatedResource;
    const poller = new QueuePoller({
      sqs: clients.sqs,
      queueUrl: feedbackQueue.ref,
      queueArn: feedbackQueue.arn as string,
      region: LOCAL_REGION,
      batchSize: service.triage.batchSize,
      maximumBatchingWindowSeconds: service.triage.maximumBatchingWindow * timeScale,
      concurrency: options.pollerConcurrency ?? triageQuotaSettings(service).maximumConcurrency[service.triage.executionMode ?? 'perMessage'],
      invoke: (event: SQSEvent) => runtime.invoke('processFeedback', event) as Promise<SQSBatchResponse>,
    });
    poller.start();
    stoppers.push(() => poller.stop());

    const http: HttpApiServer = await startHttpApi({
      service,
      port: options.httpPort,
      invoke: (functionName: string, event: APIGatewayProxyEventV2) => runtime.invoke(functionName, event),
      authorize: async ({ authorizerName, scopes, authorization }) => {
        const authorizer = authorizers.get(authorizerName);
        if (!authorizer) throw new Error(`no authorizer ${authorizerName} in provider.httpApi.authorizers`);
        return authorizer.authorize(authorization, scopes);
      },
    });
    stoppers.push(() => http.close());
    pageOrigins.push(http.url, `http://localhost:${http.port}`);
    for (const origin of pageOrigins) {
      // The app client's callback and sign-out URLs: each team page signs in for itself, tokens being in its memory only.
      for (const page of TEAM_PAGES) signIn.allowRedirect(`${origin}${page}`);
    }
    // The alerts link to this dashboard; the handlers read DASHBOARD_URL when they format one.
    environment.DASHBOARD_URL = `${http.url}/dashboard`;
    await runtime.setEnvironment({ DASHBOARD_URL: environment.DASHBOARD_URL });

    return {
      service,
      httpUrl: http.url,
      endpoints,
      resources: {
        feedbackQueueUrl: feedbackQueue.ref,
        feedbackQueueArn: feedbackQueue.arn as string,
        deadLetterQueueUrl: created.get('FeedbackDeadLetterQueue')?.ref as string,
        feedbackTable: created.get('FeedbackTable')?.ref as string,
        alertTopicArn,
        alertInboxQueueUrl,
        stateMachineArn: stateMachineArn as string,
        ...documentsResources,
        documentAlertInboxQueueUrl,
      },
      environment,
      // Read when asked: switching the execution mode changes the handlers' environment after start.
      get clientEnvironment() {
        return {
          ...Object.fromEntries(Object.entries(environment).filter(([name]) => !name.startsWith('AWS_ENDPOINT_URL_'))),
          AWS_ENDPOINT_URL: edge.url,
          // The CLIs send StartSyncExecution to a `sync-` host a local endpoint lacks (botocore's disable_host_prefix_injection).
          AWS_DISABLE_HOST_PREFIX_INJECTION: 'true',
        };
      },
      edge,
      clients,
      runtime,
      ...(handlerWorkers ? { handlerWorkers } : {}),
      poller,
      comprehend,
      stepFunctions,
      signIn,
      ...(rekognition ? { rekognition } : {}),
      eventBus,
      objectCreated,
      documents,
      setFaults,
      faultStats: () => {
        const invocations = [...runtime.stats.values()];
        const total = (count: (stats: InvocationStats) => number) => invocations.reduce((sum, stats) => sum + count(stats), 0);
        return {
          comprehend: comprehend.stats().throttled,
          dynamodb: dynamoFaults?.stats().injected ?? 0,
          sns: snsFaults?.stats().injected ?? 0,
          crash: total((stats) => stats.crashes),
          hang: total((stats) => stats.hangs),
          lost: total((stats) => stats.lostAnswers),
        };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
