// The one place the document moderation functions read their settings. The values live in
// serverless/document-moderation.yml (`settings`), which hands them to each function as environment
// variables (the local stack sets the same ones); read lazily so tests can set them.

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

function positiveInteger(name: string): number {
  const raw = required(name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function fraction(name: string): number {
  const raw = required(name);
  const value = Number(raw);
  if (!(value > 0 && value <= 1)) throw new Error(`${name} must be a number in (0, 1], got "${raw}"`);
  return value;
}

function percentage(name: string): number {
  const raw = required(name);
  const value = Number(raw);
  if (!(value >= 0 && value <= 100)) throw new Error(`${name} must be a number from 0 to 100, got "${raw}"`);
  return value;
}

function positiveIntegerOr(name: string, fallback: number): number {
  return process.env[name] ? positiveInteger(name) : fallback;
}

export const documentConfig = {
  bucket: () => required('DOCUMENTS_BUCKET'),
  table: () => required('DOCUMENTS_TABLE'),
  alertTopicArn: () => required('DOCUMENT_ALERT_TOPIC_ARN'),
  /** Only objects under this prefix are moderated (the EventBridge rule matches it too). */
  uploadPrefix: () => required('UPLOAD_PREFIX'),
  /** Extracted images, manifests and text go under this prefix; a lifecycle rule expires them. */
  derivedPrefix: () => required('DERIVED_PREFIX'),
  maxDocumentBytes: () => positiveInteger('MAX_DOCUMENT_BYTES'),
  maxPages: () => positiveInteger('MAX_PAGES'),
  maxImages: () => positiveInteger('MAX_IMAGES'),
  /** Image keys per manifest: one Map iteration moderates one manifest. */
  imagesPerBatch: () => positiveInteger('IMAGES_PER_BATCH'),
  /**
   * DetectModerationLabels calls one ModerateImages invocation keeps in flight. Times the Map's
   * MaxConcurrency, it must stay under the account's Rekognition TPS quota.
   */
  imageModerationConcurrency: () => positiveIntegerOr('IMAGE_MODERATION_CONCURRENCY', 4),
  /** Rekognition's MinConfidence: labels below it are not returned. */
  moderationMinConfidence: () => percentage('MODERATION_MIN_CONFIDENCE'),
  /** A text segment whose Toxicity score reaches this is offensive. */
  toxicityThreshold: () => fraction('TOXICITY_THRESHOLD'),
  /** DetectToxicContent calls one ModerateText invocation makes before handing its cursor back. */
  toxicityCallsPerInvocation: () => positiveInteger('TOXICITY_CALLS_PER_INVOCATION'),
  /** Cap on DetectToxicContent calls per document: past it the text is recorded as checked in part. */
  maxToxicityCalls: () => positiveInteger('MAX_TOXICITY_CALLS'),
  /** Lifetime of a presigned upload URL. */
  uploadUrlSeconds: () => positiveInteger('UPLOAD_URL_SECONDS'),
  /** How long an alert claim holds before another delivery may take it over. */
  alertClaimSeconds: () => positiveInteger('DOCUMENT_ALERT_CLAIM_SECONDS'),
  /**
   * How long an execution's PROCESSING claim on a document holds: the state machine's TimeoutSeconds, so a
   * claim left by an execution that timed out or was stopped lets a rerun take the document over.
   */
  processingClaimSeconds: () => positiveInteger('PROCESSING_CLAIM_SECONDS'),
  /** The documents table's index of recent verdicts: `listing` (HASH, one constant) and `receivedAt` (RANGE). */
  recentIndex: () => process.env.DOCUMENTS_RECENT_INDEX || 'recent',
};
