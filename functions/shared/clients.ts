// AWS SDK clients, created once per process. Endpoints come from the SDK's own
// AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables, so the local stack needs no code path of its own;
// only two protocol details change when an endpoint is overridden. Each client is marked pure so that a
// function's bundle keeps only the clients its handler uses.
import { ComprehendClient } from '@aws-sdk/client-comprehend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

function endpointOverridden(serviceEnvName: string): boolean {
  return Boolean(process.env[`AWS_ENDPOINT_URL_${serviceEnvName}`] || process.env.AWS_ENDPOINT_URL);
}

export const comprehend = /* @__PURE__ */ new ComprehendClient({});

export const documents = /* @__PURE__ */ DynamoDBDocumentClient.from(/* @__PURE__ */ new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const notifications = /* @__PURE__ */ new SNSClient({});

// StartSyncExecution is sent to a `sync-` prefixed host, which a local endpoint does not have.
export const stepFunctions = /* @__PURE__ */ new SFNClient({ disableHostPrefix: /* @__PURE__ */ endpointOverridden('SFN') });

// A local queue's URL names a host that does not resolve; send requests to the configured endpoint instead.
export const queues = /* @__PURE__ */ new SQSClient({ useQueueUrlAsEndpoint: !/* @__PURE__ */ endpointOverridden('SQS') });

// A local endpoint has no per-bucket host names: address buckets in the path.
export const objects = /* @__PURE__ */ new S3Client({ forcePathStyle: /* @__PURE__ */ endpointOverridden('S3') });

export const imageModeration = /* @__PURE__ */ new RekognitionClient({});
