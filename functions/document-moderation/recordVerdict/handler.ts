// RecordVerdict state: the document's final verdict on its record, once. A verdict already final (a rerun, a
// late duplicate) is kept, and the answer names it.
import { PermanentDependencyError } from '../../shared/errors.js';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { readDocumentRef, type RecordVerdictInput, type RecordVerdictOutput } from '../shared/contract.js';
import { recordVerdict } from '../shared/document-store.js';
import { decideVerdict } from './verdict.js';

export const handler = lambdaHandler(async (input: RecordVerdictInput): Promise<RecordVerdictOutput> => {
  const document = readDocumentRef(input?.document, 'RecordVerdict');
  if (typeof input.executionArn !== 'string' || input.executionArn === '') {
    throw new PermanentDependencyError('RecordVerdict needs the executionArn');
  }
  logger.appendKeys({ documentId: document.documentId, executionArn: input.executionArn });
  const verdict = decideVerdict(input);
  const result = await recordVerdict({ ...verdict, document, executionArn: input.executionArn }, new Date());
  if (result.recorded) {
    logger.info('Verdict recorded', { status: result.status, reason: verdict.reason, error: verdict.error?.name });
  } else {
    logger.info('Verdict already final: kept', { status: result.status, thisRun: verdict.status });
  }
  return { documentId: document.documentId, status: result.status };
});
