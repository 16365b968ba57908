// Writes the sample PDFs (events/documents/) and the hostile-documents set (tests/fixtures/documents/hostile/)
// reproducibly: fixed dates, ids and seeds, so the same bytes come out on every machine.
// Every image is generated (gradients, shapes, seeded noise, the stand-in's test cards); none depicts anything.
//   npm run make:documents                  # both sets
//   npm run make:documents -- --out DIR --big-pages 200   # also a large image-heavy PDF for measuring (not committed)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflate, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { PNG } from 'pngjs';
import { fixtureCardPng } from '../local/rekognition/fixture-images.js';
import { seededRandom as seeded } from '../local/seeded-random.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXED_DATE = new Date('2026-11-01T09:00:00Z');

// ---------------------------------------------------------------- pixels

type Painter = (x: number, y: number) => [number, number, number];

function paint(width: number, height: number, painter: Painter): Buffer {
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = painter(x, y);
      const at = (y * width + x) * 4;
      rgba[at] = r;
      rgba[at + 1] = g;
      rgba[at + 2] = b;
      rgba[at + 3] = 255;
    }
  }
  return rgba;
}

const gradient = (width: number, height: number): Painter => (x, y) => [
  Math.round((255 * x) / width),
  Math.round((255 * y) / height),
  160,
];

const circles = (width: number, height: number): Painter => (x, y) => {
  const d = Math.hypot(x - width / 2, y - height / 2);
  return Math.floor(d / 12) % 2 ? [40, 90, 160] : [240, 200, 80];
};

function noise(seed: number): Painter {
  const next = seeded(seed);
  return () => [Math.floor(next() * 256), Math.floor(next() * 256), Math.floor(next() * 256)];
}

function pngBytes(width: number, height: number, painter: Painter): Uint8Array {
  const png = new PNG({ width, height });
  png.data = paint(width, height, painter);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

function jpegBytes(width: number, height: number, painter: Painter, quality = 80): Uint8Array {
  return new Uint8Array(jpeg.encode({ data: paint(width, height, painter), width, height }, quality).data);
}

// ---------------------------------------------------------------- pdf-lib documents

async function newDocument(title: string): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(title);
  doc.setProducer('feedback-triage scripts/make-documents.ts');
  doc.setCreator('feedback-triage');
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  return doc;
}

async function save(doc: PDFDocument): Promise<Buffer> {
  return Buffer.from(await doc.save({ useObjectStreams: true }));
}

function writeParagraphs(page: PDFPage, font: PDFFont, lines: string[], size = 12, top = 760): void {
  let y = top;
  for (const line of lines) {
    page.drawText(line, { x: 56, y, size, font, color: rgb(0.1, 0.1, 0.1) });
    y -= size * 1.6;
  }
}

async function cleanHandout(): Promise<Buffer> {
  const doc = await newDocument('Reading group handout: The Remains of the Day');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const first = doc.addPage([595, 842]);
  first.drawText('Reading group: The Remains of the Day', { x: 56, y: 790, size: 18, font: bold });
  writeParagraphs(first, font, [
    'Kazuo Ishiguro, 1989. We meet on Thursday at 7 pm in the library annex.',
    '',
    'Before the meeting, please read parts one and two (Day One to Day Three).',
    'Stevens, the butler of Darlington Hall, drives to the West Country to visit',
    'Miss Kenton, the housekeeper he worked with twenty years before.',
    '',
    'Questions to think about:',
    '1. What does Stevens mean by "dignity", and does his idea change on the road?',
    '2. How reliable is Stevens as a narrator? Find one moment where he corrects himself.',
    '3. Why does the novel keep returning to the conference of 1923?',
  ], 12, 750);
  const second = doc.addPage([595, 842]);
  second.drawText('For next month', { x: 56, y: 790, size: 16, font: bold });
  writeParagraphs(second, font, [
    'Our next book is Never Let Me Go, also by Ishiguro.',
    'Copies are at the front desk; the audiobook is in the library app.',
    '',
    'Thank you to everyone who brought tea and biscuits last time.',
    'New members are always welcome: bring a friend.',
  ], 12, 750);
  return save(doc);
}

