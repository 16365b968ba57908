// SQS's query protocol (form-encoded `Action=…&Version=2012-11-05`, XML answers), which older clients such as
// the AWS CLI 2.9 that Debian packages still speak, translated to and from the JSON protocol the local SQS
// (fauxqs) serves. Requests become the JSON operation's input; answers and errors become AWS's XML.
import type { IncomingHttpHeaders } from 'node:http';

export const SQS_XML_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** The JSON input of an SQS operation and what the JSON endpoint answered. */
export interface JsonAnswer {
  statusCode: number;
  /** The x-amzn-query-error header, `Code;Sender|Receiver`, when the answer is an error. */
  queryError?: string;
  body: string;
}

export interface QueryAnswer {
  statusCode: number;
  contentType: 'text/xml';
  body: string;
}

/** Input fields the JSON protocol types as integers. */
const INTEGER_FIELDS = new Set(['DelaySeconds', 'MaxNumberOfMessages', 'VisibilityTimeout', 'WaitTimeSeconds', 'MaxResults']);

/** `Name.N` lists of the query protocol and their JSON member. */
const STRING_LISTS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
};

/** `Name.N.Field…` lists of structures and their JSON member. */
const ENTRY_LISTS: Record<string, string> = {
  SendMessageBatchRequestEntry: 'Entries',
  DeleteMessageBatchRequestEntry: 'Entries',
  ChangeMessageVisibilityBatchRequestEntry: 'Entries',
};

/** `Name.N.{key}` / `Name.N.{value}` pairs that make a JSON map, with the query protocol's key and value field names. */
const MAPS: Record<string, { member: string; key: string; value: string }> = {
  Attribute: { member: 'Attributes', key: 'Name', value: 'Value' },
  MessageAttribute: { member: 'MessageAttributes', key: 'Name', value: 'Value' },
  MessageSystemAttribute: { member: 'MessageSystemAttributes', key: 'Name', value: 'Value' },
  Tag: { member: 'Tags', key: 'Key', value: 'Value' },
};

/** JSON error names whose query-protocol code differs (the SQS model's awsQueryError traits). */
const QUERY_ERROR_CODES: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
  QueueDeletedRecently: 'AWS.SimpleQueueService.QueueDeletedRecently',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};

/** A request the translation itself refuses, answered as SQS would. */
export class QueryProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function integerField(name: string, value: string): number {
  if (!/^-?\d{1,10}$/.test(value.trim())) {
    throw new QueryProtocolError('InvalidParameterValue', `Value ${value} for parameter ${name} is invalid. Reason: must be an integer.`);
  }
  return Number(value);
}

