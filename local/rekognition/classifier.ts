// The image classifier behind the Rekognition stand-in: nsfwjs 4.4.0's MobileNetV2Mid graph model, whose
// weights ship inside the npm package, run by tfjs-core on the WASM backend (no native code, no download).
import type { ClassProbabilities } from './taxonomy.js';

export const CLASSIFIER_INPUT_SIZE = 224;
/** nsfwjs's output order. */
const CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;

export interface ImageClassifier {
  /** Says which engine runs, for answers and stats. */
  engine: string;
  loadMs: number;
  /** `pixels`: size x size x 3 RGB in [0, 1]. */
  classify(pixels: Float32Array): Promise<ClassProbabilities>;
}

interface GraphModelJson {
  format: string;
  generatedBy: string;
  convertedBy: string;
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
}

/** Loads the model once; later calls get the same promise. */
let loading: Promise<ImageClassifier> | undefined;
export function loadImageClassifier(): Promise<ImageClassifier> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

async function load(): Promise<ImageClassifier> {
  const started = performance.now();
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-wasm');
  const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
  const { MobileNetV2MidModel } = await import('nsfwjs/models/mobilenet_v2_mid');
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs WASM backend did not start');
  await tf.ready();

  // The package bundles the model as modules: the model JSON, and base64 weight shards in manifest order.
  const json = ((await MobileNetV2MidModel.modelJson()) as { default: GraphModelJson }).default;
  const shards: Buffer[] = [];
  for (const bundle of MobileNetV2MidModel.weightBundles) {
    shards.push(Buffer.from(((await bundle()) as { default: string }).default, 'base64'));
  }
  const weights = Buffer.concat(shards);
  const model = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as object,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights) as never,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );

  const size = CLASSIFIER_INPUT_SIZE;
  const run = async (pixels: Float32Array): Promise<number[]> => {
    const output = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, size, size, 3])) as import('@tensorflow/tfjs-core').Tensor);
    try {
      return Array.from(await output.data());
    } finally {
      output.dispose();
    }
  };
  // The first inference compiles the kernels: pay for it now, not in the first request.
  await run(new Float32Array(size * size * 3));

  return {
    engine: 'nsfwjs 4.4.0 MobileNetV2Mid, tfjs-core 4.22.0 wasm',
    loadMs: Math.round(performance.now() - started),
    async classify(pixels) {
      if (pixels.length !== size * size * 3) throw new RangeError(`expected ${size}x${size}x3 pixels, got ${pixels.length} values`);
      const scores = await run(pixels);
      return Object.fromEntries(CLASSES.map((name, i) => [name, scores[i] ?? 0])) as unknown as ClassProbabilities;
    },
  };
}
