// GET /, GET /dashboard and GET /assets/{file}: the reader form, the triage dashboard and their scripts and styles.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaHandler } from '../shared/handler.js';
import { ASSET_PREFIX, serveWeb } from './site.js';

function requestPath(event: APIGatewayProxyEventV2): string {
  // The {file} path parameter is already decoded; the raw path is the fallback for events without it.
  const file = event.pathParameters?.file;
  if (file !== undefined) return `${ASSET_PREFIX}${file}`;
  return event.requestContext?.http?.path ?? event.rawPath ?? '/';
}

export const handler = lambdaHandler(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
    serveWeb({ path: requestPath(event), ifNoneMatch: event.headers?.['if-none-match'] }),
);
