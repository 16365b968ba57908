// The Rekognition stand-in, exercised through the real @aws-sdk/client-rekognition, with images read from
// fauxqs's S3: shapes, limits, AWS's errors, the fixture table and the classifier on generated images.
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DetectModerationLabelsCommand, RekognitionClient, type DetectModerationLabelsCommandInput } from '@aws-sdk/client-rekognition';
import { buildApp } from 'fauxqs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { fixtureCardPixels, fixtureCardPng } from '../../local/rekognition/fixture-images.js';
import { pixelSha256 } from '../../local/rekognition/image.js';
import { startRekognitionServer, type RekognitionServer } from '../../local/rekognition/server.js';
import { lineage } from '../../local/rekognition/taxonomy.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const BUCKET = 'documents';
const logged: string[] = [];
let messaging: ReturnType<typeof buildApp>;
let s3: S3Client;
let server: RekognitionServer;
let rekognition: RekognitionClient;

/** A generated picture: a smooth colour gradient with a few shapes, nothing a person could find offensive. */
function gradient(width: number, height: number, seed = 0): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const inCircle = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 4) ** 2;
      rgba[i] = inCircle ? 30 : (x * 255) / width;
      rgba[i + 1] = inCircle ? 90 + seed : (y * 255) / height;
      rgba[i + 2] = (seed * 40 + 128) % 256;
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}

function png(width: number, height: number, rgba: Uint8Array = gradient(width, height), colorType: 2 | 6 = 6): Buffer {
  const image = new PNG({ width, height });
  image.data = Buffer.from(rgba);
  return PNG.sync.write(image, { colorType });
}

const jpegOf = (width: number, height: number, rgba = gradient(width, height)): Buffer =>
  jpeg.encode({ width, height, data: Buffer.from(rgba) }, 85).data;

const detect = (input: DetectModerationLabelsCommandInput) => rekognition.send(new DetectModerationLabelsCommand(input));

async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to be rejected');
}

beforeAll(async () => {
  messaging = buildApp({ logger: false, host: 'localhost', defaultRegion: 'us-east-1' });
  const s3Endpoint = await messaging.listen({ port: 0, host: '127.0.0.1' });
  s3 = new S3Client({ endpoint: s3Endpoint, forcePathStyle: true, region: 'us-east-1', credentials });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  server = await startRekognitionServer({ s3Endpoint, log: (line) => logged.push(line) });
  rekognition = new RekognitionClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  await server.ready();
});

afterAll(async () => {
  rekognition.destroy();
  s3.destroy();
  await server.close();
  await messaging.close();
});

afterEach(() => server.setFaults({}));

describe('answers in Rekognition shapes', () => {
  it('listens on 127.0.0.1 and says which engine labels images', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stats().engine).toMatch(/^nsfwjs 4\.4\.0 MobileNetV2Mid/);
  });

  it('labels PNG bytes with v7 labels, parents and taxonomy levels; MinConfidence 0 shows every score', async () => {
    const answer = await detect({ Image: { Bytes: png(300, 200) }, MinConfidence: 0 });
    expect(answer.ModerationModelVersion).toMatch(/^7\.0 \(local nsfwjs/);
    const names = answer.ModerationLabels?.map((l) => l.Name);
    expect(names).toEqual(['Explicit', 'Explicit Nudity', 'Non-Explicit Nudity of Intimate parts and Kissing', 'Non-Explicit Nudity']);
    for (const label of answer.ModerationLabels ?? []) {
      expect(label.Confidence).toBeGreaterThanOrEqual(0);
      expect(label.Confidence).toBeLessThanOrEqual(100);
      const chain = lineage(label.Name as string);
      expect(label.TaxonomyLevel).toBe(chain.length);
      expect(label.ParentName).toBe(chain.at(-2)?.name ?? '');
    }
    const [explicit, explicitNudity] = answer.ModerationLabels ?? [];
    expect(explicit?.Confidence).toBe(explicitNudity?.Confidence);
    expect(answer.ContentTypes?.[0]?.Name).toBe('Illustrated');
  });

  it('reads JPEG, with alpha-free RGB, and reports nothing at the default MinConfidence for harmless generated pictures', async () => {
    for (const [i, bytes] of [jpegOf(320, 240), png(224, 224, gradient(224, 224, 3)), jpegOf(1200, 90, gradient(1200, 90, 5))].entries()) {
      const answer = await detect({ Image: { Bytes: bytes } });
      expect({ i, labels: answer.ModerationLabels }).toEqual({ i, labels: [] });
    }
  });

  it('reads an S3 object from the local S3, with or without a version', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'derived/doc-1/images/p1-0.png', Body: png(400, 300) }));
    const answer = await detect({ Image: { S3Object: { Bucket: BUCKET, Name: 'derived/doc-1/images/p1-0.png' } }, MinConfidence: 0 });
    expect(answer.ModerationLabels).toHaveLength(4);
  });
});

