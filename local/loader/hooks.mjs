// Module hooks that run the project's TypeScript on Node as it is: each .ts file of the project is stripped of
// its types by esbuild (the bundler serverless.yml deploys with) when first imported, and an import written as
// `./x.js` finds `./x.ts`, as TypeScript's NodeNext resolution has it. Everything else, node_modules included,
// loads untouched: a general-purpose loader that also rewrites the dependencies costs the local stack hundreds
// of megabytes (pdfjs-dist alone: +340 MB resident) and seconds of start-up.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const RELATIVE_OR_FILE = /^(\.{1,2}\/|\/|file:)/;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !specifier.endsWith('.js') || !RELATIVE_OR_FILE.test(specifier)) throw error;
    return nextResolve(`${specifier.slice(0, -'.js'.length)}.ts`, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts') || url.includes('/node_modules/')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { code } = await transform(await readFile(path, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    // Lines and columns of the source, for `node --enable-source-maps`; without the flag V8 ignores them.
    sourcemap: 'inline',
    sourcefile: path,
  });
  return { format: 'module', source: code, shortCircuit: true };
}
