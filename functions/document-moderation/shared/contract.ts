// The document moderation workflow's data, state by state: what each Task receives and returns.
// statemachines/document-moderation.asl.json moves these shapes between states; every function of the
// pipeline imports its input and output types from here, so the ASL, the handlers and the tests agree.
//
// Payloads travel as S3 keys, never as bytes: a Standard execution's state input and output are capped
// at 256 KB, and a PDF, its images and its text are not.
import { PermanentDependencyError } from '../../shared/errors.js';

/** The S3 object version under moderation. Moderation and notification happen once per version. */
export interface DocumentRef {
  /** Stable id of this object version: the DynamoDB key of its verdict record. */
  documentId: string;
  bucket: string;
  key: string;
  /** S3 version id when the bucket is versioned; absent otherwise (the ETag then tells versions apart). */
  versionId?: string;
  etag?: string;
  size: number;
}

/** A document id as AcceptDocument makes it (URL-safe, short); other ids in a state's input are refused. */
export const DOCUMENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Checks the document a state receives: the fields the functions rely on. A state input without them is a
 * wiring bug upstream, so the error is permanent.
 */
export function readDocumentRef(value: unknown, state: string): DocumentRef {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof record.documentId !== 'string' || !DOCUMENT_ID_PATTERN.test(record.documentId)) {
    throw new PermanentDependencyError(`${state} needs the document with its documentId`);
  }
  if (typeof record.bucket !== 'string' || typeof record.key !== 'string' || typeof record.size !== 'number') {
    throw new PermanentDependencyError(`${state} needs the document's bucket, key and size`);
  }
  return record as unknown as DocumentRef;
}

/**
 * State machine input: the EventBridge event S3 sends for "Object Created" (only the fields used here).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
export interface ObjectCreatedEvent {
  id?: string;
  'detail-type': 'Object Created';
  source: 'aws.s3';
  time?: string;
  detail: {
    bucket: { name: string };
    object: { key: string; size?: number; etag?: string; 'version-id'?: string; sequencer?: string };
    reason?: string;
  };
}

/** AcceptDocument: validates the event and claims the verdict record (PROCESSING) for this version. */
export interface AcceptDocumentInput {
  event: ObjectCreatedEvent;
  executionArn: string;
}
export type AcceptDocumentOutput =
  | { outcome: 'ACCEPTED'; document: DocumentRef }
  /**
   * A verdict exists for this version already (a duplicate S3 event, or a rerun), or another execution holds
   * a live PROCESSING claim on it (status PROCESSING): nothing more to do here.
   */
  | { outcome: 'ALREADY_DECIDED'; document: DocumentRef; status: VerdictStatus }
  /** Refused before reading the file (outside uploads/, over the size limit): recorded as REJECTED. */
  | { outcome: 'REJECTED'; document: DocumentRef; reason: string };

/** Input of both extraction Tasks (the two branches of the Parallel). */
export interface ExtractInput {
  document: DocumentRef;
}

/**
 * ExtractImages: every embedded image (page by page, bounded memory) written as a PNG or JPEG under
 * derived/<documentId>/images/, and the keys listed in manifests of at most `imagesPerBatch` keys, each
 * itself an S3 object (JSON array of ImageRef). The Map iterates the manifests, so a document with
 * thousands of images never puts their list into a state's input.
 */
export interface ImageRef {
  imageKey: string;
  /** 1-based page number. */
  page: number;
  width: number;
  height: number;
  /** Why this image was not sent to Rekognition (too small, too large even after scaling). */
  skipped?: string;
}
export interface ExtractImagesOutput {
  pages: number;
  imageCount: number;
  /** S3 keys of the manifests; empty when the document has no image. */
  imageBatches: string[];
  /**
   * Images the document paints that the engine could not decode (damaged, or in an encoding it cannot read):
   * never seen, so never checked. RecordVerdict does not pass a document with any as CLEAN.
   */
  undecodable: number;
}

/** ModerateImages (the Map's item processor): one manifest, every image in it through DetectModerationLabels. */
export interface ModerateImagesInput {
  document: DocumentRef;
  manifestKey: string;
}
export interface ModerationLabel {
  name: string;
  parentName?: string;
  /** 0-100, as Rekognition reports it. */
  confidence: number;
}
export interface FlaggedImage {
  imageKey: string;
  page: number;
  labels: ModerationLabel[];
}
export interface ModerateImagesOutput {
  moderated: number;
  skipped: number;
  offensive: boolean;
  /**
   * The first few offensive images of the manifest (a handful: the Map's joined output must stay far below
   * 256 KB however many images offend); `flaggedCount` counts them all.
   */
  flagged: FlaggedImage[];
  /** Offensive images in the manifest; absent means `flagged` lists them all. */
  flaggedCount: number;
}

