// Debian's Chromium for the browser tests (/usr/bin/chromium, installed by `npm test`'s pretest), driven by
// playwright-core: one launch, and the contexts each test opens, closed after it.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

/** Bound of one page load, and of Chromium's start. */
export const NAVIGATION_MS = 10_000;

/** Starts Chromium; fails, never skips, when the machine lacks it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}. The browser tests need Debian's chromium package (apt-get install chromium; npm test installs it when run as root) and do not skip without it.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: NAVIGATION_MS });
}

/** The browser contexts a test opened; `closeAll()` in afterEach. */
export class BrowserContexts {
  private open: BrowserContext[] = [];

  constructor(private readonly browser: () => Browser | undefined) {}

  async create(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const browser = this.browser();
    if (!browser) throw new Error('chromium did not start');
    const context = await browser.newContext(options);
    this.open.push(context);
    return context;
  }

  async closeAll(): Promise<void> {
    const open = this.open;
    this.open = [];
    for (const context of open) await context.close().catch(() => undefined);
  }
}
