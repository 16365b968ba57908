// A copy of the service's sources in a temporary folder, packaged with the project's own osls. Packaging tests
// work on copies because serverless-esbuild builds in the service's .esbuild folder, which other packaging tests
// running at the same time in other jest workers would share.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../local/service-definition.js';

const SERVICE_SOURCES = ['serverless.yml', 'serverless', 'statemachines', 'iam', 'functions', 'package.json', 'tsconfig.json'];

export interface ServiceCopy {
  /** The temporary folder: remove it in afterAll. */
  workDir: string;
  serviceDir: string;
}

export function copyService(prefix: string): ServiceCopy {
  const workDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const serviceDir = join(workDir, 'service');
  for (const entry of SERVICE_SOURCES) cpSync(join(projectRoot, entry), join(serviceDir, entry), { recursive: true });
  symlinkSync(join(projectRoot, 'node_modules'), join(serviceDir, 'node_modules'), 'dir');
  return { workDir, serviceDir };
}

/**
 * `serverless package` of the copy into outputDir, with none of the caller's AWS_ variables but those `shell`
 * gives; rejects with the command's stdout and stderr when it fails.
 */
export async function packageService(copy: ServiceCopy, outputDir: string, options: { shell?: Record<string, string>; args?: string[] } = {}): Promise<void> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
  await promisify(execFile)(join(projectRoot, 'node_modules/.bin/serverless'), ['package', '--package', outputDir, ...(options.args ?? [])], {
    cwd: copy.serviceDir,
    env: { ...env, ...options.shell, HOME: copy.workDir, SLS_TELEMETRY_DISABLED: '1' },
    timeout: 170_000,
  });
}

/** The packaged template's resources. */
export function templateResources<T>(outputDir: string): Record<string, T> {
  return JSON.parse(readFileSync(join(outputDir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources as Record<string, T>;
}
