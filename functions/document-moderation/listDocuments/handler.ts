// GET /documents: the dashboard's Documents view reads recent verdicts here, newest first, a page at a time,
// from the documents table's recent index (one Query per page, whatever the table holds).
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BadRequestError } from '../../shared/query.js';
import { isTransientAwsError } from '../../shared/errors.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { listRecent } from '../shared/document-store.js';
import { parseDocumentListRequest, toDocumentListPage } from './list.js';

function answer(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: JSON.stringify(body),
  };
}

export const handler = lambdaHandler(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  try {
    const request = parseDocumentListRequest(event.queryStringParameters);
    const { verdicts, next } = await listRecent(request.limit, request.after);
    const page = toDocumentListPage(verdicts, next);
    logger.info('Documents listed', { limit: request.limit, paged: Boolean(request.after), items: page.items.length });
    return answer(200, page);
  } catch (error) {
    if (error instanceof BadRequestError) {
      logger.info('Request refused', { field: error.field, reason: error.message });
      return answer(400, { message: error.message, field: error.field });
    }
    logger.error('Could not read documents', { error: error as Error });
    // The store wraps AWS errors: a TransientDependencyError keeps the original as its cause.
    const transient = (error as Error)?.name === 'TransientDependencyError' || isTransientAwsError(error);
    return transient
      ? answer(503, { message: 'documents could not be read right now; please try again' })
      : answer(500, { message: 'documents could not be read' });
  }
});
