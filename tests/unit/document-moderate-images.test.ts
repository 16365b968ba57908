import { DetectModerationLabelsCommand, RekognitionClient, type ModerationLabel as RekognitionLabel } from '@aws-sdk/client-rekognition';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/document-moderation/moderateImages/handler.js';
import { MAX_FLAGGED_LISTED_PER_BATCH, MAX_LABELS_PER_FLAGGED_IMAGE, offendingLabels, summarize, toModerationLabel } from '../../functions/document-moderation/moderateImages/image-policy.js';
import { parseManifest } from '../../functions/document-moderation/moderateImages/manifest.js';
import type { ImageRef, ModerateImagesInput, ModerateImagesOutput, ModerationLabel } from '../../functions/document-moderation/shared/contract.js';
import { awsError, lambdaContext, sampleEvent } from '../helpers/lambda.js';

const s3 = mockClient(S3Client);
const rekognition = mockClient(RekognitionClient);
const input = sampleEvent<ModerateImagesInput>('moderateImages');
const context = lambdaContext('moderateImages');
const prefix = `derived/${input.document.documentId}/images/`;

const label = (name: string, confidence: number, parentName?: string): ModerationLabel => ({ name, confidence, ...(parentName ? { parentName } : {}) });
const rekognitionLabel = (name: string, confidence: number, parent = '', level = 1): RekognitionLabel => ({
  Name: name,
  ParentName: parent,
  Confidence: confidence,
  TaxonomyLevel: level,
});
const image = (index: number, overrides: Partial<ImageRef> = {}): ImageRef => ({ imageKey: `${prefix}p${index}.png`, page: index, width: 640, height: 480, ...overrides });
const manifestBody = (images: unknown) => ({ Body: { transformToString: async () => JSON.stringify(images) } as never, ContentLength: 100 });
const moderate = (event: unknown = input) => handler(event as ModerateImagesInput, context) as Promise<ModerateImagesOutput>;

beforeAll(() => {
  process.env.DOCUMENTS_BUCKET = 'documents-bucket';
  process.env.DERIVED_PREFIX = 'derived/';
  process.env.MODERATION_MIN_CONFIDENCE = '60';
  process.env.IMAGE_MODERATION_CONCURRENCY = '2';
});
beforeEach(() => {
  s3.reset();
  rekognition.reset();
});

describe('offendingLabels (the book club policy)', () => {
  it('flags explicit nudity by its most specific label', () => {
    const labels = [label('Explicit', 98), label('Explicit Nudity', 97, 'Explicit'), label('Exposed Female Nipple', 96.5, 'Explicit Nudity')];
    expect(offendingLabels(labels)).toEqual([label('Exposed Female Nipple', 96.5, 'Explicit Nudity')]);
  });

  it.each([
    ['a kiss', [label('Non-Explicit Nudity of Intimate parts and Kissing', 90), label('Kissing on the Lips', 90, 'Non-Explicit Nudity of Intimate parts and Kissing')]],
    ['a bare back', [label('Non-Explicit Nudity', 80, 'Non-Explicit Nudity of Intimate parts and Kissing'), label('Bare Back', 80, 'Non-Explicit Nudity')]],
    ['a pistol on a thriller cover', [label('Violence', 85), label('Weapons', 85, 'Violence')]],
    ['a glass of wine', [label('Alcohol', 92), label('Alcoholic Beverages', 92, 'Alcohol')]],
    ['a swimsuit', [label('Swimwear or Underwear', 88), label('Female Swimwear or Underwear', 88, 'Swimwear or Underwear')]],
    ['a pipe', [label('Drugs & Tobacco', 75), label('Products', 75, 'Drugs & Tobacco')]],
    ['a card table', [label('Gambling', 70), label('Gambling', 70, 'Gambling')]],
    ['nothing', []],
  ])('lets %s through', (_case, labels) => {
    expect(offendingLabels(labels)).toEqual([]);
  });

  it('flags graphic violence beside a tolerated weapon', () => {
    const labels = [label('Violence', 95), label('Weapons', 90, 'Violence'), label('Graphic Violence', 93, 'Violence'), label('Blood & Gore', 93, 'Graphic Violence')];
    expect(offendingLabels(labels)).toEqual([label('Blood & Gore', 93, 'Graphic Violence')]);
  });

  it('finds the category of a label whose parents the answer left out', () => {
    expect(offendingLabels([label('Blood & Gore', 91, 'Graphic Violence')])).toHaveLength(1);
    expect(offendingLabels([label('Middle Finger', 97, 'Rude Gestures')])).toHaveLength(1);
    expect(offendingLabels([label('Alcohol Use', 97, 'Alcohol')])).toHaveLength(0);
  });

  it('flags a top-level category on its own, and hate symbols always', () => {
    expect(offendingLabels([label('Hate Symbols', 81)])).toEqual([label('Hate Symbols', 81)]);
    expect(offendingLabels([label('Visually Disturbing', 70)])).toHaveLength(1);
  });

  it('survives a malformed answer whose labels name each other as parents', () => {
    expect(offendingLabels([label('A', 90, 'B'), label('B', 90, 'A')])).toEqual([]);
  });

  it('keeps the highest-confidence labels, at most a few per image', () => {
    const labels = ['Exposed Male Genitalia', 'Exposed Female Genitalia', 'Exposed Buttocks or Anus', 'Exposed Female Nipple', 'Explicit Sexual Activity', 'Sex Toys'].map(
      (name, index) => label(name, 60 + index, name.startsWith('Exposed') ? 'Explicit Nudity' : 'Explicit'),
    );
    const kept = offendingLabels([label('Explicit', 99), label('Explicit Nudity', 99, 'Explicit'), ...labels]);
    expect(kept).toHaveLength(MAX_LABELS_PER_FLAGGED_IMAGE);
    expect(kept[0]?.name).toBe('Sex Toys');
  });

  it("reads Rekognition's labels: no parent for top-level ones, confidence to one decimal", () => {
    expect(toModerationLabel(rekognitionLabel('Explicit', 98.7654))).toEqual({ name: 'Explicit', confidence: 98.8 });
    expect(toModerationLabel(rekognitionLabel('Explicit Nudity', 97.01, 'Explicit', 2))).toEqual({ name: 'Explicit Nudity', parentName: 'Explicit', confidence: 97 });
    expect(toModerationLabel({ Confidence: 50 })).toBeUndefined();
  });
});

