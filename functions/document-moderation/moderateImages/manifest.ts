// Reading one image manifest (written by ExtractImages) and the Map item that names it, with a clear error
// for anything that is not what the contract says: such input is a bug upstream, and retrying cannot help.
import { PermanentDependencyError } from '../../shared/errors.js';
import { readDocumentRef, type ImageRef, type ModerateImagesInput } from '../shared/contract.js';

/** Far more than a manifest of `imagesPerBatch` image references takes. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readModerateImagesInput(input: unknown, derivedPrefix: string): ModerateImagesInput {
  if (!isRecord(input)) throw new PermanentDependencyError('ModerateImages needs { document, manifestKey }');
  const document = readDocumentRef(input.document, 'ModerateImages');
  const { manifestKey } = input;
  if (typeof manifestKey !== 'string' || !manifestKey.startsWith(derivedPrefix)) {
    throw new PermanentDependencyError(`ModerateImages needs a manifestKey under ${derivedPrefix}`);
  }
  return { document, manifestKey };
}

/** The manifest's images; throws PermanentDependencyError when it is not a JSON array of ImageRef. */
export function parseManifest(text: string, manifestKey: string, derivedPrefix: string): ImageRef[] {
  const invalid = (why: string) => new PermanentDependencyError(`Image manifest ${manifestKey} is invalid: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  if (!Array.isArray(parsed)) throw invalid('not a JSON array');
  return parsed.map((entry, index) => {
    if (!isRecord(entry)) throw invalid(`entry ${index} is not an object`);
    const { imageKey, page, width, height, skipped } = entry;
    if (typeof imageKey !== 'string' || !imageKey.startsWith(derivedPrefix)) throw invalid(`entry ${index} has no imageKey under ${derivedPrefix}`);
    if (typeof page !== 'number' || !Number.isInteger(page) || page < 1) throw invalid(`entry ${index} has no page number`);
    if (typeof width !== 'number' || typeof height !== 'number') throw invalid(`entry ${index} has no width and height`);
    if (skipped !== undefined && typeof skipped !== 'string') throw invalid(`entry ${index} has a skipped reason that is not text`);
    return { imageKey, page, width, height, ...(skipped ? { skipped } : {}) };
  });
}
