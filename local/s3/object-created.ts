// S3's EventBridge notifications for the local S3 endpoint (fauxqs serves S3 but sends no notifications): after a
// successful PutObject (presigned or not), CopyObject or CompleteMultipartUpload into a bucket with EventBridge
// notifications on, the "Object Created" event S3 would send is built and put on the local event bus. The hook
// runs inside the S3 server's own request pipeline, so the endpoint stays a plain S3 endpoint for any client.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { buildApp } from 'fauxqs';
import { newBusEvent, type BusEvent } from '../eventbridge/bus.js';

type S3App = ReturnType<typeof buildApp>;

export type ObjectCreatedReason = 'PutObject' | 'CopyObject' | 'CompleteMultipartUpload';

export interface ObjectCreatedOptions {
  region: string;
  accountId: string;
  /** Whether a bucket has EventBridge notifications on (its NotificationConfiguration). */
  notifies: (bucket: string) => boolean;
  /** Puts the event on the bus; a rejection is reported through onError, never to the S3 client. */
  publish: (event: BusEvent) => Promise<unknown>;
  onError?: (error: Error, event?: BusEvent) => void;
  /** Events kept for events() (oldest dropped first). */
  keep?: number;
}

export interface ObjectCreatedNotifications {
  /** The events emitted so far, oldest first. */
  events(): readonly BusEvent[];
  /** Resolves when every emitted event has been published. */
  idle(): Promise<void>;
  stats(): { emitted: number; failed: number };
}

interface Written {
  bucket: string;
  key: string;
  reason: ObjectCreatedReason;
  etag?: string;
  /** Known from the request for PutObject; read back from the stored object otherwise. */
  size?: number;
  requestId: string;
  sourceIp: string;
}

interface HookRequest {
  method: string;
  params: unknown;
  query: unknown;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  ip: string;
  routeOptions: { url?: string };
}
interface HookReply {
  statusCode: number;
  getHeader(name: string): unknown;
}

const OBJECT_ROUTE = '/:bucket/*';

function header(request: HookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Which object-creating operation a request to the S3 endpoint is, if any. */
function operationOf(request: HookRequest): ObjectCreatedReason | undefined {
  if (request.routeOptions.url !== OBJECT_ROUTE) return undefined;
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (request.method === 'PUT') {
    if (query.uploadId !== undefined || query.partNumber !== undefined) return undefined;
    return header(request, 'x-amz-copy-source') ? 'CopyObject' : 'PutObject';
  }
  if (request.method === 'POST' && typeof query.uploadId === 'string' && !('uploads' in query)) return 'CompleteMultipartUpload';
  return undefined;
}

const unquote = (etag: string) => etag.replace(/^"|"$/g, '');

function etagFromXml(payload: unknown): string | undefined {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
  const found = /<ETag>([\s\S]*?)<\/ETag>/.exec(text)?.[1];
  return found?.replaceAll('&quot;', '"').replaceAll('&amp;', '&');
}

/** A PutObject's size as stored: aws-chunked bodies carry their decoded length in a header. */
function putObjectSize(request: HookRequest): number | undefined {
  if (header(request, 'content-encoding')?.includes('aws-chunked')) {
    const decoded = Number(header(request, 'x-amz-decoded-content-length'));
    return Number.isInteger(decoded) ? decoded : undefined;
  }
  return Buffer.isBuffer(request.body) ? request.body.length : typeof request.body === 'string' ? Buffer.byteLength(request.body) : 0;
}

const objectPath = (bucket: string, key: string) => `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** Installs the notifications on the S3 app; call before it listens. */
export function emitObjectCreatedEvents(app: S3App, options: ObjectCreatedOptions): ObjectCreatedNotifications {
  const written = new WeakMap<object, Written>();
  const emitted: BusEvent[] = [];
  const inFlight = new Set<Promise<void>>();
  let count = 0;
  let failed = 0;
  let sequence = 0n;
  const report = options.onError ?? ((error: Error) => console.error(`[local S3 notifications] ${error.message}`));

  // S3's sequencer orders events for the same key: a hex string that grows with each write.
  const nextSequencer = () => ((BigInt(Date.now()) << 20n) | (sequence++ & 0xfffffn)).toString(16).toUpperCase().padStart(18, '0');

  // The object's size and ETag as stored, when the request did not carry them (CopyObject, CompleteMultipartUpload):
  // a HEAD to the server itself, since fauxqs keeps its store private.
  function stored(bucket: string, key: string): Promise<{ size?: number; etag?: string }> {
    const { port } = app.server.address() as AddressInfo;
    return new Promise((resolve) => {
      const head = request({ host: '127.0.0.1', port, method: 'HEAD', path: objectPath(bucket, key) }, (answer) => {
        answer.resume();
        resolve(answer.statusCode === 200 ? { size: Number(answer.headers['content-length']), etag: String(answer.headers.etag ?? '') } : {});
      });
      head.on('error', () => resolve({}));
      head.end();
    });
  }

  async function emit(write: Written): Promise<void> {
    let { size } = write;
    if (size === undefined) {
      const current = await stored(write.bucket, write.key);
      // Another write may have replaced the object in between; its own event carries its own size.
      if (current.etag && write.etag && unquote(current.etag) === unquote(write.etag)) size = current.size;
      else report(new Error(`s3://${write.bucket}/${write.key} was replaced before its size could be read; its event has no size`));
    }
    const event = newBusEvent({
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: options.accountId,
      region: options.region,
      resources: [`arn:aws:s3:::${write.bucket}`],
      detail: {
        version: '0',
        bucket: { name: write.bucket },
        object: {
          key: write.key,
          ...(size !== undefined ? { size } : {}),
          ...(write.etag ? { etag: unquote(write.etag) } : {}),
          sequencer: nextSequencer(),
        },
        'request-id': write.requestId,
        requester: options.accountId,
        'source-ip-address': write.sourceIp,
        reason: write.reason,
      },
    });
    count++;
    emitted.push(event);
    if (emitted.length > (options.keep ?? 10_000)) emitted.shift();
    try {
      await options.publish(event);
    } catch (error) {
      failed++;
      report(error as Error, event);
    }
  }

  app.addHook('onSend', (request, reply, payload, done) => {
    const hookRequest = request as unknown as HookRequest;
    const reason = reply.statusCode === 200 ? operationOf(hookRequest) : undefined;
    const params = hookRequest.params as { bucket?: string; '*'?: string };
    if (reason && params.bucket && params['*'] && options.notifies(params.bucket)) {
      written.set(request, {
        bucket: params.bucket,
        key: params['*'],
        reason,
        etag: reason === 'PutObject' ? String((reply as unknown as HookReply).getHeader('etag') ?? '') : etagFromXml(payload),
        size: reason === 'PutObject' ? putObjectSize(hookRequest) : undefined,
        requestId: String((reply as unknown as HookReply).getHeader('x-amz-request-id') ?? ''),
        sourceIp: hookRequest.ip,
      });
    }
    done();
  });

  // S3 sends the event once the write has succeeded, without holding up the answer to the client.
  app.addHook('onResponse', (request, reply, done) => {
    const write = written.get(request);
    if (write && reply.statusCode === 200) {
      const work = emit(write).finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
    done();
  });

  return {
    events: () => emitted,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    stats: () => ({ emitted: count, failed }),
  };
}
