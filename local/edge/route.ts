// Which local service a request to the single edge endpoint is for, read the way AWS's own front doors tell
// them apart: the SigV4 credential scope (header or presigned query), X-Amz-Target for the JSON protocols,
// the host prefix, and for unsigned requests the query protocol's Action or S3's path.
import type { IncomingHttpHeaders } from 'node:http';

/** The services the edge serves, named as SigV4 credential scopes name them (Step Functions signs as "states"). */
export const EDGE_SERVICES = ['sqs', 'sns', 'sts', 's3', 'dynamodb', 'states', 'comprehend', 'rekognition'] as const;
export type EdgeService = (typeof EDGE_SERVICES)[number];

/** Each JSON protocol's X-Amz-Target prefix. */
const TARGET_PREFIXES: ReadonlyArray<[string, EdgeService]> = [
  ['AmazonSQS.', 'sqs'],
  ['DynamoDB_20120810.', 'dynamodb'],
  ['AWSStepFunctions.', 'states'],
  ['Comprehend_20171127.', 'comprehend'],
  ['RekognitionService.', 'rekognition'],
];

/** The host prefixes clients inject for some operations (the SDKs and CLIs send StartSyncExecution to `sync-states.…`). */
const HOST_PREFIXES: ReadonlyArray<[RegExp, EdgeService]> = [[/^sync-/, 'states']];

/** The query-protocol actions SQS answers; any other Action in a form body is SNS's or STS's. */
export const SQS_QUERY_ACTIONS: ReadonlySet<string> = new Set([
  'AddPermission', 'CancelMessageMoveTask', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch', 'CreateQueue', 'DeleteMessage',
  'DeleteMessageBatch', 'DeleteQueue', 'GetQueueAttributes', 'GetQueueUrl', 'ListDeadLetterSourceQueues', 'ListMessageMoveTasks',
  'ListQueueTags', 'ListQueues', 'PurgeQueue', 'ReceiveMessage', 'RemovePermission', 'SendMessage', 'SendMessageBatch',
  'SetQueueAttributes', 'StartMessageMoveTask', 'TagQueue', 'UntagQueue',
]);

const STS_QUERY_ACTIONS: ReadonlySet<string> = new Set(['GetCallerIdentity']);

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/;

const isEdgeService = (name: string): name is EdgeService => (EDGE_SERVICES as readonly string[]).includes(name);

/** What the headers and URL alone say about a request. */
export type RouteByHeaders =
  | { service: EdgeService }
  /** A form body whose Action decides (the query protocol, unsigned or signed for sqs). */
  | { formAction: true; signedFor?: 'sqs' }
  /** The local stack's own pages (the Executions view), under a path no AWS protocol uses. */
  | { localPage: true }
  | { unknown: string };

/** The local stack's own pages live under this path, as LocalStack's under /_localstack: no S3 bucket name starts with "_". */
export const LOCAL_PAGES_PREFIX = '/_local/';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export const isFormBody = (headers: IncomingHttpHeaders) => (header(headers, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');

/** The service a SigV4 credential scope names, e.g. `Credential=KEY/20260101/us-east-1/sqs/aws4_request`. */
export function credentialScopeService(credential: string | undefined): string | undefined {
  return credential ? SCOPE.exec(`Credential=${credential.replace(/^Credential=/, '')}`)?.[1] : undefined;
}

export function routeByHeaders(method: string, url: string, headers: IncomingHttpHeaders): RouteByHeaders {
  const target = header(headers, 'x-amz-target');
  if (target) {
    const match = TARGET_PREFIXES.find(([prefix]) => target.startsWith(prefix));
    return match ? { service: match[1] } : { unknown: `X-Amz-Target ${target}` };
  }
  const authorization = header(headers, 'authorization');
  const presigned = new URL(url, 'http://edge').searchParams.get('X-Amz-Credential') ?? undefined;
  const signedService = credentialScopeService(authorization?.match(/Credential=[^,\s]+/)?.[0]) ?? credentialScopeService(presigned);
  if (signedService === 'sqs' && isFormBody(headers)) return { formAction: true, signedFor: 'sqs' };
  if (signedService) return isEdgeService(signedService) ? { service: signedService } : { unknown: `service ${signedService}` };
  const host = header(headers, 'host') ?? '';
  const prefixed = HOST_PREFIXES.find(([pattern]) => pattern.test(host));
  if (prefixed) return { service: prefixed[1] };
  const pathname = new URL(url, 'http://edge').pathname;
  if (method === 'POST' && isFormBody(headers) && pathname === '/') return { formAction: true };
  if (`${pathname}/`.startsWith(LOCAL_PAGES_PREFIX)) return { localPage: true };
  // Unsigned requests to paths are S3's (presigned URLs carry their scope in the query; public reads carry none).
  return { service: 's3' };
}

/** The service a query-protocol form body is for, by its Action. */
export function routeByAction(action: string | null, signedFor?: 'sqs'): 'sqs' | 'sns' | 'sts' | undefined {
  if (signedFor === 'sqs' || (action !== null && SQS_QUERY_ACTIONS.has(action))) return 'sqs';
  if (action !== null && STS_QUERY_ACTIONS.has(action)) return 'sts';
  return action === null ? undefined : 'sns';
}