async function offensiveText(): Promise<Buffer> {
  const doc = await newDocument('Reply to the reading group');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  // Plain insults and profanity aimed at the reader, so the text branch has something to flag.
  writeParagraphs(page, font, [
    'To whoever picked this month\'s book:',
    '',
    'You are a worthless idiot and a pathetic moron.',
    'Shut up about your stupid opinions, nobody cares about you.',
    'What a total loser. This club is a fucking joke and so are you.',
    'You are a waste of space, you dumb piece of shit.',
  ]);
  return save(doc);
}

async function withImages(): Promise<Buffer> {
  const doc = await newDocument('Illustrated handout');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const gradientPng = await doc.embedPng(pngBytes(240, 160, gradient(240, 160)));
  const circlesJpeg = await doc.embedJpg(jpegBytes(200, 200, circles(200, 200)));
  const noiseJpeg = await doc.embedJpg(jpegBytes(160, 120, noise(7)));
  const tinyPng = await doc.embedPng(pngBytes(16, 16, gradient(16, 16)));
  const first = doc.addPage([595, 842]);
  first.drawText('Illustrations for our discussion', { x: 56, y: 790, size: 16, font });
  first.drawImage(gradientPng, { x: 56, y: 560, width: 240, height: 160 });
  first.drawImage(circlesJpeg, { x: 320, y: 540, width: 200, height: 200 });
  first.drawImage(tinyPng, { x: 56, y: 500, width: 16, height: 16 });
  const second = doc.addPage([595, 842]);
  second.drawText('The same map again, and a texture', { x: 56, y: 790, size: 16, font });
  second.drawImage(circlesJpeg, { x: 56, y: 540, width: 200, height: 200 });
  second.drawImage(noiseJpeg, { x: 320, y: 560, width: 160, height: 120 });
  return save(doc);
}

/**
 * A photo page whose picture the images branch must flag. No offensive picture exists in the project: the
 * picture is the harmless striped test card that the local Rekognition stand-in's fixture table
 * (local/rekognition/fixtures.json) labels as Rekognition would label the explicit photo it stands for.
 * On AWS, Rekognition sees stripes and the page is CLEAN.
 */
async function offensiveImage(): Promise<Buffer> {
  const doc = await newDocument('Photo page for the newsletter');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const card = await doc.embedPng(fixtureCardPng('explicit-nudity'));
  const page = doc.addPage([595, 842]);
  page.drawText('Photos from the summer meeting', { x: 56, y: 790, size: 16, font });
  page.drawImage(card, { x: 56, y: 560, width: 320, height: 240 });
  return save(doc);
}

// ---------------------------------------------------------------- hand-written PDFs

/** A PDF written object by object, for structures pdf-lib will not produce (encryption, bombs, odd images). */
class RawPdf {
  private readonly bodies: Buffer[] = [];
  private readonly crypt?: (objectNumber: number, data: Buffer) => Buffer;

  constructor(crypt?: (objectNumber: number, data: Buffer) => Buffer) {
    this.crypt = crypt;
  }

  reserve(): number {
    this.bodies.push(Buffer.alloc(0));
    return this.bodies.length;
  }

  set(objectNumber: number, body: string | Buffer): number {
    this.bodies[objectNumber - 1] = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
    return objectNumber;
  }

  add(body: string | Buffer): number {
    return this.set(this.reserve(), body);
  }

  stream(dictionary: string, data: Buffer | string): number {
    const objectNumber = this.reserve();
    const raw = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
    const bytes = this.crypt ? this.crypt(objectNumber, raw) : raw;
    return this.set(
      objectNumber,
      Buffer.concat([Buffer.from(`<< ${dictionary} /Length ${bytes.length} >>\nstream\n`, 'latin1'), bytes, Buffer.from('\nendstream')]),
    );
  }