describe('the fixture table drives what no committed image may show', () => {
  it('answers the written labels, with ancestors, for a card sent as bytes, and says so', async () => {
    const before = server.stats().fixtureHits;
    const answer = await detect({ Image: { Bytes: fixtureCardPng('explicit-nudity') } });
    expect(answer.ModerationModelVersion).toBe('7.0 (local fixture table)');
    expect(answer.ModerationLabels).toEqual([
      { Name: 'Explicit', ParentName: '', Confidence: 98.6, TaxonomyLevel: 1 },
      { Name: 'Explicit Nudity', ParentName: 'Explicit', Confidence: 98.6, TaxonomyLevel: 2 },
      { Name: 'Exposed Female Nipple', ParentName: 'Explicit Nudity', Confidence: 97.2, TaxonomyLevel: 3 },
    ]);
    expect(server.stats().fixtureHits).toBe(before + 1);
    expect(logged.at(-1)).toMatch(/explicit-nudity\) come from the fixture table, not the classifier/);
  });

  it('keys on pixels too, so a card re-encoded without loss (other file bytes) still matches; MinConfidence filters', async () => {
    const { width, height, rgba } = fixtureCardPixels('graphic-violence');
    // Written as RGB without alpha: other bytes, the same pixels.
    const reencoded = png(width, height, rgba, 2);
    expect(reencoded.equals(fixtureCardPng('graphic-violence'))).toBe(false);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'derived/doc-2/images/p3-1.png', Body: reencoded }));
    const answer = await detect({ Image: { S3Object: { Bucket: BUCKET, Name: 'derived/doc-2/images/p3-1.png' } }, MinConfidence: 80 });
    expect(answer.ModerationLabels?.map((l) => [l.Name, l.ParentName])).toEqual([
      ['Violence', ''],
      ['Graphic Violence', 'Violence'],
      ['Blood & Gore', 'Graphic Violence'],
    ]);
  });

  it('takes more entries from options, keyed by file bytes, and refuses unknown label names at start', async () => {
    const bytes = jpegOf(100, 100, gradient(100, 100, 9));
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const extra = await startRekognitionServer({
      s3Endpoint: 'http://127.0.0.1:9',
      preload: false,
      fixtures: [{ sha256, labels: [{ Name: 'Middle Finger', Confidence: 88 }] }],
      log: () => undefined,
    });
    const client = new RekognitionClient({ endpoint: extra.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const answer = await client.send(new DetectModerationLabelsCommand({ Image: { Bytes: bytes } }));
      expect(answer.ModerationLabels?.map((l) => l.Name)).toEqual(['Rude Gestures', 'Middle Finger']);
      expect(extra.stats()).toMatchObject({ fixtureHits: 1, classified: 0, engine: undefined, fixtureTable: { entries: 4 } });
    } finally {
      client.destroy();
      await extra.close();
    }
    await expect(
      startRekognitionServer({ s3Endpoint: 'http://127.0.0.1:9', preload: false, fixtures: [{ sha256: 'ab', labels: [{ Name: 'Nudity', Confidence: 90 }] }] }),
    ).rejects.toThrow(/not a label of Rekognition's moderation taxonomy/);
    expect(pixelSha256(fixtureCardPixels('hate-symbol'))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("Rekognition's limits and errors", () => {
  it.each([
    ['bytes that are no image', 'InvalidImageFormatException', Buffer.from('%PDF-1.7 not an image')],
    ['a GIF', 'InvalidImageFormatException', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')],
    ['a truncated PNG', 'InvalidImageFormatException', png(200, 200).subarray(0, 120)],
    ['a truncated JPEG', 'InvalidImageFormatException', jpegOf(200, 200).subarray(0, 300)],
    ['an image under 80 pixels on a side', 'InvalidParameterException', png(79, 200)],
    ['an image over 10,000 pixels on a side', 'ImageTooLargeException', png(10_001, 80, new Uint8Array(10_001 * 80 * 4))],
  ])('%s -> %s', async (_name, type, bytes) => {
    const err = await rejection(detect({ Image: { Bytes: bytes } }));
    expect(err.name).toBe(type);
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses Bytes over 5 MB and S3 objects over 15 MB with ImageTooLargeException', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1);
    big.set([0x89, 0x50, 0x4e, 0x47]);
    expect((await rejection(detect({ Image: { Bytes: big } }))).name).toBe('ImageTooLargeException');
    // fauxqs takes at most 11 MiB per request: the 15 MB object goes up in two parts.
    const Key = 'derived/huge.png';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
    const parts = [];
    for (const [index, size] of [8 * 1024 * 1024, 7 * 1024 * 1024 + 1].entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: index + 1, Body: Buffer.alloc(size) }));
      parts.push({ ETag, PartNumber: index + 1 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId, MultipartUpload: { Parts: parts } }));
    expect((await rejection(detect({ Image: { S3Object: { Bucket: BUCKET, Name: 'derived/huge.png' } } }))).name).toBe('ImageTooLargeException');
  });

  it('answers InvalidS3ObjectException for a missing key or bucket', async () => {
    for (const S3Object of [{ Bucket: BUCKET, Name: 'derived/none.png' }, { Bucket: 'no-such-bucket', Name: 'a.png' }]) {
      const err = await rejection(detect({ Image: { S3Object } }));
      expect(err.name).toBe('InvalidS3ObjectException');
      expect(err.message).toMatch(/Unable to get object metadata from S3/);
    }
  });

  it.each([
    ['both Bytes and S3Object', { Image: { Bytes: png(100, 100), S3Object: { Bucket: BUCKET, Name: 'a.png' } } }],
    ['neither', { Image: {} }],
    ['no Image', {}],
    ['an S3Object without Name', { Image: { S3Object: { Bucket: BUCKET } } }],
    ['MinConfidence over 100', { Image: { Bytes: png(100, 100) }, MinConfidence: 100.5 }],
    ['MinConfidence below 0', { Image: { Bytes: png(100, 100) }, MinConfidence: -1 }],
  ])('%s -> InvalidParameterException', async (_name, input) => {
    expect((await rejection(detect(input as DetectModerationLabelsCommandInput))).name).toBe('InvalidParameterException');
  });

  it('throttles on demand with ThrottlingException, and counts it', async () => {
    server.setFaults({ throttleRate: 1 });
    const before = server.stats().throttled;
    expect((await rejection(detect({ Image: { Bytes: png(100, 100) } }))).name).toBe('ThrottlingException');
    expect(server.stats().throttled).toBe(before + 1);
  });

  it('answers UnknownOperationException for an operation it does not offer', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'RekognitionService.DetectLabels' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });
});
