// ExtractText state: reads the PDF version from S3 and writes its text, as UTF-8, beside it under derived/.
import type { Context } from 'aws-lambda';
import { lambdaHandler } from '../../shared/handler.js';
import { logger } from '../../shared/logger.js';
import { documentConfig } from '../shared/config.js';
import type { ExtractInput, ExtractTextOutput } from '../shared/contract.js';
import { DEADLINE_MARGIN_MS } from '../shared/pdf-limits.js';
import { derivedKeys, readDocument, writeObject } from '../shared/pdf-source.js';
import { extractText } from './text.js';

export const handler = lambdaHandler(async (event: ExtractInput, context: Context): Promise<ExtractTextOutput> => {
  const { document } = event;
  logger.appendKeys({ documentId: document.documentId });
  const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
  const limits = { maxDocumentBytes: documentConfig.maxDocumentBytes(), maxPages: documentConfig.maxPages() };
  const started = Date.now();
  const bytes = await readDocument(document, limits.maxDocumentBytes);
  const extracted = await extractText(bytes, limits, deadline);
  const body = Buffer.from(extracted.text, 'utf8');
  const textKey = derivedKeys(documentConfig.derivedPrefix(), document.documentId).text;
  await writeObject(documentConfig.bucket(), textKey, body, 'text/plain; charset=utf-8');
  const result: ExtractTextOutput = {
    pages: extracted.pages,
    textKey,
    characters: extracted.text.length,
    bytes: body.length,
    pagesWithoutText: extracted.pagesWithoutText,
  };
  logger.info('Text extracted', { ...result, milliseconds: Date.now() - started });
  return result;
});
