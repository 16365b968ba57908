// Opens an uploaded PDF with pdfjs-dist, safely (no eval, no fonts, no network, no worker thread), and turns
// every way a file can be unusable into a DocumentRejectedError with a reason a person understands.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import './pdf-environment.js';
import * as pdfjsWorker from 'pdfjs-dist/legacy/build/pdf.worker.mjs';
import { getDocument, VerbosityLevel, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DocumentRejectedError } from '../../shared/errors.js';
import { documentTooLarge } from './pdf-limits.js';
import { scanStreams, type StreamScan, type StreamScanLimits, defaultStreamScanLimits } from './pdf-streams.js';

// pdfjs looks for an in-process worker here before trying to load one from a URL; importing it statically
// also lets the bundler see it.
(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = pdfjsWorker;

export interface DocumentLimits {
  maxDocumentBytes: number;
  maxPages: number;
}

export interface OpenedPdf {
  pdf: PDFDocumentProxy;
  pages: number;
  scan: StreamScan;
}

/** Where pdfjs-dist's CMaps and wasm decoders (JBIG2, JPEG 2000) are: node_modules, or beside the bundle. */
function pdfjsAssetsDirectory(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  } catch {
    return join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'node_modules', 'pdfjs-dist');
  }
}

/**
 * Serves pdfjs the CMaps and wasm decoders from disk, and nothing else: standard font data is refused, so
 * text is read from the font's own encoding tables and no font is ever loaded.
 */
class LocalAssetsFactory {
  constructor(private readonly urls: { cMapUrl?: string | null; wasmUrl?: string | null }) {}

  async fetch({ kind, filename }: { kind: string; filename: string }): Promise<Uint8Array> {
    const base = kind === 'cMapUrl' ? this.urls.cMapUrl : kind === 'wasmUrl' ? this.urls.wasmUrl : null;
    if (!base || !/^[\w.-]+$/.test(filename)) throw new Error(`${kind} ${filename} is not served`);
    return new Uint8Array(await readFile(join(base, filename)));
  }
}

const assets = pdfjsAssetsDirectory();

const PDF_HEADER = Buffer.from('%PDF-');
const END_OF_FILE = Buffer.from('%%EOF');
/** Readers accept junk before the header (up to 1 KB, as Acrobat does) and padding after %%EOF. */
const HEADER_WINDOW = 1024;
const TRAILER_WINDOW = 4096;

/** Checks that need no parser: empty, too big, not a PDF at all, cut short. */
export function checkEnvelope(bytes: Uint8Array, limits: DocumentLimits): void {
  if (bytes.length === 0) throw new DocumentRejectedError('The file is empty (0 bytes): there is nothing to check.');
  if (bytes.length > limits.maxDocumentBytes) {
    throw documentTooLarge(bytes.length, limits.maxDocumentBytes);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.subarray(0, HEADER_WINDOW).indexOf(PDF_HEADER) < 0) {
    throw new DocumentRejectedError('The file is not a PDF (it does not start with a PDF header), whatever its name says.');
  }
  if (buffer.subarray(Math.max(0, buffer.length - TRAILER_WINDOW)).indexOf(END_OF_FILE) < 0) {
    throw new DocumentRejectedError(
      'The PDF is incomplete: it does not end with the %%EOF marker, so it was probably cut short during upload. Upload it again.',
    );
  }
}

function rejectionFromEngine(error: unknown): Error {
  const e = error as { name?: string; message?: string; code?: number };
  if (e?.name === 'PasswordException') {
    return new DocumentRejectedError('The PDF is password-protected: its content cannot be read without the password.');
  }
  if (e?.name === 'InvalidPDFException' || e?.name === 'FormatError' || e?.name === 'UnknownErrorException') {
    return new DocumentRejectedError(`The PDF is damaged and cannot be read (${e.message ?? e.name}).`);
  }
  if (error instanceof DocumentRejectedError) return error;
  return new DocumentRejectedError(`The PDF cannot be read (${e?.message ?? String(error)}).`);
}

/** Rejects when `deadline` (epoch ms) passes first; the PDF is too costly to read in the time a function has. */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new DocumentRejectedError(`The PDF takes too long to read (${what} did not finish in time).`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export async function openPdf(
  bytes: Uint8Array,
  limits: DocumentLimits,
  deadline: number,
  scanLimits: StreamScanLimits = defaultStreamScanLimits,
): Promise<OpenedPdf> {
  checkEnvelope(bytes, limits);
  const scan = await beforeDeadline(scanStreams(bytes, scanLimits), deadline, 'the scan of its compressed streams');
  const task = getDocument({
    // pdfjs takes ownership of (detaches) the buffer it is given: hand it a copy.
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    maxImageSize: scanLimits.maxImagePixels,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    enableXfa: false,
    verbosity: VerbosityLevel.ERRORS,
    cMapUrl: `${join(assets, 'cmaps')}/`,
    cMapPacked: true,
    wasmUrl: `${join(assets, 'wasm')}/`,
    useWorkerFetch: false,
    BinaryDataFactory: LocalAssetsFactory,
  });
  let pdf: PDFDocumentProxy;
  try {
    pdf = await beforeDeadline(task.promise, deadline, 'opening it');
  } catch (error) {
    await task.destroy();
    throw rejectionFromEngine(error);
  }
  const pages = pdf.numPages;
  if (pages === 0) {
    await pdf.destroy();
    throw new DocumentRejectedError('The PDF has no pages: there is nothing to check.');
  }
  if (pages > limits.maxPages) {
    await pdf.destroy();
    throw new DocumentRejectedError(`The PDF has ${pages} pages, over the limit of ${limits.maxPages} pages per document.`);
  }
  return { pdf, pages, scan };
}

/**
 * Visits pages one at a time, releasing each page's decoded resources before the next, so memory follows
 * the largest page rather than the whole document.
 */
export async function forEachPage(
  opened: OpenedPdf,
  deadline: number,
  visit: (page: PDFPageProxy, pageNumber: number) => Promise<void>,
): Promise<void> {
  for (let pageNumber = 1; pageNumber <= opened.pages; pageNumber += 1) {
    let page: PDFPageProxy;
    try {
      page = await beforeDeadline(opened.pdf.getPage(pageNumber), deadline, `page ${pageNumber}`);
    } catch (error) {
      if (error instanceof DocumentRejectedError) throw error;
      throw new DocumentRejectedError(
        `Page ${pageNumber} of the PDF is damaged and cannot be read (${(error as Error)?.message ?? error}).`,
      );
    }
    try {
      await beforeDeadline(visit(page, pageNumber), deadline, `page ${pageNumber}`);
    } finally {
      page.cleanup();
    }
  }
}

/** Opens, visits every page, and always releases the engine, whatever happened. */
export async function withPdf<T>(
  bytes: Uint8Array,
  limits: DocumentLimits,
  deadline: number,
  use: (opened: OpenedPdf) => Promise<T>,
  scanLimits?: StreamScanLimits,
): Promise<T> {
  const opened = await openPdf(bytes, limits, deadline, scanLimits);
  try {
    return await use(opened);
  } finally {
    await opened.pdf.destroy();
  }
}
