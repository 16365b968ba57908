// The text layer of a PDF, page by page. Empty, scanned-only, right-to-left or non-English text is not a
// fault: it is returned as it is, and ModerateText decides what it can check.
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { forEachPage, withPdf, type DocumentLimits } from '../shared/pdf.js';

export interface ExtractedText {
  text: string;
  pages: number;
  pagesWithoutText: number;
}

/** Pages are separated by a blank line, so no sentence runs from one page into the next. */
const PAGE_SEPARATOR = '\n\n';

interface TextPiece {
  str?: string;
  dir?: string;
  hasEOL?: boolean;
}

/**
 * pdfjs gives each run in logical order but the runs of a line in visual order, left to right. A line
 * written mostly right to left (Hebrew, Arabic) is read from its right end, so its runs are reversed.
 */
function lineInReadingOrder(pieces: TextPiece[]): string {
  let rightToLeft = 0;
  let leftToRight = 0;
  for (const piece of pieces) {
    const letters = (piece.str ?? '').replace(/\s/g, '').length;
    if (piece.dir === 'rtl') rightToLeft += letters;
    else leftToRight += letters;
  }
  const ordered = rightToLeft > leftToRight ? [...pieces].reverse() : pieces;
  return ordered.map((piece) => piece.str ?? '').join('');
}

export async function pageText(page: PDFPageProxy): Promise<string> {
  const content = await page.getTextContent({ disableNormalization: false });
  const lines: string[] = [];
  let line: TextPiece[] = [];
  for (const item of content.items as TextPiece[]) {
    if (typeof item.str !== 'string') continue;
    line.push(item);
    if (item.hasEOL) {
      lines.push(lineInReadingOrder(line));
      line = [];
    }
  }
  lines.push(lineInReadingOrder(line));
  // Lone surrogates from broken font tables would make the UTF-8 text invalid.
  return lines.join('\n').toWellFormed().trim();
}

export async function extractText(bytes: Uint8Array, limits: DocumentLimits, deadline: number): Promise<ExtractedText> {
  return withPdf(bytes, limits, deadline, async (opened) => {
    const texts: string[] = [];
    let pagesWithoutText = 0;
    await forEachPage(opened, deadline, async (page) => {
      const text = await pageText(page);
      if (text.length === 0) pagesWithoutText += 1;
      else texts.push(text);
    });
    return { text: texts.join(PAGE_SEPARATOR), pages: opened.pages, pagesWithoutText };
  });
}
