// Reading a request for an upload URL (POST /documents) into what to sign, with the status code for each
// way it can be wrong (400, 413, 415), in the same shape as the feedback intake's answers.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** A refused request, with its HTTP status; answered as `{ message, field? }` like the feedback intake's refusals. */
export class UploadRefusedError extends Error {
  override readonly name = 'UploadRefusedError';
  constructor(
    readonly statusCode: 400 | 413 | 415,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The only document type moderated. */
export const PDF_CONTENT_TYPE = 'application/pdf';
/** A request names a file and two numbers: anything longer is not one. */
export const MAX_REQUEST_BYTES = 4 * 1024;
export const MAX_FILE_NAME_CHARS = 255;
/** Characters of the file name's stem kept in the object key. */
const MAX_STEM_CHARS = 100;

export interface UploadRequest {
  fileName: string;
  size: number;
}

export interface UploadLimits {
  maxDocumentBytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function header(headers: APIGatewayProxyEventV2['headers'] | undefined, name: string): string | undefined {
  const key = headers ? Object.keys(headers).find((candidate) => candidate.toLowerCase() === name) : undefined;
  return key === undefined ? undefined : headers?.[key];
}

function bodyText(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): string {
  if (event.body === undefined || event.body === null || event.body === '') throw new UploadRefusedError(400, 'request body is required');
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > MAX_REQUEST_BYTES) throw new UploadRefusedError(413, `request body must be at most ${MAX_REQUEST_BYTES} bytes`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new UploadRefusedError(400, 'request body is not valid UTF-8');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const megabytes = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** Turns the request into what to sign, or throws UploadRefusedError with the answer to give. */
export function readUploadRequest(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>, limits: UploadLimits): UploadRequest {
  const requestType = header(event.headers, 'content-type');
  if (requestType && !/^application\/(.+\+)?json\b/i.test(requestType.trim())) {
    throw new UploadRefusedError(415, 'content-type must be application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText(event));
  } catch (error) {
    if (error instanceof UploadRefusedError) throw error;
    throw new UploadRefusedError(400, 'body is not valid JSON');
  }
  if (!isRecord(parsed)) throw new UploadRefusedError(400, 'body must be a JSON object: { "fileName", "contentType", "size" }');

  const { fileName, contentType, size } = parsed;
  if (typeof fileName !== 'string' || fileName.trim() === '') throw new UploadRefusedError(400, 'fileName is required', 'fileName');
  if (Array.from(fileName).length > MAX_FILE_NAME_CHARS || !fileName.isWellFormed()) {
    throw new UploadRefusedError(400, `fileName must be at most ${MAX_FILE_NAME_CHARS} characters of valid text`, 'fileName');
  }
  if (typeof contentType !== 'string' || contentType === '') throw new UploadRefusedError(400, 'contentType is required', 'contentType');
  if ((contentType.split(';')[0] ?? '').trim().toLowerCase() !== PDF_CONTENT_TYPE) {
    throw new UploadRefusedError(415, `contentType must be ${PDF_CONTENT_TYPE}: only PDF documents are accepted`, 'contentType');
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) {
    throw new UploadRefusedError(400, 'size must be the file size: a whole number of bytes, at least 1', 'size');
  }
  if (size > limits.maxDocumentBytes) {
    throw new UploadRefusedError(413, `size must be at most ${limits.maxDocumentBytes} bytes (${megabytes(limits.maxDocumentBytes)})`, 'size');
  }
  return { fileName, size };
}

/**
 * The file name as it goes into the object key: its last path part, in letters, digits, ".", "_" and "-"
 * only (accents dropped, anything else a "-"), at most 100 characters before ".pdf". A key then needs no
 * escaping anywhere (URLs, events, consoles) and cannot climb out of its folder.
 */
export function safeFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const stem = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\.pdf$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, MAX_STEM_CHARS)
    .replace(/[-.]+$/g, '');
  return `${stem || 'document'}.pdf`;
}
