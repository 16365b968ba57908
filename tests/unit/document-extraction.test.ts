// Every sample and hostile PDF gets a verdict from the extraction functions: text and images out, or a
// DocumentRejectedError with a reason a person understands; never a crash, never a hang.
import { readdirSync, readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { extractImages, type ImageLimits, type ImageSink } from '../../functions/document-moderation/extractImages/images.js';
import type { ImageRef } from '../../functions/document-moderation/shared/contract.js';
import { scanStreams } from '../../functions/document-moderation/shared/pdf-streams.js';
import { extractText } from '../../functions/document-moderation/extractText/text.js';

const SAMPLES = new URL('../../events/documents/', import.meta.url);
const HOSTILE = new URL('../fixtures/documents/hostile/', import.meta.url);
/** Jest fails a test that outlives this; extraction's own deadline comes well before it. */
const NO_HANG_MS = 20_000;
const DEADLINE_MS = 15_000;

const limits: ImageLimits = { maxDocumentBytes: 20 * 1024 * 1024, maxPages: 500, maxImages: 50, imagesPerBatch: 2 };
const keys = { image: (page: number, n: number) => `images/${page}-${n}.png`, manifest: (n: number) => `manifests/${n}.json` };

function read(folder: URL, name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, folder)));
}

class MemorySink implements ImageSink {
  readonly images = new Map<string, Buffer>();
  readonly manifests = new Map<string, ImageRef[]>();
  async putImage(key: string, png: Buffer) {
    this.images.set(key, png);
  }
  async putManifest(key: string, images: ImageRef[]) {
    this.manifests.set(key, images);
  }
  get refs(): ImageRef[] {
    return [...this.manifests.values()].flat();
  }
}

async function images(bytes: Uint8Array, overrides: Partial<ImageLimits> = {}) {
  const sink = new MemorySink();
  const result = await extractImages(bytes, { ...limits, ...overrides }, keys, sink, Date.now() + DEADLINE_MS);
  return { result, sink };
}

const text = (bytes: Uint8Array, overrides: Partial<ImageLimits> = {}) =>
  extractText(bytes, { ...limits, ...overrides }, Date.now() + DEADLINE_MS);

function pixels(png: Buffer): PNG {
  return PNG.sync.read(png);
}

function distinctGrays(png: Buffer): Set<number> {
  const image = pixels(png);
  const values = new Set<number>();
  for (let at = 0; at < image.data.length; at += 4) values.add(image.data[at]!);
  return values;
}

type TextCheck = (text: string, pagesWithoutText: number) => void;
type ImagesCheck = (refs: ImageRef[], sink: MemorySink, undecodable: number) => void;
/** Rejected as a whole; or read, with its text and images checked (`images` a RegExp when only they are refused). */
type Expectation = { rejected: RegExp } | { pages: number; text: TextCheck; images: ImagesCheck | RegExp };

const readable = (pages: number, text: TextCheck, images: ImagesCheck | RegExp): Expectation => ({ pages, text, images });
const noImages: ImagesCheck = (refs, _sink, undecodable) => {
  expect(refs).toEqual([]);
  expect(undecodable).toBe(0);
};
const oneImage = (width: number, height: number): ImagesCheck => (refs, _sink, undecodable) => {
  expect(refs).toEqual([{ imageKey: 'images/1-1.png', page: 1, width, height }]);
  expect(undecodable).toBe(0);
};
const says = (words: string) => (t: string) => expect(t).toContain(words);

