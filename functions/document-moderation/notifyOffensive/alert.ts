// The alert the team reads when a document is offensive: which document, what was found where, and where to
// look. Plain text; a bounded number of images and excerpts, whatever the document holds.
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import type { DocumentRef, FlaggedImage, ModerationLabel, NotifyOffensiveInput, TextModeration } from '../shared/contract.js';

export interface Alert {
  subject: string;
  message: string;
  attributes: Record<string, MessageAttributeValue>;
}

/** Flagged images listed one by one in an alert; the rest are counted. */
export const MAX_IMAGES_IN_ALERT = 20;
/** SNS subjects must be shorter than 100 characters. */
const MAX_SUBJECT_CHARS = 99;

const percent = (confidence: number) => `${confidence.toFixed(1)}%`;
const score = (value: number) => value.toFixed(2);

/**
 * SNS subjects must be ASCII without line breaks or control characters (SNS rewrites others). A file name
 * may hold anything: keep its printable ASCII and mark what was dropped.
 */
export function asciiSubject(text: string): string {
  const ascii = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]+/g, '?').replace(/\s+/g, ' ').trim();
  return ascii.length <= MAX_SUBJECT_CHARS ? ascii : `${ascii.slice(0, MAX_SUBJECT_CHARS - 3)}...`;
}

/** Text from a file name or a document, safe on one line of the alert: control characters become "?". */
// eslint-disable-next-line no-control-regex
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');

function fileName(key: string): string {
  return printable(key.slice(key.lastIndexOf('/') + 1) || key);
}

function labelText(label: ModerationLabel): string {
  return `${label.name}${label.parentName ? ` (${label.parentName})` : ''} ${percent(label.confidence)}`;
}

function documentLines(document: DocumentRef): string[] {
  return [
    `Document: s3://${document.bucket}/${printable(document.key)}`,
    `Version: ${document.versionId ?? `ETag ${document.etag ?? 'unknown'}`} (${document.size} bytes)`,
    `Document id: ${document.documentId}`,
  ];
}

function imageLines(document: DocumentRef, images: readonly FlaggedImage[], total: number): string[] {
  const listed = images.slice(0, MAX_IMAGES_IN_ALERT);
  const pages = [...new Set(listed.map((image) => image.page))].sort((a, b) => a - b);
  const where = `on page${pages.length === 1 ? '' : 's'} ${pages.join(', ')}`;
  const lines = [`${total} image${total === 1 ? '' : 's'} flagged${total > listed.length ? `; the first ${listed.length}, ${where}` : `, ${where}`}:`];
  for (const image of listed) {
    lines.push(`- page ${image.page}: ${image.labels.map(labelText).join('; ')}`, `  s3://${document.bucket}/${image.imageKey}`);
  }
  if (total > listed.length) lines.push(`- and ${total - listed.length} more (see the dashboard)`);
  return lines;
}

function textLines(text: TextModeration): string[] {
  const lines = [
    `Toxicity: ${score(text.toxicity)} (highest over ${text.segmentsChecked} segment${text.segmentsChecked === 1 ? '' : 's'} checked)`,
    `Labels: ${text.labels.length > 0 ? text.labels.map((label) => `${label.name} ${score(label.score)}`).join(', ') : 'none'}`,
  ];
  if (text.language) lines.push(`Language: ${text.language}`);
  if (text.truncated) lines.push('Only the start of the text was checked: the cap on calls stopped the check.');
  if (text.excerpts.length > 0) lines.push('', 'Excerpts:', ...text.excerpts.map((excerpt) => `  "${printable(excerpt)}"`));
  return lines;
}

export function formatAlert(input: NotifyOffensiveInput): Alert {
  const { document, kind } = input;
  const images = input.images ?? [];
  const total = typeof input.flaggedCount === 'number' ? Math.max(input.flaggedCount, images.length) : images.length;
  const found = kind === 'images' ? imageLines(document, images, total) : input.text ? textLines(input.text) : [];
  const lines = [
    `Offensive ${kind === 'images' ? 'images' : 'text'} found in a shared document: ${fileName(document.key)}`,
    '',
    ...documentLines(document),
    '',
    ...found,
    '',
    'Where to look: the dashboard\'s Documents view lists the verdict; the file itself is at the S3 location above.',
  ];
  return {
    subject: asciiSubject(`Offensive ${kind === 'images' ? 'images' : 'text'} in ${fileName(document.key)}`),
    message: lines.join('\n'),
    attributes: {
      kind: { DataType: 'String', StringValue: kind },
      status: { DataType: 'String', StringValue: 'OFFENSIVE' },
      documentId: { DataType: 'String', StringValue: document.documentId },
    },
  };
}
