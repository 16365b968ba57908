// The embedded local stack: local servers that speak the AWS protocols on 127.0.0.1, the resources
// serverless.yml declares, the project's handlers behind a local Lambda runtime, the SQS event source
// and the HTTP API. Handlers reach it through the SDK's standard AWS_ENDPOINT_URL_<SERVICE> variables.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';
import { startComprehendServer, type ComprehendServer } from './comprehend/server.js';
import { QueuePoller } from './event-source.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { dynamoDbRules, invocationFaults, snsRules, type FaultRates } from './faults.js';
import { startHttpApi, type HttpApiServer } from './http-api.js';
import { LocalLambdaRuntime } from './lambda-runtime.js';
import { loadServiceDefinition, localFunctionArn, localStateMachines, type ServiceDefinition } from './service-definition.js';
import { startStepFunctionsServer, type StepFunctionsServer } from './stepfunctions/server.js';

export const LOCAL_REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalStackOptions {
  /** Keep DynamoDB data on disk in this folder; in memory when absent. */
  dataDir?: string;
  /** Port of the HTTP API; any free port when absent. */
  httpPort?: number;
  /** Multiplies function timeouts and the state machine's retry intervals and timeouts (1 = as deployed). */
  timeScale?: number;
  /** Overrides the queue's visibility timeout, so retries after failures come back within a short run. */
  visibilityTimeoutSeconds?: number;
  /** Batches the event source works on at once. */
  pollerConcurrency?: number;
  /** Log level for the handlers' Powertools logger. */
  logLevel?: string;
  /**
   * Puts fault injectors between the handlers and DynamoDB and SNS, with these starting rates
   * (change them later with setFaults). Without it the handlers talk to the services directly.
   */
  faults?: FaultRates;
  /** Seeds the fault draws, for runs that must repeat. */
  random?: () => number;
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
}

export interface LocalStack {
  service: ServiceDefinition;
  httpUrl: string;
  endpoints: Record<'sqs' | 'sns' | 'dynamodb' | 'sfn' | 'comprehend', string>;
  resources: LocalResources;
  /** The environment a process needs to reach this stack (serverless invoke local, the AWS CLI). */
  environment: Record<string, string>;
  clients: { sqs: SQSClient; sns: SNSClient; dynamodb: DynamoDBClient; sfn: SFNClient };
  runtime: LocalLambdaRuntime;
  poller: QueuePoller;
  comprehend: ComprehendServer;
  stepFunctions: StepFunctionsServer;
  /** Changes the injected fault rates; only when the stack was started with `faults`. */
  setFaults(rates: FaultRates): void;
  faultStats(): Record<string, number>;
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

/** Creates the queues, table and topics of serverless.yml, in an order that satisfies their references. */
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
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: String(props.QueueName), Attributes: attributes }));
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    created.set(logicalId, { type: queue.Type, ref: QueueUrl as string, arn: Attributes?.QueueArn });
  }
  for (const [logicalId, table] of Object.entries(service.resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) {
    const props = table.Properties as Record<string, never> & { TableName: string };
    const { TableDescription } = await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: props.TableName,
        AttributeDefinitions: props.AttributeDefinitions,
        KeySchema: props.KeySchema,
        GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
        BillingMode: props.BillingMode,
      }),
    ).catch(async (error: Error) => {
      // A table kept on disk from an earlier run is reused.
      if (error.name !== 'ResourceInUseException') throw error;
      return { TableDescription: { TableName: props.TableName, TableArn: `arn:aws:dynamodb:${LOCAL_REGION}:000000000000:table/${props.TableName}` } };
    });
    await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: props.TableName });
    created.set(logicalId, { type: table.Type, ref: props.TableName, arn: TableDescription?.TableArn });
  }
  for (const [logicalId, topic] of Object.entries(service.resources).filter(([, r]) => r.Type === 'AWS::SNS::Topic')) {
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: String(topic.Properties?.TopicName) }));
    created.set(logicalId, { type: topic.Type, ref: TopicArn as string, arn: TopicArn });
  }
  return created;
}