/** Groups `Prefix.N.rest` keys by N, in numeric order (the query protocol numbers members from 1). */
function numbered(params: Map<string, string>, prefix: string): Array<Map<string, string>> {
  const groups = new Map<number, Map<string, string>>();
  for (const [key, value] of params) {
    const match = /^(\d+)(?:\.(.+))?$/.exec(key.slice(prefix.length + 1));
    if (!key.startsWith(`${prefix}.`) || !match) continue;
    const index = Number(match[1]);
    let group = groups.get(index);
    if (!group) groups.set(index, (group = new Map()));
    group.set(match[2] ?? '', value);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

/** A nested value such as a MessageAttributeValue: `DataType`, `StringValue`, `BinaryValue`, lists as `StringListValue.N`. */
function structure(fields: Map<string, string>): Record<string, Json> {
  const out = dictionary();
  for (const [key, value] of fields) {
    const list = /^(\w+)\.\d+$/.exec(key);
    if (list) {
      const member = `${list[1]}s`;
      ((out[member] ??= []) as Json[]).push(value);
    } else out[key] = value;
  }
  return out;
}

/** A table's entry for a client-chosen name, never one inherited from Object.prototype (`constructor`, `__proto__`). */
const own = <T>(table: Record<string, T>, name: string): T | undefined => (Object.hasOwn(table, name) ? table[name] : undefined);

/** Objects keyed by client-chosen names: no prototype a name such as `__proto__` could reach. */
const dictionary = (): Record<string, Json> => Object.create(null) as Record<string, Json>;

/** The JSON input of a query-protocol request's parameters (without Action and Version). */
export function jsonInput(params: Map<string, string>): Record<string, Json> {
  const input = dictionary();
  const prefixes = new Set([...params.keys()].map((key) => key.split('.')[0] as string));
  for (const prefix of prefixes) {
    const scalar = params.get(prefix);
    const list = own(STRING_LISTS, prefix);
    const entries = own(ENTRY_LISTS, prefix);
    const mapShape = own(MAPS, prefix);
    if (list) {
      input[list] = numbered(params, prefix).map((group) => group.get('') ?? '');
    } else if (entries) {
      input[entries] = numbered(params, prefix).map((group) => jsonInput(group));
    } else if (mapShape) {
      const { member, key, value } = mapShape;
      const map = dictionary();
      for (const group of numbered(params, prefix)) {
        const name = group.get(key);
        if (name === undefined) throw new QueryProtocolError('MissingParameter', `${prefix}.N.${key} is required for every ${prefix}.N`);
        const nested = new Map([...group].filter(([field]) => field.startsWith(`${value}.`)).map(([field, v]) => [field.slice(value.length + 1), v]));
        map[name] = nested.size > 0 ? structure(nested) : (group.get(value) ?? '');
      }
      input[member] = map;
    } else if (scalar !== undefined) {
      input[prefix] = INTEGER_FIELDS.has(prefix) ? integerField(prefix, scalar) : scalar;
    }
  }
  return input;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\r]/g, '&#13;');
}

const element = (name: string, inner: string) => `<${name}>${inner}</${name}>`;

/** XML of one JSON value, as the query protocol lays it out: lists and maps flattened, maps as Name/Value or Key/Value pairs. */
function toXml(name: string, value: Json, action: string): string {
  if (value === null) return '';
  if (Array.isArray(value)) {
    const item = own(LIST_ITEMS, name)?.(action) ?? name;
    return value.map((entry) => toXml(item, entry, action)).join('');
  }
  if (typeof value === 'object') {
    const map = own(MAP_ITEMS, name);
    if (map) {
      return Object.entries(value)
        .map(([key, entry]) => element(map.item, element(map.key, escapeXml(key)) + (entry === null || typeof entry !== 'object' ? element('Value', escapeXml(String(entry))) : toXml('Value', entry, action))))
        .join('');
    }
    return element(name, Object.entries(value).map(([key, entry]) => toXml(key, entry, action)).join(''));
  }
  return element(name, escapeXml(String(value)));
}

const LIST_ITEMS: Record<string, (action: string) => string> = {
  QueueUrls: () => 'QueueUrl',
  Messages: () => 'Message',
  Successful: (action) => `${action}ResultEntry`,
  Failed: () => 'BatchResultErrorEntry',
  StringListValues: () => 'StringListValue',
  BinaryListValues: () => 'BinaryListValue',
};
const MAP_ITEMS: Record<string, { item: string; key: string }> = {
  Attributes: { item: 'Attribute', key: 'Name' },
  MessageAttributes: { item: 'MessageAttribute', key: 'Name' },
  Tags: { item: 'Tag', key: 'Key' },
};

/** Actions whose answer is ResponseMetadata alone. */
const NO_RESULT_ACTIONS = new Set([
  'AddPermission', 'ChangeMessageVisibility', 'DeleteMessage', 'DeleteQueue', 'PurgeQueue', 'RemovePermission', 'SetQueueAttributes', 'TagQueue', 'UntagQueue',
]);

