// A local HTTP API: routes each request to the function whose `httpApi` event in serverless.yml matches,
// with the API Gateway v2 (payload 2.0) event and response mapping. Listens on 127.0.0.1 only.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ServiceDefinition } from './service-definition.js';

/** API Gateway's own payload limit; functions enforce their tighter ones. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

interface Route {
  method: string;
  functionName: string;
  routeKey: string;
  pattern: RegExp;
  parameterNames: string[];
  /** The route's JWT authorizer (provider.httpApi.authorizers) and the scopes it requires, as the event names them. */
  authorizer?: { name: string; scopes: string[] };
}

/** API Gateway's answer to a request for a route with an authorizer: the context the function gets, or the refusal. */
export type RouteAuthorization =
  | { allowed: true; context: unknown }
  | { allowed: false; statusCode: number; headers: Record<string, string>; body: string };

/** Applies the named authorizer to a request (local/auth), as API Gateway does before invoking the function. */
export type RouteAuthorizer = (request: { authorizerName: string; scopes: string[]; authorization?: string }) => Promise<RouteAuthorization>;

type HttpApiEvent = { method: string; path: string; authorizer?: string | { name: string; scopes?: string[] } };

export function routesOf(service: ServiceDefinition): Route[] {
  const routes: Route[] = [];
  const raw = service.raw.functions as Record<string, { events?: Array<{ httpApi?: HttpApiEvent }> }>;
  for (const [functionName, fn] of Object.entries(raw)) {
    for (const event of fn.events ?? []) {
      if (!event.httpApi) continue;
      const { method, path, authorizer } = event.httpApi;
      const parameterNames: string[] = [];
      const pattern = path
        .split('/')
        .map((segment) => {
          const parameter = /^\{(\w+)(\+)?\}$/.exec(segment);
          if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          parameterNames.push(parameter[1] as string);
          return parameter[2] ? '(.+)' : '([^/]+)';
        })
        .join('/');
      routes.push({
        method: method.toUpperCase(),
        functionName,
        routeKey: `${method.toUpperCase()} ${path}`,
        pattern: new RegExp(`^${pattern}$`),
        parameterNames,
        ...(authorizer ? { authorizer: typeof authorizer === 'string' ? { name: authorizer, scopes: [] } : { name: authorizer.name, scopes: authorizer.scopes ?? [] } } : {}),
      });
    }
  }
  // Literal routes win over parameterised ones, as in API Gateway.
  return routes.sort((a, b) => a.parameterNames.length - b.parameterNames.length);
}

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) {
        resolve('too-large');
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toEvent(request: IncomingMessage, url: URL, body: Buffer, route: Route, match: RegExpExecArray): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  let text: string | undefined;
  let isBase64Encoded = false;
  if (body.length > 0) {
    try {
      text = utf8.decode(body);
    } catch {
      // Bodies that are not text reach the function base64-encoded, as API Gateway sends them.
      text = body.toString('base64');
      isBase64Encoded = true;
    }
  }
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: request.headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: route.parameterNames.length
      ? Object.fromEntries(route.parameterNames.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]))
      : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: text,
    isBase64Encoded,
  };
}

function send(response: ServerResponse, result: unknown): void {
  // Payload 2.0: a bare value (not an object with statusCode) is a 200 JSON answer.
  const structured: APIGatewayProxyStructuredResultV2 =
    result && typeof result === 'object' && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
  const body = structured.body === undefined ? '' : structured.isBase64Encoded ? Buffer.from(structured.body, 'base64') : structured.body;
  const headers: Record<string, string | string[]> = { ...(structured.headers as Record<string, string>) };
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  response.writeHead(structured.statusCode ?? 200, headers);
  response.end(body);
}

function sendJson(response: ServerResponse, statusCode: number, message: string): void {
  response.writeHead(statusCode, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ message }));
}

export interface HttpApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpApi(options: {
  service: ServiceDefinition;
  invoke: (functionName: string, event: APIGatewayProxyEventV2) => Promise<unknown>;
  port?: number;
  onError?: (error: Error) => void;
  /** Required when a route names an authorizer: no route is served unprotected by mistake. */
  authorize?: RouteAuthorizer;
}): Promise<HttpApiServer> {
  const routes = routesOf(options.service);
  const guarded = routes.find((route) => route.authorizer);
  if (guarded && !options.authorize) throw new Error(`${guarded.routeKey} names the authorizer ${guarded.authorizer?.name}, and the local HTTP API was given none`);
  const server: Server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const candidates = routes.filter((route) => route.pattern.test(url.pathname));
      const route = candidates.find((candidate) => candidate.method === request.method || candidate.method === '*');
      if (!route) {
        sendJson(response, candidates.length ? 405 : 404, candidates.length ? 'Method Not Allowed' : 'Not Found');
        return;
      }
      const body = await readBody(request);
      if (body === 'too-large') {
        sendJson(response, 413, 'Request Entity Too Large');
        return;
      }
      const match = route.pattern.exec(url.pathname) as RegExpExecArray;
      const event = toEvent(request, url, body, route, match);
      if (route.authorizer && options.authorize) {
        const authorization = await options.authorize({ authorizerName: route.authorizer.name, scopes: route.authorizer.scopes, authorization: event.headers.authorization });
        if (!authorization.allowed) {
          send(response, authorization);
          return;
        }
        (event.requestContext as { authorizer?: unknown }).authorizer = { jwt: authorization.context };
      }
      send(response, await options.invoke(route.functionName, event));
    } catch (error) {
      options.onError?.(error as Error);
      if (!response.headersSent) sendJson(response, 500, 'Internal Server Error');
      else response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
