// Cutting UTF-8 text into DetectToxicContent's segments: at most 1 KB each, at a sentence end or a space
// where one is near, and never inside a multi-byte character.

/** DetectToxicContent takes segments of at most 1 KB; 1,000 bytes fits whichever way a service counts a KB. */
export const SEGMENT_MAX_BYTES = 1000;
/** DetectToxicContent takes at most 10 segments per call. */
export const SEGMENTS_PER_CALL = 10;

export interface Segment {
  /** Byte offsets in the buffer the segment was cut from: [start, end). */
  start: number;
  end: number;
  text: string;
}

const utf8 = new TextDecoder('utf-8');

const isSpace = (byte: number | undefined) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
const isSentenceEnd = (byte: number | undefined) => byte === 0x2e || byte === 0x21 || byte === 0x3f;
/** A byte that continues a multi-byte character (10xxxxxx): no character starts there. */
const isContinuation = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80;

/** The largest character boundary at or before `offset`. */
export function characterBoundary(bytes: Uint8Array, offset: number, floor = 0): number {
  let end = Math.min(offset, bytes.length);
  while (end > floor && isContinuation(bytes[end])) end--;
  return end;
}

/**
 * Where a segment starting at `start` ends, at most `maxBytes` later: after the last sentence end (".", "!"
 * or "?" then a space, or a line break) in the segment's second half; else after its last space; else at
 * the last character boundary.
 */
export function segmentEnd(bytes: Uint8Array, start: number, maxBytes = SEGMENT_MAX_BYTES): number {
  const limit = start + maxBytes;
  if (limit >= bytes.length) return bytes.length;
  const half = start + Math.floor(maxBytes / 2);
  for (let i = limit - 1; i >= half; i--) {
    if (bytes[i] === 0x0a || (isSpace(bytes[i]) && isSentenceEnd(bytes[i - 1]))) return i + 1;
  }
  for (let i = limit - 1; i > start; i--) if (isSpace(bytes[i])) return i + 1;
  const boundary = characterBoundary(bytes, limit, start);
  // Only a buffer that starts mid-character could leave no boundary at all: take the bytes as they are.
  return boundary > start ? boundary : limit;
}

/** The text cut to at most `maxBytes` of UTF-8 (a decoder's replacement characters may have lengthened it). */
export function fitUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  return utf8.decode(bytes.subarray(0, characterBoundary(bytes, maxBytes)));
}

/**
 * Up to `maxSegments` segments from the start of `bytes`, which must begin at a character boundary.
 * `reachesEnd` says whether the buffer holds the rest of the text: when it does not, the last bytes (less
 * than a full segment) stay for the next read, so no segment is cut short by where the read stopped.
 * Whitespace-only segments are consumed but not returned. `consumed` is where the next read starts.
 */
export function segmentText(bytes: Uint8Array, maxSegments: number, reachesEnd: boolean): { segments: Segment[]; consumed: number } {
  const segments: Segment[] = [];
  let position = 0;
  while (segments.length < maxSegments && position < bytes.length) {
    if (!reachesEnd && bytes.length - position <= SEGMENT_MAX_BYTES) break;
    const end = segmentEnd(bytes, position);
    const text = fitUtf8(utf8.decode(bytes.subarray(position, end)).trim(), SEGMENT_MAX_BYTES);
    if (text.length > 0) segments.push({ start: position, end, text });
    position = end;
  }
  return { segments, consumed: position };
}

/** Consecutive groups of at most `size`: the segments of each call. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let index = 0; index < items.length; index += size) groups.push(items.slice(index, index + size));
  return groups;
}