/** The query protocol's success answer for an action and the JSON operation's output. */
export function xmlResponse(action: string, output: Record<string, Json>, requestId: string): string {
  const result = Object.entries(output)
    .map(([key, value]) => toXml(key, value, action))
    .join('');
  return (
    `<?xml version="1.0"?><${action}Response xmlns="${SQS_XML_NAMESPACE}">` +
    (NO_RESULT_ACTIONS.has(action) ? '' : element(`${action}Result`, result)) +
    element('ResponseMetadata', element('RequestId', requestId)) +
    `</${action}Response>`
  );
}

export function xmlError(code: string, message: string, sender: boolean, requestId: string): string {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${SQS_XML_NAMESPACE}">` +
    element('Error', element('Type', sender ? 'Sender' : 'Receiver') + element('Code', escapeXml(code)) + element('Message', escapeXml(message)) + '<Detail/>') +
    element('RequestId', requestId) +
    '</ErrorResponse>'
  );
}

/** The query-protocol error for a JSON error answer: the query code from x-amzn-query-error or the model's table. */
function queryErrorOf(answer: JsonAnswer): { code: string; message: string; sender: boolean } {
  let parsed: { __type?: string; message?: string; Message?: string } = {};
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    // an answer that is not JSON is the endpoint's own failure: report it as such below
  }
  const jsonCode = (parsed.__type ?? '').split('#').pop() || (answer.statusCode >= 500 ? 'InternalError' : 'InvalidRequest');
  const [headerCode, fault] = (answer.queryError ?? '').split(';');
  // fauxqs prefixes every code with AWS.SimpleQueueService.; AWS does so only for some (the model's table).
  const code = QUERY_ERROR_CODES[jsonCode] ?? (headerCode && !headerCode.startsWith('AWS.SimpleQueueService.') ? headerCode : jsonCode);
  return { code, message: parsed.message ?? parsed.Message ?? answer.body, sender: fault ? fault === 'Sender' : answer.statusCode < 500 };
}

export interface SqsQueryTranslator {
  /** Answers one query-protocol request, given its decoded form parameters. */
  handle(form: URLSearchParams, requestId: string, headers: IncomingHttpHeaders): Promise<QueryAnswer>;
}

/**
 * `callJson(operation, input, headers)` sends the operation to the JSON endpoint, e.g. through fastify's
 * in-process inject; `headers` are the client's, whose Host and credential scope name the queue URL's host and region.
 */
export function sqsQueryTranslator(
  callJson: (operation: string, input: Record<string, Json>, headers: IncomingHttpHeaders) => Promise<JsonAnswer>,
): SqsQueryTranslator {
  return {
    async handle(form, requestId, headers) {
      const xml = (statusCode: number, body: string): QueryAnswer => ({ statusCode, contentType: 'text/xml', body });
      const action = form.get('Action');
      try {
        if (!action) throw new QueryProtocolError('MissingAction', 'The request must name an Action.');
        if (!/^[A-Za-z]+$/.test(action)) throw new QueryProtocolError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
        const params = new Map([...form].filter(([key]) => key !== 'Action' && key !== 'Version'));
        const input = jsonInput(params);
        // CreateQueue alone spells its tags in lower case in the JSON protocol.
        if (action === 'CreateQueue' && input.Tags !== undefined) {
          input.tags = input.Tags;
          delete input.Tags;
        }
        const answer = await callJson(action, input, headers);
        if (answer.statusCode >= 300) {
          const error = queryErrorOf(answer);
          return xml(answer.statusCode, xmlError(error.code, error.message, error.sender, requestId));
        }
        const output = answer.body.trim() === '' ? {} : (JSON.parse(answer.body) as Record<string, Json>);
        return xml(200, xmlResponse(action, output, requestId));
      } catch (error) {
        if (error instanceof QueryProtocolError) return xml(error.statusCode, xmlError(error.code, error.message, true, requestId));
        return xml(500, xmlError('InternalError', (error as Error).message, false, requestId));
      }
    },
  };
}
