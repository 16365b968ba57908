// Turns the pixels pdfjs decodes (1-bit, RGB or RGBA, or a 1-bit stencil mask) into a PNG Rekognition
// accepts (gray, RGB or RGBA), scaled down when it is larger than moderation needs.
import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import { EXTRACTED_IMAGE_MAX_SIDE, REKOGNITION_MAX_S3_OBJECT_BYTES } from './image-limits.js';

/** pdfjs's ImageKind: how the decoded pixels are packed. */
export const PixelKind = { GRAYSCALE_1BPP: 1, RGB_24BPP: 2, RGBA_32BPP: 3 } as const;

/** An image as pdfjs hands it over: `kind` is absent for stencil masks, which are packed 1-bit. */
export interface DecodedImage {
  width: number;
  height: number;
  kind?: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Pixels as PNG stores them: 1 channel (gray), 3 (RGB) or 4 (RGBA), 8 bits each. */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Buffer;
}

const PNG_COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

function view(data: Uint8Array | Uint8ClampedArray, length: number): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, Math.min(length, data.byteLength));
}

function unpackBits(source: Uint8Array | Uint8ClampedArray, width: number, height: number): Buffer {
  // As pdfjs paints them: a 0 bit is black, a 1 bit white (masks arrive with their Decode already applied).
  const gray = Buffer.alloc(width * height);
  const rowBytes = (width + 7) >> 3;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const byte = source[y * rowBytes + (x >> 3)] ?? 0xff;
      gray[y * width + x] = (byte >> (7 - (x & 7))) & 1 ? 255 : 0;
    }
  }
  return gray;
}

/** RGBA whose every pixel is opaque loses its alpha channel: a quarter fewer bytes to compress and store. */
function withoutOpaqueAlpha(rgba: Buffer, pixels: number): Buffer | undefined {
  for (let at = 3; at < rgba.length; at += 4) if (rgba[at] !== 255) return undefined;
  const rgb = Buffer.alloc(pixels * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return rgb;
}

/** The decoded image as PNG-ready pixels, without copying when pdfjs's layout is already PNG's. */
export function toPixels(image: DecodedImage): Pixels {
  const { width, height, data } = image;
  const count = width * height;
  if (image.kind === PixelKind.RGB_24BPP) return { width, height, channels: 3, data: view(data, count * 3) };
  if (image.kind === PixelKind.RGBA_32BPP) {
    const rgba = view(data, count * 4);
    const rgb = withoutOpaqueAlpha(rgba, count);
    return rgb ? { width, height, channels: 3, data: rgb } : { width, height, channels: 4, data: rgba };
  }
  return { width, height, channels: 1, data: unpackBits(data, width, height) };
}

/** Box-filter reduction by an integer factor: every source pixel counts once, no aliasing of fine detail. */
export function reduce(image: Pixels, factor: number): Pixels {
  if (factor <= 1) return image;
  const { channels } = image;
  const width = Math.max(1, Math.floor(image.width / factor));
  const height = Math.max(1, Math.floor(image.height / factor));
  const data = Buffer.alloc(width * height * channels);
  const source = image.data;
  const area = factor * factor;
  const sums = new Uint32Array(channels);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      sums.fill(0);
      for (let dy = 0; dy < factor; dy += 1) {
        let at = ((y * factor + dy) * image.width + x * factor) * channels;
        for (let dx = 0; dx < factor; dx += 1) {
          for (let c = 0; c < channels; c += 1, at += 1) sums[c]! += source[at]!;
        }
      }
      const out = (y * width + x) * channels;
      for (let c = 0; c < channels; c += 1) data[out + c] = Math.round(sums[c]! / area);
    }
  }
  return { width, height, channels, data };
}

export function encodePng(image: Pixels): Buffer {
  const colorType = PNG_COLOR_TYPE[image.channels];
  const png = new PNG({ width: image.width, height: image.height, colorType, inputColorType: colorType });
  png.data = image.data;
  // Input laid out as the output (pngjs then copies nothing), one fixed filter (Up) and level 6: pngjs's
  // default tries every filter on every row at level 9, several times slower for a few percent fewer bytes.
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: image.channels === 4, filterType: 2, deflateLevel: 6 });
}

export interface EncodedImage {
  png: Buffer;
  width: number;
  height: number;
  /** The factor the image was reduced by (1 when kept at full size). */
  reducedBy: number;
}

/**
 * Reduces the image until its longer side fits EXTRACTED_IMAGE_MAX_SIDE and its PNG fits Rekognition's
 * S3 object limit (noise compresses badly, so the second check can halve it again).
 */
export function encodeForModeration(image: Pixels): EncodedImage {
  let factor = Math.max(1, Math.ceil(Math.max(image.width, image.height) / EXTRACTED_IMAGE_MAX_SIDE));
  for (;;) {
    const reduced = reduce(image, factor);
    const png = encodePng(reduced);
    if (png.length <= REKOGNITION_MAX_S3_OBJECT_BYTES || Math.max(reduced.width, reduced.height) <= 1) {
      return { png, width: reduced.width, height: reduced.height, reducedBy: factor };
    }
    factor *= 2;
  }
}

/** Same pixels, same fingerprint: the one image drawn on many pages is extracted once. */
export function fingerprint(image: Pixels): string {
  return createHash('sha256').update(`${image.width}x${image.height}x${image.channels}:`).update(image.data).digest('hex');
}
