// `npm run cost -- --messages-per-month 1000000`: what the deployed pipelines cost a month: feedback triage in both
// execution modes, and document moderation per 1,000 documents, from serverless.yml's settings and the list
// prices in local/bench/aws-prices.ts.
import { parseArgs } from 'node:util';
import { DEFAULT_ASSUMPTIONS, costModel, formatCostTable } from '../local/bench/cost-model.js';
import { DEFAULT_PROFILE, documentCostModel, formatDocumentCostTable } from '../local/bench/document-cost.js';
import { loadServiceDefinition } from '../local/service-definition.js';

const usage = `Usage: npm run cost -- [options]

  --messages-per-month N   messages a month (default 1000000)
  --negative-share X       share of feedback alerted, 0 to 1 (default ${DEFAULT_ASSUMPTIONS.negativeShare.toFixed(3)}, the sample's)
  --text-chars N           mean characters of feedback text (default ${DEFAULT_ASSUMPTIONS.textChars})
  --messages-per-batch X   messages per SQS batch (default: computed from the rate and the batching window)
  --execution-log-level L  price the executions' logs at ALL, ERROR, FATAL or OFF instead of serverless.yml's level

  Document moderation (one document profile):
  --documents-per-month N  documents a month (default 10000)
  --pages N                pages per document (default ${DEFAULT_PROFILE.pages})
  --images N               distinct images per document (default ${DEFAULT_PROFILE.images})
  --document-text-chars N  characters of text per document (default ${DEFAULT_PROFILE.textChars})
  --pdf-bytes N            size of the PDF (default ${DEFAULT_PROFILE.pdfBytes})
  --text-offensive-share X share of English documents with offensive text (default ${DEFAULT_PROFILE.textOffensiveShare})
  --image-offensive-share X share of documents with offensive images (default ${DEFAULT_PROFILE.imageOffensiveShare})
  --english-share X        share of documents in English (default ${DEFAULT_PROFILE.englishShare})

  --json                   print both models as JSON: { feedback, documents }
  --help                   this text`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

function levelOption(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const level = raw.toUpperCase();
  if (!['ALL', 'ERROR', 'FATAL', 'OFF'].includes(level)) throw new Error(`--execution-log-level takes ALL, ERROR, FATAL or OFF, got "${raw}"`);
  return level;
}

/** A share, 0 to 1 (0 allowed, unlike the counts). */
function share(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!(value >= 0 && value <= 1)) throw new Error(`--${name} must be a number from 0 to 1, got "${raw}"`);
  return value;
}

/** A count, 0 or more (a document may have no images or no text). */
function count(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, got "${raw}"`);
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'messages-per-month': { type: 'string' },
      'negative-share': { type: 'string' },
      'text-chars': { type: 'string' },
      'messages-per-batch': { type: 'string' },
      'execution-log-level': { type: 'string' },
      'documents-per-month': { type: 'string' },
      pages: { type: 'string' },
      images: { type: 'string' },
      'document-text-chars': { type: 'string' },
      'pdf-bytes': { type: 'string' },
      'text-offensive-share': { type: 'string' },
      'image-offensive-share': { type: 'string' },
      'english-share': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const messages = positive('messages-per-month', values['messages-per-month'], 1_000_000);
  const negativeShare = positive('negative-share', values['negative-share'], DEFAULT_ASSUMPTIONS.negativeShare);
  if (negativeShare > 1) throw new Error('--negative-share must be at most 1');
  const report = costModel(loadServiceDefinition('prod'), messages, {
    ...DEFAULT_ASSUMPTIONS,
    negativeShare,
    textChars: positive('text-chars', values['text-chars'], DEFAULT_ASSUMPTIONS.textChars),
    messagesPerBatch: values['messages-per-batch'] === undefined ? undefined : positive('messages-per-batch', values['messages-per-batch'], 1),
    executionLogLevel: levelOption(values['execution-log-level']),
  });
  const documents = await documentCostModel(
    loadServiceDefinition('prod'),
    {
      pages: positive('pages', values.pages, DEFAULT_PROFILE.pages),
      images: count('images', values.images, DEFAULT_PROFILE.images),
      textChars: count('document-text-chars', values['document-text-chars'], DEFAULT_PROFILE.textChars),
      pdfBytes: positive('pdf-bytes', values['pdf-bytes'], DEFAULT_PROFILE.pdfBytes),
      textOffensiveShare: share('text-offensive-share', values['text-offensive-share'], DEFAULT_PROFILE.textOffensiveShare),
      imageOffensiveShare: share('image-offensive-share', values['image-offensive-share'], DEFAULT_PROFILE.imageOffensiveShare),
      englishShare: share('english-share', values['english-share'], DEFAULT_PROFILE.englishShare),
    },
    positive('documents-per-month', values['documents-per-month'], 10_000),
  );
  console.log(values.json ? JSON.stringify({ feedback: report, documents }, null, 2) : `${formatCostTable(report)}\n\n${formatDocumentCostTable(documents)}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`npm run cost failed: ${error.message}`);
    process.exitCode = 1;
  },
);
