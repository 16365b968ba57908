// GET /documents: one page of document verdicts, newest first, for the dashboard's Documents view, and the
// page's opaque cursor.
//
// The cursor is base64url of a JSON object with exactly the recent index's position (documentId,
// receivedAt). Like the feedback list's it is not signed: it names a place in a list the caller may read from
// the start anyway. The strict check buys a clean 400 instead of a DynamoDB ValidationException and a 500.
import { decodeCursorFields, encodeCursor as encodeOpaqueCursor, invalidCursor, isIsoTimestamp, parameter, wholeNumberParameter, type QueryParameters } from '../../shared/query.js';
import { DOCUMENT_ID_PATTERN, type DocumentVerdict, type ToxicityLabel } from '../shared/contract.js';
import type { RecentPosition } from '../shared/document-store.js';

export const DOCUMENT_LIST_LIMITS = { defaultLimit: 20, maxLimit: 100 } as const;
/** Flagged images a list item shows; the item says how many there were. */
export const FLAGGED_IMAGES_PER_ITEM = 10;
/** Characters of a failure's cause the list shows: enough to tell failures apart. */
const CAUSE_CHARS = 200;

export interface DocumentListRequest {
  limit: number;
  after?: RecentPosition;
}

export interface DocumentListItem {
  documentId: string;
  key: string;
  fileName: string;
  status: string;
  reason?: string;
  error?: { name: string; cause?: string };
  receivedAt: string;
  decidedAt?: string;
  size?: number;
  pages?: number;
  imageCount?: number;
  imagesModerated?: number;
  flaggedImageCount: number;
  flaggedImages: { page: number; labels: string[] }[];
  text?: {
    language?: string;
    languageSupported?: boolean;
    toxicity: number;
    labels: ToxicityLabel[];
    offensive: boolean;
    truncated: boolean;
    segmentsChecked: number;
    characters: number;
    pagesWithoutText: number;
  };
  alerts: { images?: string; text?: string };
  /** The Step Functions execution that decided the verdict. */
  executionArn?: string;
}

export interface DocumentListPage {
  items: DocumentListItem[];
  /** Present when more items may follow: pass it back as `cursor`. */
  nextCursor?: string;
}

const CURSOR_KEYS = ['documentId', 'receivedAt'] as const;

export function encodeCursor(position: RecentPosition): string {
  return encodeOpaqueCursor(CURSOR_KEYS, { ...position });
}

/** The position a cursor names; BadRequestError (field `cursor`) for anything encodeCursor would not make. */
export function decodeCursor(cursor: string): RecentPosition {
  const { documentId, receivedAt } = decodeCursorFields(cursor, CURSOR_KEYS) as Record<string, string>;
  if (!DOCUMENT_ID_PATTERN.test(documentId as string)) throw invalidCursor('bad documentId');
  if (!isIsoTimestamp(receivedAt as string)) throw invalidCursor('bad receivedAt');
  return { documentId: documentId as string, receivedAt: receivedAt as string };
}

/** Reads `limit` (1..100, default 20; over 100 is a 400) and `cursor`. */
export function parseDocumentListRequest(query: QueryParameters): DocumentListRequest {
  const limit = wholeNumberParameter(query, 'limit', { min: 1, max: DOCUMENT_LIST_LIMITS.maxLimit, fallback: DOCUMENT_LIST_LIMITS.defaultLimit });
  const cursor = parameter(query, 'cursor');
  return cursor === undefined ? { limit } : { limit, after: decodeCursor(cursor) };
}

const fileNameOf = (key: string) => key.slice(key.lastIndexOf('/') + 1) || key;

/** What the dashboard shows of a verdict record: no claim tokens, no text excerpts, a bounded image list. */
export function toDocumentListItem(record: DocumentVerdict): DocumentListItem {
  const flagged = Array.isArray(record.flaggedImages) ? record.flaggedImages : [];
  const item: DocumentListItem = {
    documentId: record.documentId,
    key: record.key,
    fileName: fileNameOf(record.key ?? ''),
    status: record.status,
    receivedAt: record.receivedAt,
    flaggedImageCount: record.flaggedImageCount ?? flagged.length,
    flaggedImages: flagged.slice(0, FLAGGED_IMAGES_PER_ITEM).map((image) => ({ page: image.page, labels: image.labels.map((label) => label.name) })),
    alerts: {
      ...(record.imageAlertStatus ? { images: record.imageAlertStatus } : {}),
      ...(record.textAlertStatus ? { text: record.textAlertStatus } : {}),
    },
  };
  if (record.reason) item.reason = record.reason;
  if (record.executionArn) item.executionArn = record.executionArn;
  if (record.error) {
    item.error = { name: record.error.name, ...(record.error.cause ? { cause: record.error.cause.slice(0, CAUSE_CHARS) } : {}) };
  }
  for (const field of ['decidedAt', 'size', 'pages', 'imageCount', 'imagesModerated'] as const) {
    if (record[field] !== undefined) (item as unknown as Record<string, unknown>)[field] = record[field];
  }
  if (record.text) {
    const { language, languageSupported, toxicity, labels, offensive, truncated, segmentsChecked, characters, pagesWithoutText } = record.text;
    item.text = { toxicity, labels, offensive, truncated, segmentsChecked, characters, pagesWithoutText };
    if (language !== undefined) item.text.language = language;
    if (languageSupported !== undefined) item.text.languageSupported = languageSupported;
  }
  return item;
}

export function toDocumentListPage(verdicts: readonly DocumentVerdict[], next?: RecentPosition): DocumentListPage {
  const items = verdicts.map(toDocumentListItem);
  return next ? { items, nextCursor: encodeCursor(next) } : { items };
}
