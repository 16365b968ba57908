// Scans a PDF's raw bytes for decompression bombs and oversized images before any parser trusts it:
// every Flate stream is inflated once, counted and thrown away, so a small file cannot expand to gigabytes.
import { Readable } from 'node:stream';
import { constants, createInflate } from 'node:zlib';
import { DocumentRejectedError } from '../../shared/errors.js';
import { MAX_DECODED_BYTES_PER_DOCUMENT, MAX_DECODED_BYTES_PER_STREAM, MAX_IMAGE_PIXELS } from './pdf-limits.js';

export interface StreamScanLimits {
  maxDecodedBytesPerStream: number;
  maxDecodedBytesPerDocument: number;
  maxImagePixels: number;
}

export const defaultStreamScanLimits: StreamScanLimits = {
  maxDecodedBytesPerStream: MAX_DECODED_BYTES_PER_STREAM,
  maxDecodedBytesPerDocument: MAX_DECODED_BYTES_PER_DOCUMENT,
  maxImagePixels: MAX_IMAGE_PIXELS,
};

export interface StreamScan {
  streams: number;
  decodedBytes: number;
  /** Images whose declared size is over the pixel limit: the engine would drop them unseen. */
  oversizedImages: { width: number; height: number }[];
}

const STREAM_KEYWORD = />>\s*stream(?:\r\n|\n|\r)/g;
const MEGABYTE = 1024 * 1024;

/** Stream dictionaries sit between `N G obj` and `stream`; a bounded look-back keeps the scan linear. */
const DICTIONARY_LOOK_BACK = 4096;

function dictionaryBefore(text: string, streamStart: number): string {
  const from = Math.max(0, streamStart - DICTIONARY_LOOK_BACK);
  const window = text.slice(from, streamStart);
  let objectStart = 0;
  for (const header of window.matchAll(/\d+\s+\d+\s+obj\b/g)) objectStart = header.index;
  return window.slice(objectStart);
}

/** How many Flate layers the stream starts with: the layers this scan can measure. */
function leadingFlateLayers(dictionary: string): number {
  const filter = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/.exec(dictionary)?.[1];
  if (!filter) return 0;
  const names = filter.match(/\/[A-Za-z0-9]+/g) ?? [];
  let layers = 0;
  for (const name of names) {
    if (name !== '/FlateDecode' && name !== '/Fl') break;
    layers += 1;
  }
  return layers;
}

function declaredInteger(dictionary: string, key: string): number | undefined {
  const match = new RegExp(`/${key}\\s+(\\d+)(?!\\s+\\d+\\s+R)`).exec(dictionary);
  return match ? Number(match[1]) : undefined;
}

/** Inflates `layers` times, counting bytes and keeping none; stops as soon as `budget` is passed. */
async function inflatedSize(data: Uint8Array, layers: number, budget: number): Promise<number> {
  let stream: NodeJS.ReadableStream = Readable.from([data]);
  const inflaters = [];
  for (let layer = 0; layer < layers; layer += 1) {
    // Sync flush lets a truncated stream give what it has rather than fail: the parser will do the same.
    const inflater = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
    inflater.on('error', () => undefined);
    inflaters.push(inflater);
    stream = stream.pipe(inflater);
  }
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > budget) break;
    }
  } catch {
    // A corrupt stream: what inflated before the error is what the parser will see.
  } finally {
    for (const inflater of inflaters) inflater.destroy();
  }
  return total;
}

export async function scanStreams(pdf: Uint8Array, limits: StreamScanLimits = defaultStreamScanLimits): Promise<StreamScan> {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const scan: StreamScan = { streams: 0, decodedBytes: 0, oversizedImages: [] };
  for (const match of text.matchAll(STREAM_KEYWORD)) {
    scan.streams += 1;
    const dictionary = dictionaryBefore(text, match.index);
    if (/\/Subtype\s*\/Image\b/.test(dictionary)) {
      const width = declaredInteger(dictionary, 'Width') ?? 0;
      const height = declaredInteger(dictionary, 'Height') ?? 0;
      if (width * height > limits.maxImagePixels) scan.oversizedImages.push({ width, height });
    }
    const layers = leadingFlateLayers(dictionary);
    if (layers === 0) continue;
    const dataStart = match.index + match[0].length;
    const dataEnd = text.indexOf('endstream', dataStart);
    const data = pdf.subarray(dataStart, dataEnd < 0 ? pdf.length : dataEnd);
    const documentBudget = limits.maxDecodedBytesPerDocument - scan.decodedBytes;
    const budget = Math.min(limits.maxDecodedBytesPerStream, documentBudget);
    const size = await inflatedSize(data, layers, budget);
    if (size > limits.maxDecodedBytesPerStream) {
      throw new DocumentRejectedError(
        `The PDF holds a compressed stream that expands to more than ${limits.maxDecodedBytesPerStream / MEGABYTE} MB ` +
          `(a decompression bomb, or a file too large to check); it was not processed.`,
      );
    }
    scan.decodedBytes += size;
    if (scan.decodedBytes > limits.maxDecodedBytesPerDocument) {
      throw new DocumentRejectedError(
        `The PDF's compressed content expands to more than ${limits.maxDecodedBytesPerDocument / MEGABYTE} MB in all ` +
          `(a decompression bomb, or a file too large to check); it was not processed.`,
      );
    }
  }
  return scan;
}
