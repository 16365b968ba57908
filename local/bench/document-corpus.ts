// Generated PDFs for the document benchmarks: a given number of pages, distinct images per page and characters
// of clean English text per page, the same bytes for the same profile and seed. Nothing is written to the
// repository; every image is a seeded texture or a chart and depicts nothing.
import { createCipheriv, createHash } from 'node:crypto';
import jpeg from 'jpeg-js';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { PNG } from 'pngjs';

export interface PdfProfile {
  pages: number;
  /** Distinct images painted on each page: JPEG photographs-like textures and PNG charts, alternately. */
  imagesPerPage: number;
  /** Characters of text on each page (Helvetica 10 pt lines; a full A4 page holds about 3,500). */
  textCharsPerPage: number;
  /** Width of the images in pixels (default 640; charts are a little smaller); heights follow at 7:10. */
  imageWidth?: number;
  seed?: number;
}

const FIXED_DATE = new Date('2026-11-01T09:00:00Z');
const PAGE: [number, number] = [595, 842];
const WORDS = (
  'the club read chapter book author reader story novel character page meeting discuss question theme ' +
  'garden letter journey morning village house friend river winter summer evening music memory library ' +
  'quiet careful bright gentle curious patient honest simple old new long short warm cold early late'
).split(' ');

/** Deterministic pseudo-random bytes and numbers: AES-128-CTR's keystream under a key made from the seed. */
export interface SeededStream {
  bytes(count: number): Buffer;
  /** A number in [0, 1). */
  random(): number;
}

export function seededStream(seed: number): SeededStream {
  const key = createHash('sha256').update(`document-corpus:${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const bytes = (count: number) => cipher.update(Buffer.alloc(count));
  let block = Buffer.alloc(0);
  let at = 0;
  return {
    bytes,
    random() {
      if (at + 4 > block.length) {
        block = bytes(4096);
        at = 0;
      }
      const value = block.readUInt32LE(at);
      at += 4;
      return value / 2 ** 32;
    },
  };
}

/** Sentences of ordinary words, `chars` characters long, from the seeded generator. */
export function prose(stream: SeededStream, chars: number): string {
  const random = () => stream.random();
  let text = '';
  while (text.length < chars) {
    const words = Array.from({ length: 6 + Math.floor(random() * 10) }, () => WORDS[Math.floor(random() * WORDS.length)] as string);
    const sentence = words.join(' ');
    text += `${sentence[0]!.toUpperCase()}${sentence.slice(1)}. `;
  }
  return text.slice(0, chars);
}

/** A gradient with seeded grain: compresses like a photograph, and no two are alike. */
function texture(width: number, height: number, stream: SeededStream): Buffer {
  const rgba = Buffer.alloc(width * height * 4);
  const tint = Math.floor(stream.random() * 200);
  const grains = stream.bytes(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const grain = ((grains[y * width + x] as number) % 24) - 12;
      const at = (y * width + x) * 4;
      rgba[at] = Math.max(0, Math.min(255, Math.round((255 * x) / width) + grain));
      rgba[at + 1] = Math.max(0, Math.min(255, Math.round((255 * y) / height) + grain));
      rgba[at + 2] = Math.max(0, Math.min(255, tint + grain));
      rgba[at + 3] = 255;
    }
  }
  return rgba;
}

/** Bars of seeded heights on white: a chart, as handouts carry. */
function chart(width: number, height: number, stream: SeededStream): Buffer {
  const random = () => stream.random();
  const rgba = Buffer.alloc(width * height * 4, 250);
  const bars = 6 + Math.floor(random() * 6);
  const heights = Array.from({ length: bars }, () => Math.floor(height * (0.2 + 0.75 * random())));
  for (let x = 0; x < width; x += 1) {
    const bar = Math.floor((x / width) * bars);
    const inBar = (x % Math.ceil(width / bars)) > 4;
    for (let y = height - (heights[bar] ?? 0); y < height && inBar; y += 1) {
      const at = (y * width + x) * 4;
      rgba[at] = 30;
      rgba[at + 1] = 90 + bar * 10;
      rgba[at + 2] = 160;
    }
  }
  return rgba;
}

/** A PDF of the profile, with pdf-lib. */
export async function generatePdf(profile: PdfProfile): Promise<Buffer> {
  const stream = seededStream(profile.seed ?? 1);
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(`Benchmark document: ${profile.pages} pages`);
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const lineChars = 95;
  const photoWidth = profile.imageWidth ?? 640;
  const chartWidth = Math.round(photoWidth * 0.78);
  for (let n = 0; n < profile.pages; n += 1) {
    const page = doc.addPage(PAGE);
    const text = prose(stream, profile.textCharsPerPage);
    let y = 800;
    for (let at = 0; at < text.length && y > 40; at += lineChars, y -= 13) {
      page.drawText(text.slice(at, at + lineChars), { x: 40, y, size: 10, font, color: rgb(0.1, 0.1, 0.1) });
    }
    for (let i = 0; i < profile.imagesPerPage; i += 1) {
      const slot = { x: 40 + (i % 2) * 270, y: 420 - Math.floor(i / 2) * 190, width: 250, height: 175 };
      if (i % 2 === 0) {
        const [width, height] = [photoWidth, Math.round(photoWidth * 0.7)];
        const image = await doc.embedJpg(jpeg.encode({ data: texture(width, height, stream), width, height }, 75).data);
        page.drawImage(image, slot);
      } else {
        const [width, height] = [chartWidth, Math.round(chartWidth * 0.7)];
        const png = new PNG({ width, height });
        png.data = chart(width, height, stream);
        page.drawImage(await doc.embedPng(PNG.sync.write(png, { colorType: 2, deflateLevel: 1 })), slot);
      }
    }
  }
  return Buffer.from(await doc.save({ useObjectStreams: true }));
}
