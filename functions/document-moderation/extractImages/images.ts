// Every image a PDF paints (XObjects, inline images, stencil masks, in any encoding pdfjs decodes), page by
// page, each distinct image once, written as PNG and listed in manifests of at most `imagesPerBatch` entries.
import { OPS, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DocumentRejectedError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import type { ExtractImagesOutput, ImageRef } from '../shared/contract.js';
import { encodeForModeration, fingerprint, toPixels, type DecodedImage } from '../shared/image-encoding.js';
import { unfitForModeration } from '../shared/image-limits.js';
import { MAX_IMAGE_PIXELS } from '../shared/pdf-limits.js';
import { forEachPage, withPdf, type DocumentLimits } from '../shared/pdf.js';

export interface ImageLimits extends DocumentLimits {
  maxImages: number;
  imagesPerBatch: number;
}

/** Where extracted images and manifests go: S3 in the function, memory in tests. */
export interface ImageSink {
  putImage(key: string, png: Buffer): Promise<void>;
  putManifest(key: string, images: ImageRef[]): Promise<void>;
}

export interface ImageKeys {
  image: (page: number, n: number, extension: 'png') => string;
  manifest: (n: number) => string;
}

/** Image writes in flight at once: S3 latency overlaps with decoding, and at most this many PNGs wait in memory. */
const WRITES_IN_FLIGHT = 8;

/** A bounded window of writes; the first failure is kept and thrown to the caller, never left unhandled. */
class WriteWindow {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  async add(write: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    const settled: Promise<void> = write()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.pending.delete(settled));
    this.pending.add(settled);
    if (this.pending.size >= WRITES_IN_FLIGHT) await Promise.race(this.pending);
    this.throwIfFailed();
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

/** pdfjs image objects also carry the PDF object they came from ("12R"), when they have one. */
type PaintedImage = DecodedImage & { ref?: string | null };

interface PageImages {
  images: PaintedImage[];
  /** Images the engine could not decode (unsupported or corrupt data). */
  undecodable: number;
}

function isDecoded(value: unknown): value is PaintedImage {
  const image = value as PaintedImage | null;
  return (
    !!image &&
    Number.isInteger(image.width) &&
    Number.isInteger(image.height) &&
    image.width > 0 &&
    image.height > 0 &&
    // Not instanceof: the decoded arrays may come from another realm (the engine clones messages).
    ArrayBuffer.isView(image.data)
  );
}

/** Decoded XObjects are delivered apart from the operator list, to the page's store or the document's. */
function resolveObject(page: PDFPageProxy, objectId: string): Promise<unknown> {
  const store = objectId.startsWith('g_') ? page.commonObjs : page.objs;
  return new Promise((resolve) => store.get(objectId, resolve));
}

/** Stencil masks travel with their size, and their bits either inline or as a page object id. */
async function resolveMask(page: PDFPageProxy, mask: unknown): Promise<unknown> {
  const { data } = (mask ?? {}) as { data?: unknown };
  return typeof data === 'string' ? resolveObject(page, data) : mask;
}

export async function paintedImages(page: PDFPageProxy): Promise<PageImages> {
  const operators = await page.getOperatorList();
  const found: PageImages = { images: [], undecodable: 0 };
  const take = (candidate: unknown) => {
    if (isDecoded(candidate)) found.images.push(candidate);
    else found.undecodable += 1;
  };
  for (let i = 0; i < operators.fnArray.length; i += 1) {
    const args = operators.argsArray[i] as unknown[];
    switch (operators.fnArray[i]) {
      case OPS.paintImageXObject:
      case OPS.paintImageXObjectRepeat:
        take(await resolveObject(page, args[0] as string));
        break;
      case OPS.paintInlineImageXObject:
      case OPS.paintInlineImageXObjectGroup:
        take(args[0]);
        break;
      case OPS.paintImageMaskXObject:
      case OPS.paintImageMaskXObjectRepeat:
        take(await resolveMask(page, args[0]));
        break;
      case OPS.paintImageMaskXObjectGroup:
        for (const mask of args[0] as unknown[]) take(await resolveMask(page, mask));
        break;
      default:
    }
  }
  return found;
}

export async function extractImages(
  bytes: Uint8Array,
  limits: ImageLimits,
  keys: ImageKeys,
  sink: ImageSink,
  deadline: number,
): Promise<ExtractImagesOutput & { undecodable: number }> {
  return withPdf(bytes, limits, deadline, async (opened) => {
    const oversized = opened.scan.oversizedImages[0];
    if (oversized) {
      throw new DocumentRejectedError(
        `The PDF holds ${opened.scan.oversizedImages.length} image(s) too large to decode and check, the first of ` +
          `${oversized.width}×${oversized.height} pixels (the limit is ${MAX_IMAGE_PIXELS / 1_000_000} megapixels).`,
      );
    }
    const seenObjects = new Set<string>();
    const seenPixels = new Set<string>();
    const manifests: string[] = [];
    let batch: ImageRef[] = [];
    let imageCount = 0;
    let undecodable = 0;
    const writes = new WriteWindow();
    const flush = async () => {
      if (batch.length === 0) return;
      const key = keys.manifest(manifests.length + 1);
      const listed = batch;
      await writes.add(() => sink.putManifest(key, listed));
      manifests.push(key);
      batch = [];
    };
    await forEachPage(opened, deadline, async (page, pageNumber) => {
      const painted = await paintedImages(page);
      undecodable += painted.undecodable;
      let onPage = 0;
      for (const image of painted.images) {
        const objectKey = image.ref ? `${image.ref}` : undefined;
        if (objectKey && seenObjects.has(objectKey)) continue;
        if (objectKey) seenObjects.add(objectKey);
        const decoded = toPixels(image);
        const print = fingerprint(decoded);
        if (seenPixels.has(print)) continue;
        seenPixels.add(print);
        imageCount += 1;
        if (imageCount > limits.maxImages) {
          throw new DocumentRejectedError(
            `The PDF has more than ${limits.maxImages} distinct images (found on page ${pageNumber}), over the limit: ` +
              'every image must be checked, so documents with more are not accepted. Split it and upload the parts.',
          );
        }
        onPage += 1;
        const encoded = encodeForModeration(decoded);
        const imageKey = keys.image(pageNumber, onPage, 'png');
        await writes.add(() => sink.putImage(imageKey, encoded.png));
        const skipped = unfitForModeration(encoded.width, encoded.height, encoded.png.length);
        batch.push({
          imageKey,
          page: pageNumber,
          width: encoded.width,
          height: encoded.height,
          ...(skipped ? { skipped } : {}),
        });
        if (batch.length >= limits.imagesPerBatch) await flush();
      }
    });
    await flush();
    await writes.drain();
    if (undecodable > 0) logger.warn('Images the engine could not decode', { undecodable });
    return { pages: opened.pages, imageCount, imageBatches: manifests, undecodable };
  });
}
