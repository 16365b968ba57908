// Every image a PDF paints (XObjects, inline images, stencil masks, in any encoding pdfjs decodes), page by
// page, each distinct image once, written as PNG and listed in manifests of at most `imagesPerBatch` entries.
// First: pdfjs-dist needs the canvas stand-ins when its module loads, and this module imports it directly.
import '../shared/pdf-environment.js';
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

/**
 * A one-page PDF painting an 8×8 CCITT image and an 8×8 JPEG 2000 one (a bare header: only the decoders'
 * loading matters, not the pixels), so both wasm decoders load through it.
 */
function decoderPrimer(): Buffer {
  // SOC, then SIZ: 8×8 pixels in one tile, one 8-bit component; then EOC.
  const jpeg2000Header = Buffer.from('ff4fff510029000000000008000000080000000000000000000000080000000800000000000000000001070101ffd9', 'hex');
  const stream = (dictionary: string, data: Buffer) =>
    Buffer.concat([Buffer.from(`<< ${dictionary} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
  const content = Buffer.from('q 8 0 0 8 0 0 cm /C Do Q q 8 0 0 8 8 0 cm /J Do Q', 'latin1');
  const objects = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 16 8] /Resources << /XObject << /C 4 0 R /J 5 0 R >> >> /Contents 6 0 R >>'),
    stream('/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 8 >>', Buffer.from([0xff])),
    stream('/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /JPXDecode', jpeg2000Header),
    stream('', content),
  ];
  return Buffer.concat([
    Buffer.from('%PDF-1.7\n'),
    ...objects.map((object, index) => Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`), object, Buffer.from('\nendobj\n')])),
    Buffer.from(`trailer\n<< /Root 1 0 R /Size ${objects.length + 1} >>\n%%EOF\n`),
  ]);
}

/** How long loading the decoders may take before documents go ahead without it. */
const DECODER_PRIMING_MS = 10_000;

/**
 * Loads pdfjs's wasm image decoders (JBIG2 and CCITT, JPEG 2000) once per process, before any upload. pdfjs
 * loads each through the first document that needs it and keeps the loader bound to that document: when that
 * document is closed first (the local stack runs ExtractText beside ExtractImages in one process), the load
 * never answers and the upload would wait for its deadline. Never fails: without the decoders, pdfjs falls
 * back to its own or counts the image as undecodable.
 */
export async function primeImageDecoders(): Promise<void> {
  const deadline = Date.now() + DECODER_PRIMING_MS;
  try {
    await withPdf(decoderPrimer(), { maxDocumentBytes: 4096, maxPages: 1 }, deadline, (opened) =>
      forEachPage(opened, deadline, async (page) => {
        await paintedImages(page);
      }),
    );
  } catch (error) {
    logger.warn('The image decoders could not be loaded ahead of the first document', { error: (error as Error).message });
  }
}

export async function extractImages(
  bytes: Uint8Array,
  limits: ImageLimits,
  keys: ImageKeys,
  sink: ImageSink,
  deadline: number,
): Promise<ExtractImagesOutput> {
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
