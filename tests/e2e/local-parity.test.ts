// `npm start` as a user runs it, as real processes: SIGTERM to npm's PID stops every process under it, frees
// the ports and removes .local-stack.env; a taken edge port is named; a user's own file is submitted alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../local/service-definition.js';

const ENV_FILE = join(projectRoot, '.local-stack.env');

interface Started {
  child: ChildProcess;
  /** The edge endpoint it announced, once it has. */
  edgeUrl?: string;
  output: () => string;
  exited: Promise<number | null>;
}

function npmStart(args: string[]): Started {
  let output = '';
  // A process group of its own, so the test can clean up whatever a failure leaves behind.
  const child = spawn('npm', ['start', '--', ...args], { cwd: projectRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' } });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForOutput(started: Started, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const match = pattern.exec(started.output());
    if (match) return match;
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`npm start did not print ${pattern} within ${ms} ms:\n${started.output()}`);
}

/** Every live process under `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while the table was read
    }
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const children = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...children);
    frontier = children;
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const refusesConnections = (url: string) =>
  fetch(`${url}/health`).then(
    () => false,
    () => true,
  );

const leftovers: Started[] = [];
afterEach(() => {
  for (const started of leftovers.splice(0)) {
    if (started.child.exitCode === null && started.child.pid) {
      try {
        process.kill(-started.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      // A killed server cannot remove its own environment file; one that names its dead endpoint would mislead.
      const written = existsSync(ENV_FILE) ? readFileSync(ENV_FILE, 'utf8') : '';
      if (started.edgeUrl && written.includes(`AWS_ENDPOINT_URL='${started.edgeUrl}'`)) rmSync(ENV_FILE);
    }
  }
});

describe('npm start -- --serve', () => {
  it('stops every process under it on SIGTERM to its PID, frees its ports and removes .local-stack.env', async () => {
    const started = npmStart(['--serve', '--port', '0', '--edge-port', '0']);
    leftovers.push(started);
    const [, httpUrl, edgeUrl] = (await waitForOutput(started, /HTTP API (http:\/\/127\.0\.0\.1:\d+), AWS endpoint (http:\/\/127\.0\.0\.1:\d+)/, 60_000)) as unknown as [string, string, string];
    started.edgeUrl = edgeUrl;
    await waitForOutput(started, /Local stack running/, 10_000);
    expect(readFileSync(ENV_FILE, 'utf8')).toContain(`AWS_ENDPOINT_URL='${edgeUrl}'`);
    expect(await refusesConnections(edgeUrl)).toBe(false);
    const processes = descendants(started.child.pid as number);
    expect(processes.length).toBeGreaterThan(0);

    process.kill(started.child.pid as number, 'SIGTERM');
    await within(20_000, 'npm start exiting after SIGTERM', started.exited);
    const deadline = Date.now() + 10_000;
    while (processes.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processes.filter(alive)).toEqual([]);
    expect(await refusesConnections(edgeUrl)).toBe(true);
    expect(await refusesConnections(httpUrl)).toBe(true);
    expect(existsSync(ENV_FILE)).toBe(false);
  }, 90_000);

  it('names a taken edge port and exits', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const started = npmStart(['--serve', '--port', '0', '--edge-port', String(port)]);
      leftovers.push(started);
      expect(await within(60_000, 'npm start exiting on a taken port', started.exited)).toBe(1);
      expect(started.output()).toContain(`port ${port} on 127.0.0.1 is taken`);
    } finally {
      blocker.close();
    }
  }, 90_000);
});

describe("npm start -- a user's own file", () => {
  it('submits that file alone: no injected redelivery or malformed message, and exact counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedback-file-'));
    const file = join(dir, 'my-feedback.csv');
    writeFileSync(file, 'bookId,text,rating\ndune,"Loved the desert, the politics and the worms.",5\n');
    try {
      const started = npmStart([file]);
      leftovers.push(started);
      const code = await within(90_000, 'npm start with a user file', started.exited);
      const output = started.output();
      expect(output).toContain('1 accepted, 0 refused by the intake.');
      expect(output).not.toMatch(/put straight on the queue|redelivery|malformed/);
      expect(output).toMatch(/ submitted +1\n/);
      expect(output).toMatch(/ dead-lettered +0\n/);
      expect(output).toMatch(/ redeliveries absorbed +0\n/);
      expect(output).toContain('Every message is accounted for.');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