describe('summarize', () => {
  it('counts moderated and skipped images and lists the flagged ones with their pages', () => {
    const output = summarize(
      [
        { image: image(1), labels: [label('Rude Gestures', 90), label('Middle Finger', 90, 'Rude Gestures')] },
        { image: image(2), labels: [] },
        { image: image(3), skipped: 'InvalidImageFormatException: bad' },
      ],
      2,
    );
    expect(output).toEqual({
      moderated: 2,
      skipped: 3,
      offensive: true,
      flagged: [{ imageKey: `${prefix}p1.png`, page: 1, labels: [label('Middle Finger', 90, 'Rude Gestures')] }],
      flaggedCount: 1,
    });
  });

  it('lists the first few flagged images of a batch and counts them all', () => {
    const results = Array.from({ length: 25 }, (_, index) => ({ image: image(index + 1), labels: [label('Hate Symbols', 90)] }));
    const output = summarize(results, 0);
    expect(output.flagged.map((flagged) => flagged.page)).toEqual(Array.from({ length: MAX_FLAGGED_LISTED_PER_BATCH }, (_, index) => index + 1));
    expect(output).toMatchObject({ moderated: 25, offensive: true, flaggedCount: 25 });
    expect(JSON.stringify(output).length).toBeLessThan(3_000);
  });
});

describe('parseManifest', () => {
  it('reads a JSON array of image references, keeping skip reasons', () => {
    const images = [image(1), image(2, { skipped: 'smaller than 50 pixels' })];
    expect(parseManifest(JSON.stringify(images), 'm', 'derived/')).toEqual(images);
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['not an array', '{"imageKey":"derived/a.png"}', 'not a JSON array'],
    ['an entry without a key', JSON.stringify([{ page: 1, width: 1, height: 1 }]), 'entry 0 has no imageKey under derived/'],
    ['a key outside derived/', JSON.stringify([image(1, { imageKey: 'uploads/secret.pdf' })]), 'entry 0 has no imageKey under derived/'],
    ['a page that is not a number', JSON.stringify([image(1, { page: 0 })]), 'entry 0 has no page number'],
  ])('refuses %s', (_case, text, message) => {
    expect(() => parseManifest(text, 'derived/x/m.json', 'derived/')).toThrow(
      expect.objectContaining({ name: 'PermanentDependencyError', message: expect.stringContaining(message) }),
    );
  });
});