const EXPECTED: Record<string, Expectation> = {
  'not-a-pdf.pdf': { rejected: /not a PDF/ },
  'png-named-pdf.pdf': { rejected: /not a PDF/ },
  'zero-bytes.pdf': { rejected: /empty \(0 bytes\)/ },
  'truncated-half.pdf': { rejected: /incomplete.*cut short/ },
  'header-then-garbage.pdf': { rejected: /damaged and cannot be read/ },
  'corrupt-xref.pdf': readable(1, says('its text is not'), noImages),
  'circular-page-tree.pdf': { rejected: /Page 1 of the PDF is damaged/ },
  'encrypted-user-password.pdf': { rejected: /password-protected/ },
  'encrypted-owner-only.pdf': readable(1, says('opens without a password'), noImages),
  'zero-pages.pdf': { rejected: /no pages/ },
  'many-pages.pdf': { rejected: /2500 pages, over the limit of 500/ },
  'bomb-content-stream.pdf': { rejected: /decompression bomb/ },
  'bomb-image.pdf': { rejected: /decompression bomb/ },
  'image-flate-rgb.pdf': readable(1, says('Flate RGB'), oneImage(200, 150)),
  'image-dct-jpeg.pdf': readable(1, says('DCT (JPEG)'), oneImage(160, 160)),
  'image-cmyk.pdf': readable(1, says('CMYK'), oneImage(120, 120)),
  'image-mask-1bit.pdf': readable(1, says('stencil mask'), (refs, sink, undecodable) => {
    oneImage(96, 96)(refs, sink, undecodable);
    expect(distinctGrays(sink.images.get('images/1-1.png')!)).toEqual(new Set([0, 255]));
  }),
  'image-gray-1bit.pdf': readable(1, says('checkerboard'), (refs, sink, undecodable) => {
    oneImage(100, 100)(refs, sink, undecodable);
    expect(distinctGrays(sink.images.get('images/1-1.png')!)).toEqual(new Set([0, 255]));
  }),
  'image-inline.pdf': readable(1, says('inline image'), oneImage(90, 90)),
  'image-ccitt.pdf': readable(1, says('CCITT'), (refs, sink, undecodable) => {
    oneImage(80, 80)(refs, sink, undecodable);
    const image = pixels(sink.images.get('images/1-1.png')!);
    const at = (x: number, y: number) => image.data[(y * 80 + x) * 4];
    // Stripes of 20 pixels: the first and second stripes differ, on every row alike.
    expect(at(10, 5)).not.toBe(at(30, 5));
    expect(at(10, 70)).toBe(at(10, 5));
  }),
  'image-jbig2.pdf': readable(1, says('JBIG2'), (refs, sink, undecodable) => {
    oneImage(80, 80)(refs, sink, undecodable);
    const image = pixels(sink.images.get('images/1-1.png')!);
    const at = (x: number, y: number) => image.data[(y * 80 + x) * 4];
    expect(at(10, 5)).not.toBe(at(30, 5));
    expect(at(50, 70)).toBe(at(10, 5));
  }),
  'image-jpx-damaged.pdf': readable(1, says('JPEG 2000'), (refs, _sink, undecodable) => {
    expect(refs).toEqual([]);
    expect(undecodable).toBe(1);
  }),
  'image-too-small.pdf': readable(1, says('icon-sized'), (refs) => {
    expect(refs).toEqual([
      { imageKey: 'images/1-1.png', page: 1, width: 24, height: 24, skipped: expect.stringMatching(/too small: 24×24/) },
    ]);
  }),
  'image-too-large.pdf': readable(1, says('wider than Rekognition'), (refs, sink) => {
    // 10,200 pixels wide is over Rekognition's 10,000: reduced by 3 to fit, and kept.
    expect(refs).toEqual([{ imageKey: 'images/1-1.png', page: 1, width: 3400, height: 200 }]);
    expect(pixels(sink.images.get('images/1-1.png')!).width).toBe(3400);
  }),
  // Its text is read; its images cannot be checked, so the images branch refuses the document.
  'image-over-pixel-limit.pdf': readable(1, says('81-megapixel'), /1 image\(s\) too large to decode and check, the first of 9000×9000 pixels \(the limit is 40 megapixels\)/),
  'empty-text.pdf': readable(1, (t, empty) => {
    expect(t).toBe('');
    expect(empty).toBe(1);
  }, noImages),
  'scanned-only.pdf': readable(1, (t, empty) => {
    expect(t).toBe('');
    expect(empty).toBe(1);
  }, oneImage(400, 560)),
  'rtl-hebrew.pdf': readable(1, says('שלום לכל חברי מועדון הקריאה\nנפגש ביום חמישי בספרייה'), noImages),
  'rtl-arabic.pdf': readable(1, says('مرحبا بكم في نادي القراءة\nنلتقي يوم الخميس في المكتبة'), noImages),
  'non-english-chinese.pdf': readable(1, says('读书会欢迎大家'), noImages),
  'non-english-french.pdf': readable(1, says('Le club de lecture se réunit jeudi à la bibliothèque.'), noImages),
  'huge-text.pdf': readable(300, (t) => {
    expect(t.length).toBeGreaterThan(1_000_000);
    expect(t).toContain('300.45 The committee read the minutes');
  }, noImages),
  'javascript-action.pdf': readable(1, says('run a script when opened'), noImages),
};

