// Cold start of each function: its bundle built with esbuild exactly as serverless.yml's custom.esbuild
// tells serverless-esbuild to (bundle, minify, cjs, keepNames, node22 target), its size, and the time a
// fresh Node process takes to load it (module load and the handler's top-level setup: SDK clients, logger),
// median over repeated fresh processes. Two variants: the AWS SDK bundled and tree-shaken (what serverless.yml
// ships, `exclude: []`), and the SDK left to the Lambda runtime (`exclude: ['@aws-sdk/*']`, loaded from
// node_modules the way the runtime loads its own copy through NODE_PATH).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { loadServiceDefinition, projectRoot, type ServiceDefinition } from '../service-definition.js';
import { median } from './stats.js';

/** Options serverless-esbuild reads itself and removes before calling esbuild (its bundle.js). */
const PLUGIN_ONLY_OPTIONS = new Set([
  'concurrency', 'zipConcurrency', 'exclude', 'nativeZip', 'packager', 'packagePath', 'watch', 'keepOutputDirectory',
  'packagerOptions', 'installExtraArgs', 'outputFileExtension', 'outputBuildFolder', 'outputWorkFolder', 'nodeExternals',
  'skipBuild', 'skipRebuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext', 'config',
]);

export type SdkVariant = 'bundled' | 'external';

/** The esbuild options serverless-esbuild derives from custom.esbuild, with the SDK bundled or left out. */
export function esbuildOptions(service: ServiceDefinition, variant: SdkVariant): BuildOptions & { outputFileExtension: string } {
  const custom = ((service.raw.custom as Record<string, unknown>).esbuild ?? {}) as Record<string, unknown>;
  const options: Record<string, unknown> = { bundle: true, platform: 'node' };
  for (const [key, value] of Object.entries(custom)) if (!PLUGIN_ONLY_OPTIONS.has(key)) options[key] = value;
  const exclude = ((custom.exclude as string[] | undefined) ?? ['aws-sdk']).filter((name) => name !== '*');
  const external = [...((custom.external as string[] | undefined) ?? []), ...exclude];
  if (variant === 'external') external.push('@aws-sdk/*');
  return { ...(options as BuildOptions), external, outputFileExtension: String(custom.outputFileExtension ?? '.js') };
}

export interface BundleMeasurement {
  functionName: string;
  variant: SdkVariant;
  file: string;
  bytes: number;
  /** Size in the deployment zip (raw deflate of the one file, as zip stores it). */
  zippedBytes: number;
  /** Milliseconds to require() the bundle in a fresh process, one per run. */
  initMs: number[];
  medianInitMs: number;
}

export async function buildBundle(service: ServiceDefinition, functionName: string, variant: SdkVariant, outDir: string): Promise<string> {
  const fn = service.functions[functionName];
  if (!fn) throw new Error(`no function ${functionName} in serverless.yml`);
  const { outputFileExtension, ...options } = esbuildOptions(service, variant);
  const outfile = join(outDir, variant, `${functionName}${outputFileExtension}`);
  await build({ ...options, entryPoints: [join(projectRoot, `${fn.modulePath}.ts`)], outfile, logLevel: 'silent' });
  return outfile;
}

/** What runs in each fresh process: load the bundle, report how long it took. */
const INIT_PROBE = `
const started = performance.now();
const mod = require(process.env.BUNDLE);
const loaded = performance.now();
if (typeof mod[process.env.HANDLER_EXPORT] !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ initMs: loaded - started }));
`;

/** The environment Lambda gives a function at init, plus the function's own variables (placeholders). */
export function lambdaLikeEnvironment(service: ServiceDefinition, functionName: string): Record<string, string> {
  const fn = service.functions[functionName];
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: `${service.service}-bench-${functionName}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn?.memorySize ?? 256),
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const [name, value] of Object.entries(fn?.environment ?? {})) {
    if (name !== 'NODE_OPTIONS') environment[name] = typeof value === 'string' && value.startsWith('${') ? 'placeholder' : String(value);
  }
  return environment;
}

export async function measureInit(service: ServiceDefinition, functionName: string, file: string, runs: number): Promise<number[]> {
  const fn = service.functions[functionName];
  const env = {
    ...lambdaLikeEnvironment(service, functionName),
    BUNDLE: file,
    HANDLER_EXPORT: fn?.exportName ?? 'handler',
    // Where an external SDK is found: the Lambda runtime puts its copy on NODE_PATH the same way.
    NODE_PATH: join(projectRoot, 'node_modules'),
  };
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', INIT_PROBE], { env, cwd: tmpdir() });
    times.push((JSON.parse(stdout) as { initMs: number }).initMs);
  }
  return times;
}

export interface ColdStartOptions {
  runs: number;
  functions?: string[];
  variants?: SdkVariant[];
  onProgress?: (line: string) => void;
}

export async function measureColdStarts(options: ColdStartOptions): Promise<BundleMeasurement[]> {
  const service = loadServiceDefinition();
  const outDir = join(tmpdir(), `feedback-triage-bench-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  const results: BundleMeasurement[] = [];
  try {
    for (const functionName of options.functions ?? Object.keys(service.functions)) {
      for (const variant of options.variants ?? (['bundled', 'external'] as const)) {
        const file = await buildBundle(service, functionName, variant, outDir);
        const bytes = statSync(file).size;
        const initMs = await measureInit(service, functionName, file, options.runs);
        const zippedBytes = deflateRawSync(readFileSync(file), { level: 9 }).length;
        results.push({ functionName, variant, file, bytes, zippedBytes, initMs, medianInitMs: median(initMs) });
        options.onProgress?.(`${functionName} (${variant} SDK): ${(bytes / 1024).toFixed(0)} KB, init ${median(initMs).toFixed(1)} ms`);
      }
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  return results;
}