/** ExtractText: the document's text, page by page, as UTF-8 under derived/<documentId>/text.txt. */
export interface ExtractTextOutput {
  pages: number;
  textKey: string;
  characters: number;
  bytes: number;
  /** Pages that carry no text layer (scanned): their words cannot be checked. */
  pagesWithoutText: number;
}

/**
 * ModerateText: DetectToxicContent over the text, at most 10 segments of at most 1 KB per call. One Task
 * invocation makes a bounded number of calls and returns a cursor; the workflow loops on it until the
 * text is covered or the cap on calls is reached.
 */
export interface ModerateTextInput {
  document: DocumentRef;
  text: ExtractTextOutput;
  /** Absent on the first pass. */
  toxicity?: TextModeration;
}
export interface ToxicityLabel {
  /** Comprehend's label names: PROFANITY, HATE_SPEECH, INSULT, GRAPHIC, HARASSMENT_OR_ABUSE, SEXUAL, VIOLENCE_OR_THREAT. */
  name: string;
  /** Highest score seen over all segments, 0-1. */
  score: number;
}
export interface TextModeration {
  /** Byte offset into the text of the next segment to check. */
  cursor: number;
  done: boolean;
  calls: number;
  segmentsChecked: number;
  /** True when the cap on calls stopped the check before the end of the text. */
  truncated: boolean;
  /** Dominant language detected (ISO code), and whether toxicity could be checked in it (English only). */
  language?: string;
  languageSupported?: boolean;
  /** Highest Toxicity score over all segments, 0-1. */
  toxicity: number;
  labels: ToxicityLabel[];
  offensive: boolean;
  /** Short excerpts (at most 160 characters) of the first few offensive segments, for the alert and the record. */
  excerpts: string[];
}

/** NotifyOffensive: one SNS message per document version and kind, however often it runs. */
export interface NotifyOffensiveInput {
  document: DocumentRef;
  kind: 'images' | 'text';
  images?: FlaggedImage[];
  /** How many images offend in all: a number, or the batches' `flaggedCount`s to add up. Absent: `images.length`. */
  flaggedCount?: number | number[];
  text?: TextModeration;
}
export interface NotifyOffensiveOutput {
  notified: boolean;
  messageId?: string;
  skipped?: 'already-sent';
}

export type VerdictStatus = 'PROCESSING' | 'CLEAN' | 'OFFENSIVE' | 'REJECTED' | 'FAILED';

/** RecordVerdict: the final word on the document's record (the Parallel's two branch results, or a failure). */
export interface RecordVerdictInput {
  document: DocumentRef;
  /** The Parallel's output: [images branch, text branch]. Absent when rejected or failed. */
  results?: [ImagesBranchResult, TextBranchResult];
  /** From a Catch: `{ Error, Cause }`. DocumentRejectedError becomes REJECTED with the Cause as reason. */
  failure?: { Error: string; Cause?: string };
  /** From AcceptDocument's REJECTED outcome. */
  rejection?: string;
  executionArn: string;
}
export interface ImagesBranchResult {
  extraction: ExtractImagesOutput;
  batches: ModerateImagesOutput[];
  offensive: boolean;
  notification?: NotifyOffensiveOutput;
}
export interface TextBranchResult {
  extraction: ExtractTextOutput;
  toxicity: TextModeration;
  notification?: NotifyOffensiveOutput;
}
export interface RecordVerdictOutput {
  documentId: string;
  status: Exclude<VerdictStatus, 'PROCESSING'>;
}

/** The verdict record in the documents table, as the dashboard and the tests read it. */
export interface DocumentVerdict {
  documentId: string;
  bucket: string;
  key: string;
  versionId?: string;
  size: number;
  status: VerdictStatus;
  reason?: string;
  error?: { name: string; cause?: string };
  receivedAt: string;
  decidedAt?: string;
  executionArn?: string;
  pages?: number;
  imageCount?: number;
  imagesModerated?: number;
  /** The flagged images, at most a few dozen of them: `flaggedImageCount` says how many there were. */
  flaggedImages?: FlaggedImage[];
  flaggedImageCount?: number;
  /** Images that could not be decoded, so were not checked; any makes a document that is not OFFENSIVE REJECTED. */
  undecodableImages?: number;
  text?: Omit<TextModeration, 'cursor' | 'done'> & { characters: number; pagesWithoutText: number };
  /** Claims on each alert, as in the feedback pipeline: PENDING -> PUBLISHING (lease) -> SENT. */
  imageAlertStatus?: 'PUBLISHING' | 'SENT';
  textAlertStatus?: 'PUBLISHING' | 'SENT';
  /** SNS message ids of the alerts sent. */
  imageAlertMessageId?: string;
  textAlertMessageId?: string;
}
