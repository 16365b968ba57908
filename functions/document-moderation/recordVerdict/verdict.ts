// The document's final verdict from what the workflow gathered: the two branches' results (CLEAN or
// OFFENSIVE, or REJECTED when images could not be decoded and so were not checked), AcceptDocument's
// rejection, or a failure caught on the way (REJECTED when the document itself was refused, FAILED with the
// error otherwise).
import type { DocumentVerdict, FlaggedImage, RecordVerdictInput } from '../shared/contract.js';
import type { FinalVerdict } from '../shared/document-store.js';

/** Flagged images the record keeps (with their count): a DynamoDB item holds at most 400 KB. */
export const MAX_FLAGGED_IMAGES_RECORDED = 50;
/** Characters of a failure's cause, or a rejection's reason, that the record keeps. */
export const MAX_CAUSE_CHARS = 1_000;
export const MAX_REASON_CHARS = 500;

function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/**
 * The message inside a Catch's Cause. A Lambda error's Cause is JSON ({"errorType", "errorMessage",
 * "trace"}): its message is what a person needs, the trace is not. Other causes are kept as they are.
 */
export function causeMessage(cause: string | undefined): string | undefined {
  if (cause === undefined || cause === '') return undefined;
  try {
    const parsed = JSON.parse(cause) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string') {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // Not JSON: a Step Functions or service cause in plain words.
  }
  return cause;
}

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * Why a document none of whose checked content offends is still not passed: some of its images could not be
 * decoded, so nobody knows what they show. A CLEAN verdict must mean every image was checked (as with the
 * image limit, ExtractImages refuses rather than checks in part), and the uploader can fix it.
 */
export function uncheckedImagesReason(undecodable: number): string {
  const which = undecodable === 1 ? '1 image' : `${undecodable} images`;
  return (
    `Nothing readable in the PDF was found offensive, but ${which} in it could not be decoded (damaged, or in an ` +
    `encoding the checker cannot read), so ${undecodable === 1 ? 'it was' : 'they were'} not checked. A document ` +
    'passes only when every image was checked: export the PDF again (for example with "Print to PDF") and upload it again.'
  );
}

function fromResults(results: NonNullable<RecordVerdictInput['results']>): Omit<FinalVerdict, 'document' | 'executionArn'> {
  const [images, text] = results;
  const batches = Array.isArray(images?.batches) ? images.batches : [];
  const flagged: FlaggedImage[] = batches.flatMap((batch) => (Array.isArray(batch?.flagged) ? batch.flagged : []));
  const toxicity = text?.toxicity;
  const offensive = Boolean(images?.offensive) || batches.some((batch) => batch?.offensive) || Boolean(toxicity?.offensive);
  let textRecord: DocumentVerdict['text'];
  if (toxicity) {
    const { cursor: _cursor, done: _done, ...checked } = toxicity;
    textRecord = { ...checked, characters: count(text.extraction?.characters) ?? 0, pagesWithoutText: count(text.extraction?.pagesWithoutText) ?? 0 };
  }
  // The ASL's ResultSelector requires the count, so every execution that gets here carries it.
  const undecodable = count(images?.extraction?.undecodable) ?? 0;
  const imageCount = count(images?.extraction?.imageCount);
  // What offends is reported whatever else could not be read; otherwise unread images keep the document out.
  const judged: Pick<FinalVerdict, 'status' | 'reason'> = offensive
    ? { status: 'OFFENSIVE' }
    : undecodable > 0
      ? { status: 'REJECTED', reason: uncheckedImagesReason(undecodable) }
      : { status: 'CLEAN' };
  return {
    ...judged,
    pages: count(images?.extraction?.pages) ?? count(text?.extraction?.pages),
    imageCount,
    undecodableImages: count(images?.extraction?.undecodable),
    imagesModerated: batches.reduce((sum, batch) => sum + (count(batch?.moderated) ?? 0), 0),
    flaggedImages: flagged.slice(0, MAX_FLAGGED_IMAGES_RECORDED),
    flaggedImageCount: batches.reduce((sum, batch) => sum + (count(batch?.flaggedCount) ?? (Array.isArray(batch?.flagged) ? batch.flagged.length : 0)), 0),
    text: textRecord,
  };
}

export function decideVerdict(input: RecordVerdictInput): Omit<FinalVerdict, 'document' | 'executionArn'> {
  if (typeof input.rejection === 'string' && input.rejection !== '') {
    return { status: 'REJECTED', reason: truncate(input.rejection, MAX_REASON_CHARS) };
  }
  if (input.failure) {
    const name = typeof input.failure.Error === 'string' && input.failure.Error ? input.failure.Error : 'UnknownError';
    const message = causeMessage(typeof input.failure.Cause === 'string' ? input.failure.Cause : undefined);
    if (name === 'DocumentRejectedError') {
      return { status: 'REJECTED', reason: truncate(message ?? 'the document was refused', MAX_REASON_CHARS) };
    }
    return { status: 'FAILED', error: { name, ...(message ? { cause: truncate(message, MAX_CAUSE_CHARS) } : {}) } };
  }
  if (Array.isArray(input.results)) return fromResults(input.results);
  return {
    status: 'FAILED',
    error: { name: 'IncompleteWorkflowError', cause: 'RecordVerdict received no results, rejection or failure for this document' },
  };
}