const SAMPLE_EXPECTED: Record<string, Expectation> = {
  'clean-handout.pdf': readable(2, (t) => {
    expect(t).toContain('Reading group: The Remains of the Day');
    expect(t).toContain('Our next book is Never Let Me Go');
  }, noImages),
  'offensive-text.pdf': readable(1, says('You are a worthless idiot and a pathetic moron.'), noImages),
  'with-images.pdf': readable(2, says('Illustrations for our discussion'), (refs, sink) => {
    // Five images drawn, four distinct: the ring map on both pages is extracted once, from page 1.
    expect(refs).toEqual([
      { imageKey: 'images/1-1.png', page: 1, width: 240, height: 160 },
      { imageKey: 'images/1-2.png', page: 1, width: 200, height: 200 },
      { imageKey: 'images/1-3.png', page: 1, width: 16, height: 16, skipped: expect.stringMatching(/too small/) },
      { imageKey: 'images/2-1.png', page: 2, width: 160, height: 120 },
    ]);
    expect([...sink.manifests.keys()]).toEqual(['manifests/1.json', 'manifests/2.json']);
    for (const ref of refs) expect(pixels(sink.images.get(ref.imageKey)!).width).toBe(ref.width);
  }),
  // The local Rekognition stand-in's explicit-nudity test card (a striped card), which its fixture table labels.
  'offensive-image.pdf': readable(1, says('Photos from the summer meeting'), (refs) => {
    expect(refs).toEqual([{ imageKey: 'images/1-1.png', page: 1, width: 160, height: 120 }]);
  }),
  'broken.pdf': { rejected: /incomplete/ },
};

