/**
 * Local Amazon Rekognition stand-in for DetectModerationLabels: a node:http server on 127.0.0.1 speaking
 * Rekognition's JSON 1.1 protocol (X-Amz-Target: RekognitionService.DetectModerationLabels), so the real
 * @aws-sdk/client-rekognition reaches it through `endpoint` / AWS_ENDPOINT_URL_REKOGNITION.
 *
 * Image.Bytes and Image.S3Object (read from the local S3, path style) are accepted; PNG and JPEG only, with
 * Rekognition's size and dimension limits and error names. Labels come from a real classifier (nsfwjs,
 * ./classifier.ts) mapped onto the v7 taxonomy (./taxonomy.ts), except for images listed in the fixture
 * table (./fixtures.json), whose labels are written down: such answers name the fixture table in
 * ModerationModelVersion, are counted in stats().fixtureHits, and are logged.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ServiceError, startJsonService, type ServiceFaults } from '../comprehend/json-service.js';
import { CLASSIFIER_INPUT_SIZE, loadImageClassifier, type ImageClassifier } from './classifier.js';
import { decodeImage, ImageDimensionError, ImageFormatError, pixelSha256, REKOGNITION_LIMITS, toClassifierInput } from './image.js';
import { labelsFromClasses, labelsFromFixture, MODERATION_MODEL_VERSION, type ContentTypeOut, type ModerationLabelOut } from './taxonomy.js';

export const TARGET_PREFIX = 'RekognitionService.';
/** MinConfidence when the request names none (Rekognition's default). */
export const DEFAULT_MIN_CONFIDENCE = 50;
/** Base64 of a 5 MB image, and the JSON around it. */
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
const DEFAULT_FIXTURE_FILE = new URL('./fixtures.json', import.meta.url);

export interface FixtureEntry {
  /** SHA-256 of the file's bytes, or of its decoded pixels (see image.ts pixelSha256). */
  sha256: string;
  /** What the entry stands for (e.g. the generated card's name). */
  card?: string;
  /** Labels by name (any level of the v7 taxonomy); their ancestors are added. */
  labels: Array<{ Name: string; Confidence: number }>;
}

export interface RekognitionServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks any free port. */
  port?: number;
  /** The local S3 (fauxqs) that Image.S3Object is read from. */
  s3Endpoint: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  faults?: ServiceFaults;
  /** The fixture table; default local/rekognition/fixtures.json. */
  fixtureFile?: string | URL;
  /** More fixture entries, beside the file's. */
  fixtures?: FixtureEntry[];
  /** Load the classifier in the background at start (default true); otherwise on the first request. */
  preload?: boolean;
  /** Where the stand-in says what it did that a caller should know (fixture answers). Default stderr. */
  log?: (line: string) => void;
}

export interface RekognitionStats {
  requests: number;
  throttled: number;
  /** Images labelled by the classifier. */
  classified: number;
  /** Images labelled from the fixture table instead. */
  fixtureHits: number;
  /** The engine that labels images not in the table (undefined until it has loaded). */
  engine?: string;
  engineLoadMs?: number;
  /** Mean time to decode, scale and classify one image. */
  meanClassifyMs?: number;
  fixtureTable: { source: string; entries: number };
}