  save(rootObject: number, trailerExtra = ''): Buffer {
    const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
    let offset = parts[0]!.length;
    const offsets: number[] = [];
    this.bodies.forEach((body, index) => {
      offsets.push(offset);
      const object = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
      parts.push(object);
      offset += object.length;
    });
    const xref = [`xref\n0 ${this.bodies.length + 1}\n`, '0000000000 65535 f \n']
      .concat(offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`))
      .join('');
    parts.push(
      Buffer.from(
        `${xref}trailer\n<< /Size ${this.bodies.length + 1} /Root ${rootObject} 0 R ${trailerExtra} >>\nstartxref\n${offset}\n%%EOF\n`,
        'latin1',
      ),
    );
    return Buffer.concat(parts);
  }
}

interface RawPage {
  content: Buffer | string;
  resources?: string;
}

/** Catalog, page tree and pages; resources name F1 (Helvetica) unless a page brings its own. */
function rawDocument(pages: RawPage[], setup?: (pdf: RawPdf) => string, crypt?: (n: number, d: Buffer) => Buffer, trailerExtra = ''): Buffer {
  const pdf = new RawPdf(crypt);
  const catalog = pdf.reserve();
  const tree = pdf.reserve();
  const sharedResources = setup ? setup(pdf) : '';
  const font = pdf.add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const contents = new Map<string, number>();
  const kids = pages.map((page) => {
    // Identical page contents are written once and shared, as real generators do.
    const source = Buffer.isBuffer(page.content) ? page.content : Buffer.from(page.content, 'latin1');
    const fingerprint = createHash('sha256').update(source).digest('hex');
    const content = contents.get(fingerprint) ?? pdf.stream('/Filter /FlateDecode', deflateSync(source));
    contents.set(fingerprint, content);
    const resources = page.resources ?? `<< /Font << /F1 ${font} 0 R >> ${sharedResources} >>`;
    return pdf.add(`<< /Type /Page /Parent ${tree} 0 R /MediaBox [0 0 595 842] /Resources ${resources} /Contents ${content} 0 R >>`);
  });
  pdf.set(tree, `<< /Type /Pages /Kids [${kids.map((kid) => `${kid} 0 R`).join(' ')}] /Count ${kids.length} >>`);
  pdf.set(catalog, `<< /Type /Catalog /Pages ${tree} 0 R >>`);
  return pdf.save(catalog, trailerExtra);
}

/** A text line in a content stream, with PDF string escaping. */
function textLine(text: string, y: number, size = 12): string {
  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  return `BT /F1 ${size} Tf 56 ${y} Td (${escaped}) Tj ET\n`;
}

/** One image XObject named /Im1, drawn at its own size (at least 100 pt). */
function imagePage(imageDictionary: string, data: Buffer, width: number, height: number, caption: string): Buffer {
  const shown = { w: Math.max(100, Math.min(480, width)), h: Math.max(100, Math.min(600, height)) };
  return rawDocument(
    [{ content: `${textLine(caption, 790)}q ${shown.w} 0 0 ${shown.h} 56 100 cm /Im1 Do Q\n` }],
    (pdf) => `/XObject << /Im1 ${pdf.stream(imageDictionary, data)} 0 R >>`,
  );
}

function rgbPixels(width: number, height: number, painter: Painter): Buffer {
  const rgba = paint(width, height, painter);
  const out = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i += 1) rgba.copy(out, i * 3, i * 4, i * 4 + 3);
  return out;
}

// ---- CCITT Group 4 (also the MMR coding inside JBIG2): enough of T.6 to encode vertical stripes.

const WHITE_RUN: Record<number, string> = { 20: '0001000' };
const BLACK_RUN: Record<number, string> = { 20: '00001101000' };

/** 80 x `rows` pixels: stripes white, black, white, black of 20 pixels each. */
function stripesG4(rows: number): Buffer {
  // First row against the imaginary white reference line: two horizontal-mode pairs.
  let bits = `001${WHITE_RUN[20]}${BLACK_RUN[20]}001${WHITE_RUN[20]}${BLACK_RUN[20]}`;
  // Every later row repeats the one above: four vertical-mode V0 codes.
  bits += '1111'.repeat(rows - 1);
  // End of facsimile block: two EOLs.
  bits += '000000000001000000000001';
  while (bits.length % 8) bits += '0';
  const out = Buffer.alloc(bits.length / 8);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  return out;
}

function jbig2Segment(number: number, type: number, page: number, data: Buffer): Buffer {
  const header = Buffer.alloc(11);
  header.writeUInt32BE(number, 0);
  header[4] = type;
  header[5] = 0; // refers to no other segment
  header[6] = page;
  header.writeUInt32BE(data.length, 7);
  return Buffer.concat([header, data]);
}

/** An embedded JBIG2 stream: page information, then one immediate generic region coded with MMR. */
function stripesJbig2(width: number, height: number): Buffer {
  const pageInfo = Buffer.alloc(19);
  pageInfo.writeUInt32BE(width, 0);
  pageInfo.writeUInt32BE(height, 4);
  pageInfo.writeUInt32BE(0, 8);
  pageInfo.writeUInt32BE(0, 12);
  pageInfo[16] = 0;
  pageInfo.writeUInt16BE(0, 17);
  const regionInfo = Buffer.alloc(17);
  regionInfo.writeUInt32BE(width, 0);
  regionInfo.writeUInt32BE(height, 4);
  regionInfo.writeUInt32BE(0, 8);
  regionInfo.writeUInt32BE(0, 12);
  regionInfo[16] = 0;
  const genericFlags = Buffer.from([0x01]); // MMR
  const mmr = stripesG4(height).subarray(0, -3); // MMR data in JBIG2 ends without the EOFB
  return Buffer.concat([
    jbig2Segment(0, 48, 1, pageInfo),
    jbig2Segment(1, 38, 1, Buffer.concat([regionInfo, genericFlags, mmr])),
    jbig2Segment(2, 49, 1, Buffer.alloc(0)),
  ]);
}

// ---- Standard security handler, revision 2 (RC4, 40-bit): written by hand, pdf-lib does not encrypt.

const PASSWORD_PADDING = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');
const DOCUMENT_ID = Buffer.from('8f1e0c2a5b3d4e6f708192a3b4c5d6e7', 'hex');
const PERMISSIONS = -44;

function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i += 1) {
    j = (j + s[i]! + key[i % key.length]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n += 1) {
    i = (i + 1) & 255;
    j = (j + s[i]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 255]!;
  }
  return out;
}

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();
const padded = (password: string) => Buffer.concat([Buffer.from(password, 'latin1'), PASSWORD_PADDING]).subarray(0, 32);

function encryptedDocument(userPassword: string, ownerPassword: string, lines: string[]): Buffer {
  const owner = rc4(md5(padded(ownerPassword)).subarray(0, 5), padded(userPassword));
  const permissions = Buffer.alloc(4);
  permissions.writeInt32LE(PERMISSIONS);
  const key = md5(padded(userPassword), owner, permissions, DOCUMENT_ID).subarray(0, 5);
  const user = rc4(key, PASSWORD_PADDING);
  const crypt = (objectNumber: number, data: Buffer) => {
    const objectKey = md5(key, Buffer.from([objectNumber & 255, (objectNumber >> 8) & 255, (objectNumber >> 16) & 255, 0, 0])).subarray(0, 10);
    return rc4(objectKey, data);
  };
  const id = DOCUMENT_ID.toString('hex');
  const hex = (bytes: Buffer) => `<${bytes.toString('hex')}>`;
  return rawDocument(
    [{ content: lines.map((line, i) => textLine(line, 760 - i * 20)).join('') }],
    (pdf) => {
      pdf.add(`<< /Filter /Standard /V 1 /R 2 /O ${hex(owner)} /U ${hex(user)} /P ${PERMISSIONS} >>`);
      return '';
    },
    crypt,
    `/Encrypt 3 0 R /ID [<${id}> <${id}>]`,
  );
}

// ---- Type0 fonts that are not embedded: text is still extractable through the ToUnicode map.

/**
 * A page of text in a script the standard fonts lack (Hebrew, Arabic, Chinese): CIDs mapped to Unicode.
 * Right-to-left lines are drawn in visual order, right to left, as PDF writers do; readers reorder them.
 */
function unicodeTextDocument(lines: string[], direction: 'ltr' | 'rtl' = 'ltr'): Buffer {
  const characters = [...new Set(lines.join(''))];
  const cidOf = new Map(characters.map((character, index) => [character, index + 1]));
  const bfchars = characters.map((character) => {
    const utf16 = Buffer.from(character, 'utf16le').swap16().toString('hex');
    return `<${cidOf.get(character)!.toString(16).padStart(4, '0')}> <${utf16}>`;
  });
  const toUnicode = [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def /CMapType 2 def',
    '1 begincodespacerange <0000> <FFFF> endcodespacerange',
    `${bfchars.length} beginbfchar`,
    ...bfchars,
    'endbfchar endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n');
  const content = lines
    .map((line, i) => {
      const glyphs = direction === 'rtl' ? [...line].reverse() : [...line];
      const codes = glyphs.map((character) => cidOf.get(character)!.toString(16).padStart(4, '0')).join('');
      return `BT /U1 14 Tf 56 ${760 - i * 24} Td <${codes}> Tj ET\n`;
    })
    .join('');
  return rawDocument([{ content }], (pdf) => {
    const cmap = pdf.stream('', toUnicode);
    const descriptor = pdf.add('<< /Type /FontDescriptor /FontName /NotEmbedded /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>');
    const cidFont = pdf.add(`<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NotEmbedded /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${descriptor} 0 R /DW 600 >>`);
    const font = pdf.add(`<< /Type /Font /Subtype /Type0 /BaseFont /NotEmbedded /Encoding /Identity-H /DescendantFonts [${cidFont} 0 R] /ToUnicode ${cmap} 0 R >>`);
    return `/Font << /U1 ${font} 0 R >>`;
  });
}

// ---- Decompression bombs: zeros deflated twice (about a million to one).

const BOMB_BYTES = 2 * 1024 * 1024 * 1024;

/** `size` zero bytes, deflated as they stream (never held in memory), then deflated again. */
async function doubleDeflatedZeros(size: number): Promise<Buffer> {
  const megabyte = Buffer.alloc(1024 * 1024);
  async function* zeros() {
    for (let written = 0; written < size; written += megabyte.length) yield megabyte;
  }
  const chunks: Buffer[] = [];
  await pipeline(Readable.from(zeros()), createDeflate({ level: 9 }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return deflateSync(Buffer.concat(chunks), { level: 9 });
}

// ---------------------------------------------------------------- the hostile set

type Maker = () => Buffer | Promise<Buffer>;

function grayPixels(width: number, height: number, value: (x: number, y: number) => number): Buffer {
  const out = Buffer.alloc(width * height);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) out[y * width + x] = value(x, y);
  return out;
}

function packedBits(width: number, height: number, on: (x: number, y: number) => boolean): Buffer {
  const rowBytes = Math.ceil(width / 8);
  const out = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) if (on(x, y)) out[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
  }
  return out;
}

function textDocument(lines: string[]): Buffer {
  return rawDocument([{ content: lines.map((line, i) => textLine(line, 760 - i * 20)).join('') }]);
}

async function hostileSet(clean: Buffer): Promise<Record<string, Maker>> {
  const bomb = await doubleDeflatedZeros(BOMB_BYTES);
  return {
    // Not PDFs at all, or not whole ones.
    'not-a-pdf.pdf': () => Buffer.from('<!doctype html><title>Oops</title><p>This is a web page saved with a .pdf name.</p>\n'),
    'png-named-pdf.pdf': () => Buffer.from(pngBytes(90, 90, gradient(90, 90))),
    'zero-bytes.pdf': () => Buffer.alloc(0),
    'truncated-half.pdf': () => clean.subarray(0, Math.floor(clean.length / 2)),
    'header-then-garbage.pdf': () => {
      const next = seeded(11);
      const junk = Buffer.from(Array.from({ length: 4000 }, () => Math.floor(next() * 256)));
      return Buffer.concat([Buffer.from('%PDF-1.7\n'), junk, Buffer.from('\n%%EOF\n')]);
    },
    'corrupt-xref.pdf': () => {
      // Every xref offset points to the wrong place: readers must rebuild the table by scanning.
      const good = textDocument(['The cross-reference table of this file is wrong, its text is not.']);
      return Buffer.from(good.toString('latin1').replace(/(\d{10}) 00000 n/g, '0000000999 00000 n'), 'latin1');
    },
    'circular-page-tree.pdf': () => {
      const pdf = new RawPdf();
      const catalog = pdf.reserve();
      const tree = pdf.reserve();
      pdf.set(tree, `<< /Type /Pages /Kids [${tree} 0 R] /Count 1 >>`);
      pdf.set(catalog, `<< /Type /Catalog /Pages ${tree} 0 R >>`);
      return pdf.save(catalog);
    },
    // Locked.
    'encrypted-user-password.pdf': () => encryptedDocument('club-secret', 'owner-secret', ['Only readers with the password can see this.']),
    'encrypted-owner-only.pdf': () =>
      encryptedDocument('', 'owner-secret', ['Encrypted, but opens without a password: printing is restricted.']),
    // Page counts.
    'zero-pages.pdf': () => rawDocument([]),
    'many-pages.pdf': () => rawDocument(Array.from({ length: 2500 }, () => ({ content: textLine('One page of a very long document.', 760) }))),
    // Bombs.
    'bomb-content-stream.pdf': () => {
      const pdf = new RawPdf();
      const catalog = pdf.reserve();
      const tree = pdf.reserve();
      const content = pdf.stream('/Filter [/FlateDecode /FlateDecode]', bomb);
      const page = pdf.add(`<< /Type /Page /Parent ${tree} 0 R /MediaBox [0 0 595 842] /Contents ${content} 0 R >>`);
      pdf.set(tree, `<< /Type /Pages /Kids [${page} 0 R] /Count 1 >>`);
      pdf.set(catalog, `<< /Type /Catalog /Pages ${tree} 0 R >>`);
      return pdf.save(catalog);
    },
    'bomb-image.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter [/FlateDecode /FlateDecode]', bomb, 100, 100, 'A small image whose data inflates to 2 GB'),
    // Images in every encoding PDF allows.
    'image-flate-rgb.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 200 /Height 150 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode', deflateSync(rgbPixels(200, 150, gradient(200, 150))), 200, 150, 'Flate RGB'),
    'image-dct-jpeg.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 160 /Height 160 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode', Buffer.from(jpegBytes(160, 160, circles(160, 160))), 160, 160, 'DCT (JPEG)'),
    'image-cmyk.pdf': () => {
      const cmyk = Buffer.alloc(120 * 120 * 4);
      for (let i = 0; i < 120 * 120; i += 1) {
        cmyk[i * 4] = (i % 120) * 2;
        cmyk[i * 4 + 1] = Math.floor(i / 120) * 2;
        cmyk[i * 4 + 2] = 40;
        cmyk[i * 4 + 3] = 20;
      }
      return imagePage('/Type /XObject /Subtype /Image /Width 120 /Height 120 /ColorSpace /DeviceCMYK /BitsPerComponent 8 /Filter /FlateDecode', deflateSync(cmyk), 120, 120, 'CMYK');
    },
    'image-mask-1bit.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 96 /Height 96 /ImageMask true /BitsPerComponent 1 /Decode [1 0] /Filter /FlateDecode', deflateSync(packedBits(96, 96, (x, y) => Math.hypot(x - 48, y - 48) < 40)), 96, 96, 'A 1-bit stencil mask'),
    'image-gray-1bit.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode', deflateSync(packedBits(100, 100, (x, y) => ((x >> 3) + (y >> 3)) % 2 === 0)), 100, 100, 'A 1-bit checkerboard'),
    'image-inline.pdf': () => {
      const pixels = grayPixels(90, 90, (x, y) => (x * 3 + y * 2) % 256);
      const inline = `BI /W 90 /H 90 /CS /G /BPC 8 /F /AHx ID\n${pixels.toString('hex')}>\nEI\n`;
      return rawDocument([{ content: `${textLine('An inline image', 790)}q 180 0 0 180 56 400 cm\n${inline}Q\n` }]);
    },
    'image-ccitt.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 80 /Height 80 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 80 /Rows 80 >>', stripesG4(80), 80, 80, 'CCITT Group 4 stripes'),
    'image-jbig2.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 80 /Height 80 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode', stripesJbig2(80, 80), 80, 80, 'JBIG2 (MMR) stripes'),
    // No JPEG 2000 encoder is available to a script here: this one is damaged on purpose, to prove the engine copes.
    'image-jpx-damaged.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /JPXDecode', Buffer.concat([Buffer.from('0000000c6a5020200d0a870a', 'hex'), Buffer.alloc(200, 0x42)]), 100, 100, 'A damaged JPEG 2000 image'),
    'image-too-small.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 24 /Height 24 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode', deflateSync(rgbPixels(24, 24, gradient(24, 24))), 24, 24, 'An icon-sized image'),
    'image-too-large.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 10200 /Height 600 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode', deflateSync(grayPixels(10200, 600, (x, y) => ((x >> 6) + (y >> 6)) % 2 ? 220 : 40), { level: 9 }), 480, 28, 'A banner wider than Rekognition accepts'),
    'image-over-pixel-limit.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 9000 /Height 9000 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode', deflateSync(Buffer.alloc(Math.ceil(9000 / 8) * 9000), { level: 9 }), 480, 480, 'An 81-megapixel image'),
    // Text that is odd but not wrong.
    'empty-text.pdf': () => rawDocument([{ content: '' }]),
    'scanned-only.pdf': () =>
      imagePage('/Type /XObject /Subtype /Image /Width 400 /Height 560 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode', deflateSync(grayPixels(400, 560, (x, y) => (y % 24 < 3 && x > 30 && x < 370 ? 60 : 245))), 400, 560, '').subarray(0),
    'rtl-hebrew.pdf': () => unicodeTextDocument(['שלום לכל חברי מועדון הקריאה', 'נפגש ביום חמישי בספרייה'], 'rtl'),
    'rtl-arabic.pdf': () => unicodeTextDocument(['مرحبا بكم في نادي القراءة', 'نلتقي يوم الخميس في المكتبة'], 'rtl'),
    'non-english-chinese.pdf': () => unicodeTextDocument(['读书会欢迎大家', '我们星期四在图书馆见面']),
    'non-english-french.pdf': () =>
      textDocument(['Le club de lecture se réunit jeudi à la bibliothèque.', 'Lisez les chapitres un à trois, s\'il vous plaît. Merci beaucoup !']),
    'huge-text.pdf': () => {
      const sentence = 'The committee read the minutes of the last meeting and agreed to the new reading list. ';
      return rawDocument(
        Array.from({ length: 300 }, (_, page) => ({
          content: Array.from({ length: 45 }, (_, line) => textLine(`${page + 1}.${line + 1} ${sentence}`, 800 - line * 17, 9)).join(''),
        })),
      );
    },
    'javascript-action.pdf': () => {
      const pdf = new RawPdf();
      const catalog = pdf.reserve();
      const tree = pdf.reserve();
      const font = pdf.add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
      const content = pdf.stream('', textLine('This file asks the reader to run a script when opened.', 760));
      const page = pdf.add(`<< /Type /Page /Parent ${tree} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`);
      const script = pdf.add('<< /S /JavaScript /JS (app.alert\\("hello"\\); while\\(true\\){}) >>');
      pdf.set(tree, `<< /Type /Pages /Kids [${page} 0 R] /Count 1 >>`);
      pdf.set(catalog, `<< /Type /Catalog /Pages ${tree} 0 R /OpenAction ${script} 0 R >>`);
      return pdf.save(catalog);
    },
  };
}

// ---------------------------------------------------------------- the large document for measuring

/** A photograph-like texture: a gradient with a little seeded grain, so each page's image is distinct. */
function grainyGradient(width: number, height: number, seed: number): Painter {
  const next = seeded(seed);
  const base = gradient(width, height);
  return (x, y) => {
    const grain = Math.floor(next() * 24) - 12;
    const [r, g, b] = base(x, y);
    return [Math.max(0, Math.min(255, r + grain)), Math.max(0, Math.min(255, g + grain)), Math.max(0, Math.min(255, b + grain))];
  };
}

/** `pages` pages, each with three distinct generated images (JPEG, PNG, JPEG) and a line of text. */
export async function imageHeavyDocument(pages: number): Promise<Buffer> {
  const doc = await newDocument('Image-heavy document for measuring extraction');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 0; n < pages; n += 1) {
    const page = doc.addPage([595, 842]);
    page.drawText(`Page ${n + 1}: three generated images.`, { x: 56, y: 790, size: 14, font });
    const photo = await doc.embedJpg(jpegBytes(800, 600, grainyGradient(800, 600, 1000 + n), 70));
    const chart = await doc.embedPng(pngBytes(600, 400, (x, y) => (Math.floor(x / 40) + Math.floor(y / 40) + n) % 3 ? [250, 250, 250] : [30, 90, 160]));
    const rings = await doc.embedJpg(jpegBytes(640, 640, circles(640 - n, 640), 80));
    page.drawImage(photo, { x: 56, y: 470, width: 320, height: 240 });
    page.drawImage(chart, { x: 56, y: 250, width: 300, height: 200 });
    page.drawImage(rings, { x: 380, y: 250, width: 180, height: 180 });
  }
  return save(doc);
}

// ---------------------------------------------------------------- main

function write(path: string, bytes: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  console.log(`${String(bytes.length).padStart(9)}  ${path.slice(root.length + 1)}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const bigPagesAt = args.indexOf('--big-pages');
  if (bigPagesAt >= 0) {
    const out = resolve(args[args.indexOf('--out') + 1] ?? '/tmp');
    const pages = Number(args[bigPagesAt + 1]);
    const path = join(out, `image-heavy-${pages}.pdf`);
    mkdirSync(out, { recursive: true });
    writeFileSync(path, await imageHeavyDocument(pages));
    console.log(path);
    return;
  }
  const samples = join(root, 'events', 'documents');
  const clean = await cleanHandout();
  write(join(samples, 'clean-handout.pdf'), clean);
  write(join(samples, 'offensive-text.pdf'), await offensiveText());
  write(join(samples, 'with-images.pdf'), await withImages());
  write(join(samples, 'offensive-image.pdf'), await offensiveImage());
  write(join(samples, 'broken.pdf'), clean.subarray(0, Math.floor(clean.length * 0.6)));
  const hostile = join(root, 'tests', 'fixtures', 'documents', 'hostile');
  for (const [name, make] of Object.entries(await hostileSet(clean))) write(join(hostile, name), await make());
}

await main();