describe.each([
  ['hostile', HOSTILE, EXPECTED],
  ['sample', SAMPLES, SAMPLE_EXPECTED],
])('%s documents', (_set, folder, expected) => {
  it('has a verdict written down for every file in the folder', () => {
    expect(readdirSync(folder).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))(
    '%s',
    async (name, expectation) => {
      const bytes = read(folder, name);
      if ('rejected' in expectation) {
        await expect(text(bytes)).rejects.toMatchObject({ name: 'DocumentRejectedError', message: expect.stringMatching(expectation.rejected) });
        await expect(images(bytes)).rejects.toMatchObject({ name: 'DocumentRejectedError', message: expect.stringMatching(expectation.rejected) });
        return;
      }
      const extracted = await text(bytes);
      expect(extracted.pages).toBe(expectation.pages);
      expectation.text(extracted.text, extracted.pagesWithoutText);
      if (expectation.images instanceof RegExp) {
        await expect(images(bytes)).rejects.toMatchObject({ name: 'DocumentRejectedError', message: expect.stringMatching(expectation.images) });
        return;
      }
      const { result, sink } = await images(bytes);
      expect(result.pages).toBe(expectation.pages);
      expect(result.imageCount).toBe(sink.refs.length);
      expect(result.imageBatches).toEqual([...sink.manifests.keys()]);
      expectation.images(sink.refs, sink, result.undecodable);
    },
    NO_HANG_MS,
  );
});

it('holds at least twenty hostile files', () => {
  expect(Object.keys(EXPECTED).length).toBeGreaterThanOrEqual(20);
});

describe('limits from config', () => {
  const handout = () => read(SAMPLES, 'clean-handout.pdf');

  it('rejects a file over the size limit before parsing it', async () => {
    await expect(text(handout(), { maxDocumentBytes: 1000 })).rejects.toMatchObject({
      name: 'DocumentRejectedError',
      message: 'The file is 0 MB, over the 0 MB limit for documents.',
    });
  });

  it('rejects a document over the page limit', async () => {
    await expect(text(handout(), { maxPages: 1 })).rejects.toThrow('The PDF has 2 pages, over the limit of 1 pages per document.');
  });

  it('rejects a document with more distinct images than allowed, rather than checking some of them', async () => {
    await expect(images(read(SAMPLES, 'with-images.pdf'), { maxImages: 3 })).rejects.toThrow(/more than 3 distinct images/);
    await expect(images(read(SAMPLES, 'with-images.pdf'), { maxImages: 4 })).resolves.toBeDefined();
  });

  it('lists at most imagesPerBatch images per manifest', async () => {
    const { sink } = await images(read(SAMPLES, 'with-images.pdf'), { imagesPerBatch: 3 });
    expect([...sink.manifests.values()].map((batch) => batch.length)).toEqual([3, 1]);
  });

  it('gives up with a verdict when the deadline passes instead of running on', async () => {
    await expect(extractText(read(HOSTILE, 'huge-text.pdf'), limits, Date.now() + 50)).rejects.toMatchObject({
      name: 'DocumentRejectedError',
      message: expect.stringMatching(/takes too long to read/),
    });
  });
});

describe('writing images', () => {
  it('overlaps writes, at most eight at a time, and has them all done before it returns', async () => {
    let inFlight = 0;
    let most = 0;
    const done: string[] = [];
    const slowWrite = async (key: string) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight -= 1;
      done.push(key);
    };
    const sink: ImageSink = { putImage: (key) => slowWrite(key), putManifest: (key) => slowWrite(key) };
    const result = await extractImages(read(SAMPLES, 'with-images.pdf'), limits, keys, sink, Date.now() + DEADLINE_MS);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8);
    expect(done.sort()).toEqual([...result.imageBatches, 'images/1-1.png', 'images/1-2.png', 'images/1-3.png', 'images/2-1.png'].sort());
  });

  it('fails with the write error rather than returning a manifest of images that are not there', async () => {
    const refused = new Error('refused');
    const sink: ImageSink = {
      putImage: async (key) => {
        if (key === 'images/1-2.png') throw refused;
      },
      putManifest: async () => undefined,
    };
    await expect(extractImages(read(SAMPLES, 'with-images.pdf'), limits, keys, sink, Date.now() + DEADLINE_MS)).rejects.toBe(refused);
  });
});

describe('scanStreams', () => {
  it('measures what compressed streams expand to without keeping it', async () => {
    const scan = await scanStreams(read(HOSTILE, 'image-too-large.pdf'));
    expect(scan.decodedBytes).toBeGreaterThanOrEqual(10200 * 600);
    expect(scan.oversizedImages).toEqual([]);
  });

  it('stops a bomb at the per-stream limit, and a sum of streams at the per-document limit', async () => {
    const bytes = read(HOSTILE, 'image-flate-rgb.pdf');
    const base = { maxImagePixels: 40_000_000, maxDecodedBytesPerDocument: 10 ** 9 };
    await expect(scanStreams(bytes, { ...base, maxDecodedBytesPerStream: 1000 })).rejects.toThrow(/expands to more than/);
    await expect(scanStreams(bytes, { ...base, maxDecodedBytesPerStream: 10 ** 9, maxDecodedBytesPerDocument: 1000 })).rejects.toThrow(
      /in all/,
    );
  });
});
