// POST /feedback/{feedbackId}/triage (acknowledge, resolve, reopen, assign, note) and GET /feedback/{feedbackId}/history,
// behind the HTTP API's JWT authorizer: the member is the token's username, the change is conditional on a version.
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { TransientDependencyError } from '../../shared/errors.js';
import { FEEDBACK_ID_PATTERN } from '../../shared/feedback.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { traceHandler } from '../../shared/tracer.js';
import { TEAM_SCOPES } from '../../team/tokenScopes/scopes.js';
import { triageStore } from './store.js';
import { applyTriage, parseTriageRequest, TRIAGE_LIMITS, TriageConflictError, TriageRequestError, type TriageState } from './triage.js';

function answer(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: JSON.stringify(body),
  };
}

const conflict = (message: string, current: TriageState) => answer(409, { message, current });

function feedbackIdOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): string {
  const feedbackId = event.pathParameters?.feedbackId ?? '';
  if (!FEEDBACK_ID_PATTERN.test(feedbackId)) throw new TriageRequestError('feedbackId must be a feedback reference, a lower-case UUID', 'feedbackId');
  return feedbackId;
}

/** Who acts: the access token's username (Cognito's claim), else its subject. */
function memberOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): string | undefined {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const member = claims.username ?? claims['cognito:username'] ?? claims.sub;
  return member === undefined ? undefined : String(member);
}

function bodyOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): unknown {
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) throw new TriageRequestError('the body must be application/json', 'content-type');
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  if (Buffer.byteLength(raw) > TRIAGE_LIMITS.maxBodyBytes) throw new TriageRequestError(`the body must be at most ${TRIAGE_LIMITS.maxBodyBytes} bytes`, 'body');
  try {
    return JSON.parse(raw);
  } catch {
    throw new TriageRequestError('the body is not valid JSON', 'body');
  }
}

async function act(event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> {
  // The authorizer requires the triage scope on this route; checked again so a misconfigured route cannot act.
  const scopes = event.requestContext.authorizer?.jwt?.scopes ?? [];
  const member = memberOf(event);
  if (!scopes.includes(TEAM_SCOPES.triage) || !member) return answer(403, { message: 'Forbidden' });
  const feedbackId = feedbackIdOf(event);
  const request = parseTriageRequest(bodyOf(event));
  const current = await triageStore.read(feedbackId);
  if (!current) return answer(404, { message: `no feedback ${feedbackId}` });
  const { next, entry } = applyTriage(current, request, member, new Date());
  const write = await triageStore.write(next, request.expectedVersion, entry);
  if (!write.written) {
    if (!write.current) return answer(404, { message: `no feedback ${feedbackId}` });
    logger.info('Triage change lost to a concurrent one', { feedbackId, action: request.action, expectedVersion: request.expectedVersion, version: write.current.version });
    return conflict(`someone changed this item first: it is now at version ${write.current.version}`, write.current);
  }
  logger.info('Feedback triaged', { feedbackId, action: request.action, from: entry.from, to: entry.to, version: next.version });
  return answer(200, { item: next });
}

async function history(event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> {
  const feedbackId = feedbackIdOf(event);
  const current = await triageStore.read(feedbackId);
  return current ? answer(200, { item: current }) : answer(404, { message: `no feedback ${feedbackId}` });
}

export const handler = lambdaHandler(async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> => {
  try {
    return event.requestContext.http.method === 'POST' ? await act(event) : await history(event);
  } catch (error) {
    if (error instanceof TriageRequestError) return answer(error.field === 'content-type' ? 415 : 400, { message: error.message, field: error.field });
    if (error instanceof TriageConflictError) return conflict(error.message, error.current);
    logger.error('Triage failed', { error: error as Error });
    // The store names every table failure: transient ones (throttling, 5xx) are worth another try.
    return error instanceof TransientDependencyError
      ? answer(503, { message: 'the change could not be saved right now; please try again' })
      : answer(500, { message: 'the change could not be saved' });
  }
}).use(traceHandler());
