// A fault injector in front of a local AWS service: forwards each request untouched, except that the
// requests it picks, at a chosen rate, get the service's own error answer instead, before anything reaches
// the service. So the SDK sees exactly what AWS sends when it throttles or fails, and no effect happens.
import { createServer, request as forward, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InjectedError {
  status: number;
  contentType: string;
  body: string;
}

export interface FaultRule {
  /** Probability in [0, 1] that a matching request fails. */
  rate: number;
  /** Which requests the rule applies to, by the operation they name. */
  operations?: string[];
  errors: InjectedError[];
}

export interface FaultProxy {
  url: string;
  setRules(rules: FaultRule[]): void;
  stats(): { requests: number; injected: number; byOperation: Record<string, number> };
  close(): Promise<void>;
}

/** The operation a request names: X-Amz-Target for the JSON protocols, Action= for the query protocol. */
export function operationOf(headers: IncomingMessage['headers'], body: Buffer): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const action = /(?:^|&)Action=([^&]+)/.exec(body.toString('latin1'));
  return action?.[1] ?? 'Unknown';
}

/** DynamoDB's JSON 1.0 errors. */
export const dynamoDbError = (name: 'ProvisionedThroughputExceededException' | 'InternalServerError' | 'ThrottlingException'): InjectedError => ({
  status: name === 'InternalServerError' ? 500 : 400,
  contentType: 'application/x-amz-json-1.0',
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${name}`, message: `${name} (injected fault)` }),
});

/** SNS's query-protocol (XML) errors. */
export const snsError = (code: 'Throttling' | 'InternalError' | 'KMSThrottling'): InjectedError => ({
  status: code === 'InternalError' ? 500 : 400,
  contentType: 'text/xml',
  body:
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${code === 'InternalError' ? 'Receiver' : 'Sender'}</Type>` +
    `<Code>${code}</Code><Message>${code} (injected fault)</Message></Error><RequestId>injected</RequestId></ErrorResponse>`,
});

export async function startFaultProxy(options: { target: string; rules?: FaultRule[]; random?: () => number }): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = options.random ?? Math.random;
  let rules = options.rules ?? [];
  const counters = { requests: 0, injected: 0, byOperation: {} as Record<string, number> };
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = operationOf(incoming.headers, body);
      counters.requests++;
      for (const rule of rules) {
        if (rule.operations && !rule.operations.includes(operation)) continue;
        if (random() >= rule.rate) continue;
        const error = rule.errors[Math.floor(random() * rule.errors.length)] as InjectedError;
        counters.injected++;
        counters.byOperation[operation] = (counters.byOperation[operation] ?? 0) + 1;
        outgoing.writeHead(error.status, { 'content-type': error.contentType, 'content-length': Buffer.byteLength(error.body) });
        outgoing.end(error.body);
        return;
      }
      const upstream = forward(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstream.on('error', () => {
        if (!outgoing.headersSent) outgoing.writeHead(502);
        outgoing.end();
      });
      upstream.end(body);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setRules: (next) => {
      rules = next;
    },
    stats: () => ({ ...counters, byOperation: { ...counters.byOperation } }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