describe('moderateImages handler', () => {
  it("moderates each image of the manifest from S3, with the configured MinConfidence, skipping the manifest's skipped ones", async () => {
    s3.on(GetObjectCommand).resolves(manifestBody([image(1), image(2), image(3, { skipped: 'too small' })]));
    rekognition
      .on(DetectModerationLabelsCommand, { Image: { S3Object: { Bucket: 'documents-bucket', Name: `${prefix}p1.png` } } })
      .resolves({ ModerationLabels: [rekognitionLabel('Hate Symbols', 88), rekognitionLabel('Nazi Party', 88, 'Hate Symbols', 2)] })
      .on(DetectModerationLabelsCommand, { Image: { S3Object: { Bucket: 'documents-bucket', Name: `${prefix}p2.png` } } })
      .resolves({ ModerationLabels: [] });
    await expect(moderate()).resolves.toEqual({
      moderated: 2,
      skipped: 1,
      offensive: true,
      flagged: [{ imageKey: `${prefix}p1.png`, page: 1, labels: [{ name: 'Nazi Party', parentName: 'Hate Symbols', confidence: 88 }] }],
      flaggedCount: 1,
    });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'documents-bucket', Key: input.manifestKey });
    const calls = rekognition.commandCalls(DetectModerationLabelsCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls.every((call) => call.MinConfidence === 60)).toBe(true);
  });

  it.each(['InvalidImageFormatException', 'ImageTooLargeException', 'InvalidS3ObjectException', 'InvalidParameterException'])(
    'skips an image Rekognition answers %s for and moderates the rest',
    async (name) => {
      s3.on(GetObjectCommand).resolves(manifestBody([image(1), image(2)]));
      rekognition
        .on(DetectModerationLabelsCommand, { Image: { S3Object: { Bucket: 'documents-bucket', Name: `${prefix}p1.png` } } })
        .rejects(awsError(name, 400))
        .on(DetectModerationLabelsCommand, { Image: { S3Object: { Bucket: 'documents-bucket', Name: `${prefix}p2.png` } } })
        .resolves({ ModerationLabels: [] });
      await expect(moderate()).resolves.toEqual({ moderated: 1, skipped: 1, offensive: false, flagged: [], flaggedCount: 0 });
    },
  );

  it.each([
    ['ThrottlingException', 400, 'TransientDependencyError'],
    ['ProvisionedThroughputExceededException', 400, 'TransientDependencyError'],
    ['InternalServerError', 500, 'TransientDependencyError'],
    ['AccessDeniedException', 403, 'PermanentDependencyError'],
    ['HumanLoopQuotaExceededException', 402, 'PermanentDependencyError'],
  ])('fails the batch when Rekognition answers %s (HTTP %d), as %s', async (name, status, expected) => {
    s3.on(GetObjectCommand).resolves(manifestBody([image(1)]));
    rekognition.on(DetectModerationLabelsCommand).rejects(awsError(name, status));
    await expect(moderate()).rejects.toMatchObject({ name: expected });
  });

  it.each([
    ['NoSuchKey', 404, 'PermanentDependencyError'],
    ['AccessDenied', 403, 'PermanentDependencyError'],
    ['SlowDown', 503, 'TransientDependencyError'],
  ])('reports S3 answering %s for the manifest as %s', async (name, status, expected) => {
    s3.on(GetObjectCommand).rejects(awsError(name, status));
    await expect(moderate()).rejects.toMatchObject({ name: expected });
    expect(rekognition.calls()).toHaveLength(0);
  });

  it('keeps at most IMAGE_MODERATION_CONCURRENCY calls in flight', async () => {
    s3.on(GetObjectCommand).resolves(manifestBody(Array.from({ length: 7 }, (_, index) => image(index + 1))));
    let inFlight = 0;
    let most = 0;
    rekognition.on(DetectModerationLabelsCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return { ModerationLabels: [] };
    });
    await expect(moderate()).resolves.toMatchObject({ moderated: 7 });
    expect(most).toBe(2);
  });

  it('moderates an empty manifest to an empty, clean result', async () => {
    s3.on(GetObjectCommand).resolves(manifestBody([]));
    await expect(moderate()).resolves.toEqual({ moderated: 0, skipped: 0, offensive: false, flagged: [], flaggedCount: 0 });
  });

  it('refuses a manifest key outside the derived prefix before reading anything', async () => {
    await expect(moderate({ ...input, manifestKey: 'uploads/other.pdf' })).rejects.toMatchObject({ name: 'PermanentDependencyError' });
    await expect(moderate({ manifestKey: input.manifestKey })).rejects.toMatchObject({ name: 'PermanentDependencyError' });
    expect(s3.calls()).toHaveLength(0);
  });
});
