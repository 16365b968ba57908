// Engine limits that bound the memory and time one PDF may cost, whatever it claims about itself. The
// document-level limits (bytes, pages, images) come from config; these guard against decoding traps.
import { DocumentRejectedError } from '../../shared/errors.js';

/** Bytes one compressed stream may inflate to: a 40-megapixel RGBA image is 160 MB, nothing legitimate needs more. */
export const MAX_DECODED_BYTES_PER_STREAM = 200 * 1024 * 1024;

/** Bytes all compressed streams of one document may inflate to together: about 3 s of inflating, once. */
export const MAX_DECODED_BYTES_PER_DOCUMENT = 3 * 1024 * 1024 * 1024;

/** Pixels one image may have before decoding: 40 MP covers an A4 page scanned in colour at 600 dpi. */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** Time kept back from the function's remaining time for writing results and answering. */
export const DEADLINE_MARGIN_MS = 3_000;

const MEGABYTE = 1024 * 1024;

export function megabytes(bytes: number): string {
  return `${Math.round((bytes / MEGABYTE) * 10) / 10} MB`;
}

export function documentTooLarge(size: number, maxDocumentBytes: number): DocumentRejectedError {
  return new DocumentRejectedError(
    `The file is ${megabytes(size)}, over the ${megabytes(maxDocumentBytes)} limit for documents.`,
  );
}