/** The environment each function declares, with `${env:NAME, self:custom.refs.X}` given the local resource. */
function functionEnvironment(service: ServiceDefinition, created: Map<string, CreatedResource>): Record<string, string> {
  const refs = (service.raw.custom as { refs: Record<string, CfnRef> }).refs;
  const environment: Record<string, string> = {};
  for (const fn of Object.values(service.functions)) {
    for (const [name, value] of Object.entries(fn.environment)) {
      const reference = /^\$\{env:(\w+),\s*self:custom\.refs\.(\w+)\}$/.exec(String(value));
      if (!reference) {
        environment[name] = String(value);
        continue;
      }
      const logicalId = refs[reference[2] as string]?.Ref as string;
      const resource = created.get(logicalId);
      if (!resource) throw new Error(`${name} refers to ${logicalId}, which the local stack has not created`);
      environment[name] = resource.ref;
    }
  }
  // Tuning for a developer's process, not for the local handlers.
  delete environment.NODE_OPTIONS;
  return environment;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const service = loadServiceDefinition('local');
  const timeScale = options.timeScale ?? 1;
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
  };
  try {
    const dynamoServer = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const dynamodbUrl = await listen(dynamoServer);
    stoppers.push(() => new Promise((resolve) => dynamoServer.close(() => resolve())));

    const messaging = buildApp({ logger: false, host: 'localhost', defaultRegion: LOCAL_REGION });
    const messagingUrl = await messaging.listen({ port: 0, host: '127.0.0.1' });
    stoppers.push(() => messaging.close());

    const comprehend = await startComprehendServer();
    stoppers.push(() => comprehend.close());

    const runtime = new LocalLambdaRuntime(service, timeScale);
    const stepFunctions = await startStepFunctionsServer({
      invokeLambda: (functionArn, payload) => runtime.invoke(runtime.functionNameFromArn(functionArn), payload),
      region: LOCAL_REGION,
      retryIntervalScale: timeScale,
      timeoutScale: timeScale,
      lambdaErrorCause: 'lambda-json',
    });
    stoppers.push(() => stepFunctions.close());

    const endpoints = { sqs: messagingUrl, sns: messagingUrl, dynamodb: dynamodbUrl, sfn: stepFunctions.url, comprehend: comprehend.url };
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
      sqs: new SQSClient({ ...common, endpoint: endpoints.sqs, useQueueUrlAsEndpoint: false }),
      sns: new SNSClient({ ...common, endpoint: endpoints.sns }),
      dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
      sfn: new SFNClient({ ...common, endpoint: endpoints.sfn, disableHostPrefix: true }),
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

    const alertTopicArn = created.get('AlertTopic')?.arn as string;
    const inbox = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${service.service}-local-alert-inbox` }));
    const inboxArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    await clients.sns.send(new SubscribeCommand({ TopicArn: alertTopicArn, Protocol: 'sqs', Endpoint: inboxArn }));

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
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...functionEnvironment(service, created),
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    };
    // The handlers run in this process: give them the environment before their modules create SDK clients.
    Object.assign(process.env, environment);
    await runtime.warm();

    const feedbackQueue = created.get('FeedbackQueue') as CreatedResource;
    const poller = new QueuePoller({
      sqs: clients.sqs,
      queueUrl: feedbackQueue.ref,
      queueArn: feedbackQueue.arn as string,
      region: LOCAL_REGION,
      batchSize: service.triage.batchSize,
      maximumBatchingWindowSeconds: service.triage.maximumBatchingWindow * timeScale,
      concurrency: options.pollerConcurrency ?? 4,
      invoke: (event: SQSEvent) => runtime.invoke('processFeedback', event) as Promise<SQSBatchResponse>,
    });
    poller.start();
    stoppers.push(() => poller.stop());

    const http: HttpApiServer = await startHttpApi({
      service,
      port: options.httpPort,
      invoke: (functionName: string, event: APIGatewayProxyEventV2) => runtime.invoke(functionName, event),
    });
    stoppers.push(() => http.close());

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
        alertInboxQueueUrl: inbox.QueueUrl as string,
        stateMachineArn: stateMachineArn as string,
      },
      environment,
      clients,
      runtime,
      poller,
      comprehend,
      stepFunctions,
      setFaults,
      faultStats: () => ({
        comprehendThrottles: comprehend.stats().throttled,
        dynamodbErrors: dynamoFaults?.stats().injected ?? 0,
        snsErrors: snsFaults?.stats().injected ?? 0,
        crashes: [...runtime.stats.values()].reduce((sum, s) => sum + s.crashes, 0),
        timeouts: [...runtime.stats.values()].reduce((sum, s) => sum + s.timeouts, 0),
      }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