export interface RekognitionServer {
  url: string;
  port: number;
  setFaults(faults?: ServiceFaults): void;
  stats(): RekognitionStats;
  /** Resolves when the classifier has loaded (rejects if it cannot). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

interface ModerationAnswer {
  ModerationLabels: ModerationLabelOut[];
  ModerationModelVersion: string;
  ContentTypes: ContentTypeOut[];
}

const invalidParameter = (message: string) => new ServiceError('InvalidParameterException', message);
const tooLarge = (message: string) => new ServiceError('ImageTooLargeException', message);

function readFixtureTable(source: string | URL): FixtureEntry[] {
  const table = JSON.parse(readFileSync(source, 'utf8')) as { images?: FixtureEntry[] };
  if (!Array.isArray(table.images)) throw new Error(`${String(source)}: expected { "images": [...] }`);
  return table.images;
}

function minConfidence(input: Record<string, unknown>): number {
  const value = input.MinConfidence;
  if (value === undefined || value === null) return DEFAULT_MIN_CONFIDENCE;
  if (typeof value !== 'number' || !(value >= 0 && value <= 100)) {
    throw invalidParameter(`MinConfidence must be a number from 0 to 100, got ${JSON.stringify(value)}`);
  }
  return value;
}

export async function startRekognitionServer(options: RekognitionServerOptions): Promise<RekognitionServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const fixtureSource = options.fixtureFile ?? DEFAULT_FIXTURE_FILE;
  const fixtures = new Map<string, FixtureEntry>();
  for (const entry of [...readFixtureTable(fixtureSource), ...(options.fixtures ?? [])]) {
    labelsFromFixture(entry.labels); // an unknown label name fails here, at start, not at the first request
    fixtures.set(entry.sha256.toLowerCase(), entry);
  }
  const s3 = new S3Client({
    endpoint: options.s3Endpoint,
    forcePathStyle: true,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const counts = { classified: 0, fixtureHits: 0, classifyMs: 0 };
  let classifier: ImageClassifier | undefined;
  const loadClassifier = async (): Promise<ImageClassifier> => {
    classifier ??= await loadImageClassifier();
    return classifier;
  };
  if (options.preload ?? true) loadClassifier().catch((err: Error) => log(`rekognition stand-in: the classifier did not load: ${err.message}`));

  async function imageBytes(image: Record<string, unknown>): Promise<Buffer> {
    const hasBytes = image.Bytes !== undefined && image.Bytes !== null;
    const s3Object = image.S3Object as Record<string, unknown> | undefined | null;
    if (hasBytes === Boolean(s3Object)) throw invalidParameter('Image must have exactly one of Bytes and S3Object');
    if (hasBytes) {
      if (typeof image.Bytes !== 'string') throw invalidParameter('Image.Bytes must be base64-encoded bytes');
      const bytes = Buffer.from(image.Bytes, 'base64');
      if (bytes.length === 0) throw invalidParameter('Image.Bytes must hold at least 1 byte');
      if (bytes.length > REKOGNITION_LIMITS.maxBytes) {
        throw tooLarge(`Image.Bytes is ${bytes.length} bytes; the maximum is ${REKOGNITION_LIMITS.maxBytes}`);
      }
      return bytes;
    }
    const { Bucket, Name, Version } = s3Object as Record<string, unknown>;
    if (typeof Bucket !== 'string' || !Bucket || typeof Name !== 'string' || !Name) {
      throw invalidParameter('Image.S3Object needs Bucket and Name');
    }
    if (Version !== undefined && typeof Version !== 'string') throw invalidParameter('Image.S3Object.Version must be a string');
    let object;
    try {
      object = await s3.send(new GetObjectCommand({ Bucket, Key: Name, VersionId: Version || undefined }));
    } catch (err) {
      throw new ServiceError(
        'InvalidS3ObjectException',
        `Unable to get object metadata from S3. Check object key, region and/or access permissions. (s3://${Bucket}/${Name}: ${(err as Error).name})`,
      );
    }
    if ((object.ContentLength ?? 0) > REKOGNITION_LIMITS.maxS3ObjectBytes) {
      object.Body?.transformToWebStream().cancel().catch(() => undefined);
      throw tooLarge(`S3 object is ${object.ContentLength} bytes; the maximum is ${REKOGNITION_LIMITS.maxS3ObjectBytes}`);
    }
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    if (bytes.length > REKOGNITION_LIMITS.maxS3ObjectBytes) {
      throw tooLarge(`S3 object is ${bytes.length} bytes; the maximum is ${REKOGNITION_LIMITS.maxS3ObjectBytes}`);
    }
    return bytes;
  }

  async function detectModerationLabels(input: Record<string, unknown>): Promise<ModerationAnswer> {
    const image = input.Image;
    if (typeof image !== 'object' || image === null || Array.isArray(image)) throw invalidParameter('Image is required');
    const threshold = minConfidence(input);
    if (input.ProjectVersion !== undefined) throw invalidParameter('ProjectVersion (custom adapters) is not available offline');
    const bytes = await imageBytes(image as Record<string, unknown>);

    let decoded;
    try {
      decoded = decodeImage(bytes);
    } catch (err) {
      if (err instanceof ImageFormatError) throw new ServiceError('InvalidImageFormatException', err.message);
      if (err instanceof ImageDimensionError) throw err.tooLarge ? tooLarge(err.message) : invalidParameter(err.message);
      throw err;
    }

    const fileSha = createHash('sha256').update(bytes).digest('hex');
    const fixture = fixtures.get(fileSha) ?? fixtures.get(pixelSha256(decoded));
    if (fixture) {
      counts.fixtureHits++;
      log(`rekognition stand-in: labels for image ${fixture.sha256.slice(0, 12)}… (${fixture.card ?? 'fixture'}) come from the fixture table, not the classifier`);
      return {
        ModerationLabels: labelsFromFixture(fixture.labels).filter((l) => l.Confidence >= threshold),
        ModerationModelVersion: `${MODERATION_MODEL_VERSION} (local fixture table)`,
        ContentTypes: [],
      };
    }

    let engine: ImageClassifier;
    try {
      engine = await loadClassifier();
    } catch (err) {
      throw new ServiceError('InternalServerError', `The local image classifier could not load: ${(err as Error).message}`, 500);
    }
    const started = performance.now();
    const classes = await engine.classify(toClassifierInput(decoded, CLASSIFIER_INPUT_SIZE));
    counts.classifyMs += performance.now() - started;
    counts.classified++;
    const { labels, contentTypes } = labelsFromClasses(classes);
    return {
      ModerationLabels: labels.filter((l) => l.Confidence >= threshold),
      ModerationModelVersion: `${MODERATION_MODEL_VERSION} (local ${engine.engine})`,
      ContentTypes: contentTypes.filter((c) => c.Confidence >= threshold),
    };
  }

  const service = await startJsonService({
    targetPrefix: TARGET_PREFIX,
    operations: { DetectModerationLabels: detectModerationLabels },
    port: options.port,
    faults: options.faults,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    errorBody: (error) => ({ __type: error.type, Code: error.type, Message: error.message }),
    internalErrorType: 'InternalServerError',
  });

  return {
    url: service.url,
    port: service.port,
    setFaults: (next) => service.setFaults(next),
    stats: () => ({
      ...service.counters(),
      classified: counts.classified,
      fixtureHits: counts.fixtureHits,
      engine: classifier?.engine,
      engineLoadMs: classifier?.loadMs,
      meanClassifyMs: counts.classified ? Math.round((counts.classifyMs / counts.classified) * 10) / 10 : undefined,
      fixtureTable: { source: String(fixtureSource), entries: fixtures.size },
    }),
    ready: async () => {
      await loadClassifier();
    },
    close: async () => {
      s3.destroy();
      await service.close();
    },
  };
}
