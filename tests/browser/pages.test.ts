// The reader form and the triage dashboard in a real browser: Debian's chromium (/usr/bin/chromium),
// driven by playwright-core, against the embedded local stack in this process.
// Feedback goes in through the form and comes out on the dashboard with its sentiment and alert status;
// reader text renders as text; both pages work with the keyboard alone, on a narrow phone screen, and
// label every control. Full-page screenshots land in test-output/screenshots/.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { waitUntilSettled } from '../../local/triage-ledger.js';
import { BrowserContexts, launchChromium, NAVIGATION_MS } from '../helpers/chromium.js';

const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Bounds for every wait: one action, one page load, the pipeline, and the dashboard's refresh attempts. */
const ACTION_MS = 5_000;
const SETTLE_MS = 15_000;
const REFRESH_ATTEMPTS = 5;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const NEGATIVE_TEXT = 'Awful. Unreadable, pretentious and boring. The worst book we have read as a club; I hated every page.';
const SCRIPT_PAYLOAD = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned=true">';
const HOSTILE_TEXT = `Awful, boring, I hated it. ${SCRIPT_PAYLOAD}`;

/** The few DOM members the in-page checks use (the project's tsconfig has no DOM lib). These functions run in the browser. */
interface PageElement {
  tagName: string;
  id: string;
  getBoundingClientRect(): { left: number; right: number };
}
interface PageWindow {
  __pwned?: unknown;
  document: {
    documentElement: { scrollWidth: number; clientWidth: number };
    activeElement: PageElement | null;
    scripts: ArrayLike<{ src: string }>;
    querySelectorAll(selector: string): ArrayLike<PageElement>;
  };
}

let stack: LocalStack | undefined;
let browser: Browser | undefined;
const contexts = new BrowserContexts(() => browser);

function base(): string {
  if (!stack) throw new Error('the local stack did not start');
  return stack.httpUrl;
}

interface OpenPage {
  page: Page;
  /** Uncaught exceptions and console errors (CSP and Trusted Types violations are logged as errors). */
  errors: string[];
  /** Every POST /feedback the page made. */
  posts: string[];
}

/** `prepare` runs on the new page before it loads (e.g. to route its requests). */
async function openPage(path: string, options: BrowserContextOptions = DESKTOP, prepare?: (page: Page) => Promise<void>): Promise<OpenPage> {
  const context = await contexts.create(options);
  context.setDefaultTimeout(ACTION_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  const posts: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/feedback') posts.push(request.postData() ?? '');
  });
  await prepare?.(page);
  const response = await page.goto(`${base()}${path}`, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  // The dashboard is the team's: it sends the browser to the sign-in page first.
  if (path.startsWith('/dashboard')) await signInOnPage(page, 'triage');
  return { page, errors, posts };
}

/** Signs in on the local provider's login page as the seed user of this group, and waits to be back on the dashboard. */
async function signInOnPage(page: Page, group: string): Promise<void> {
  if (!stack) throw new Error('the local stack did not start');
  const user = stack.signIn.users.find((candidate) => candidate.groups.includes(group));
  if (!user) throw new Error(`no seed user in the group ${group}`);
  await page.waitForURL((url) => url.origin === stack?.signIn.origin && url.pathname.startsWith('/interaction/'), { timeout: NAVIGATION_MS });
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL((url) => url.origin === base() && url.pathname === '/dashboard' && !url.searchParams.has('code'), { timeout: NAVIGATION_MS });
}

async function activeId(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as PageWindow).document.activeElement?.id ?? '');
}

/** Presses Tab until the element with this id has focus; a bounded number of presses. */
async function tabTo(page: Page, id: string, maxPresses = 12): Promise<void> {
  for (let press = 0; press < maxPresses; press++) {
    await page.keyboard.press('Tab');
    if ((await activeId(page)) === id) return;
  }
  throw new Error(`#${id} did not get focus within ${maxPresses} presses of Tab (focus is on #${await activeId(page)})`);
}

/** The form's answer after sending: the status box's text once it has any. */
async function answerOf(page: Page): Promise<string> {
  const status = page.locator('#status');
  await status.locator('p').first().waitFor({ state: 'visible', timeout: ACTION_MS });
  return (await status.textContent()) ?? '';
}

/** Sends feedback through the form with the keyboard alone, as a reader without a mouse would. */
async function sendWithKeyboard(page: Page, bookId: string, text: string): Promise<string> {
  await tabTo(page, 'bookId');
  await page.keyboard.type(bookId);
  // Tab lands on the rating group's checked radio ("No rating", the last); ArrowRight wraps round to 1.
  await page.keyboard.press('Tab');
  expect(await activeId(page)).toBe('rating-none');
  await page.keyboard.press('ArrowRight');
  expect(await activeId(page)).toBe('rating-1');
  await page.keyboard.press('Tab');
  expect(await activeId(page)).toBe('text');
  await page.keyboard.insertText(text);
  await page.keyboard.press('Tab');
  expect(await activeId(page)).toBe('send');
  await page.keyboard.press('Enter');
  return answerOf(page);
}

async function settle(): Promise<void> {
  if (!stack) throw new Error('the local stack did not start');
  const settled = await waitUntilSettled(stack, { timeoutMs: SETTLE_MS });
  expect(settled.settled).toBe(true);
}

/** Waits for the dashboard's first load: "Updated …" appears once counts, chart and list all came back. */
async function dashboardLoaded(page: Page): Promise<void> {
  await page.locator('#updated', { hasText: 'Updated' }).waitFor({ timeout: NAVIGATION_MS });
  expect(await page.locator('#problem').textContent()).toBe('');
}

/** The dashboard's three panels that wait on the API: counts, chart and list. */
const DASHBOARD_PANELS = ['#counts', '#chart', '#items'] as const;

async function busyStates(page: Page): Promise<Array<string | null>> {
  return Promise.all(DASHBOARD_PANELS.map((selector) => page.locator(selector).getAttribute('aria-busy')));
}

/**
 * Holds the dashboard's GET /feedback and /feedback/stats until `release` is called; `held` lists the paths
 * caught so far (a request the page repeats is held again).
 */
async function holdDashboardReads(page: Page): Promise<{ held: string[]; release: () => void }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held: string[] = [];
  await page.route(
    (url) => url.origin === base() && (url.pathname === '/feedback' || url.pathname === '/feedback/stats'),
    async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      held.push(new URL(route.request().url()).pathname);
      await released;
      return route.continue();
    },
  );
  return { held, release };
}

/**
 * Finds the list item of this feedbackId whose alert badge reads `alert`, pressing the page's own Refresh
 * button (with the keyboard) between a bounded number of attempts.
 */
async function findListed(page: Page, feedbackId: string, alert: string): Promise<Locator> {
  const item = page.locator('#items > li', { has: page.locator('code', { hasText: feedbackId }) });
  let seen = 'not listed';
  for (let attempt = 1; attempt <= REFRESH_ATTEMPTS; attempt++) {
    if ((await item.count()) === 1) {
      seen = (await item.locator('.badge').textContent()) ?? '';
      if (seen === alert) return item;
    }
    await page.locator('#refresh').focus();
    await page.keyboard.press('Enter');
    // The button is disabled while the refresh runs (set in its click handler) and enabled again after.
    await page.locator('#refresh:enabled').waitFor({ timeout: ACTION_MS });
  }
  throw new Error(`feedback ${feedbackId} was not listed with "${alert}" after ${REFRESH_ATTEMPTS} refreshes (last seen: ${seen})`);
}

/**
 * Fails when the page is wider than the viewport (the reader would scroll sideways). The message names the
 * first elements reaching past the edge, to say what to fix; on their own they do not fail the check, as
 * content inside a box that scrolls by itself (the chart's table) reaches past it without widening the page.
 */
async function expectNoSidewaysScroll(page: Page, viewportWidth: number): Promise<void> {
  const widths = await page.evaluate(() => {
    const { document } = globalThis as unknown as PageWindow;
    const width = document.documentElement.clientWidth;
    const offenders = Array.from(document.querySelectorAll('body *'))
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.right > width + 1 || box.left < -1;
      })
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}`);
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: width, offenders };
  });
  expect(widths.clientWidth).toBe(viewportWidth);
  if (widths.scrollWidth > widths.clientWidth) {
    throw new Error(`${page.url()} scrolls sideways: ${widths.scrollWidth} px wide in ${widths.clientWidth} px; past the edge: ${widths.offenders.join(', ')}`);
  }
}

/** A control's accessible name as Playwright computes it (the accname rules) for its ARIA snapshot: `- textbox "Book id"`. */
async function accessibleName(control: Locator): Promise<string> {
  const snapshot = await control.ariaSnapshot({ timeout: ACTION_MS });
  const firstLine = snapshot.split('\n')[0] ?? '';
  return /^- [a-z]+ "(.*)"/.exec(firstLine)?.[1] ?? '';
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true, animations: 'disabled', timeout: NAVIGATION_MS });
}

/** Width and height from a PNG's IHDR chunk. */
async function pngSize(file: string): Promise<{ width: number; height: number }> {
  const bytes = await readFile(file);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
  browser = await launchChromium();
}, 30_000);

afterEach(() => contexts.closeAll());

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
}, 15_000);

describe('the reader form and the triage dashboard in chromium', () => {
  it('takes negative feedback with the keyboard alone and lists it on the dashboard as negative with its alert', async () => {
    const form = await openPage('/');
    const answer = await sendWithKeyboard(form.page, 'keyboard-book', NEGATIVE_TEXT);
    expect(answer).toContain('Thank you! Your feedback was received.');
    const feedbackId = (await form.page.locator('#status code').textContent()) ?? '';
    expect(feedbackId).toMatch(new RegExp(`^${UUID.source}$`));
    expect(answer).toContain(feedbackId);
    // Focus moves to the answer; text and rating are cleared, the book id kept for the next one.
    expect(await activeId(form.page)).toBe('status');
    expect(await form.page.locator('#text').inputValue()).toBe('');
    expect(await form.page.locator('#bookId').inputValue()).toBe('keyboard-book');
    expect(await form.page.locator('#rating-none').isChecked()).toBe(true);
    expect(form.posts).toHaveLength(1);
    expect(JSON.parse(form.posts[0] as string)).toEqual({ bookId: 'keyboard-book', text: NEGATIVE_TEXT, rating: 1 });
    expect(form.errors).toEqual([]);

    await settle();
    const dashboard = await openPage('/dashboard');
    await dashboardLoaded(dashboard.page);
    expect(await dashboard.page.locator('#show-negative').isChecked()).toBe(true);
    const item = await findListed(dashboard.page, feedbackId, 'Alert sent');
    expect(await item.getAttribute('class')).toBe('item NEGATIVE');
    expect(await dashboard.page.locator('#list-summary').textContent()).toMatch(/^Showing negative feedback 1 to \d+, newest first\.$/);
    expect(await item.locator('.book').textContent()).toBe('keyboard-book');
    expect(await item.locator('.excerpt').textContent()).toBe(NEGATIVE_TEXT);
    const details = (await item.textContent()) ?? '';
    expect(details).toContain('1 of 5');
    expect(details).toMatch(/Scores: negative 0\.\d\d, mixed 0\.\d\d, neutral 0\.\d\d, positive 0\.\d\d\./);
    const negativeCount = await dashboard.page.locator('.count.NEGATIVE dd').textContent();
    expect(Number(negativeCount)).toBeGreaterThanOrEqual(1);
    expect(dashboard.errors).toEqual([]);
  }, 25_000);

  it('shows a script payload in reader text as text, and runs none of it', async () => {
    const form = await openPage('/');
    await form.page.getByLabel('Book id').fill('hostile-book');
    await form.page.getByLabel('Your feedback').fill(HOSTILE_TEXT);
    await form.page.getByRole('button', { name: 'Send feedback' }).click();
    expect(await answerOf(form.page)).toContain('Thank you!');
    const feedbackId = (await form.page.locator('#status code').textContent()) ?? '';
    expect(feedbackId).toMatch(UUID);
    expect(await form.page.evaluate(() => typeof (globalThis as unknown as PageWindow).__pwned)).toBe('undefined');

    await settle();
    const dashboard = await openPage('/dashboard');
    await dashboardLoaded(dashboard.page);
    const item = await findListed(dashboard.page, feedbackId, 'Alert sent');
    const excerpt = item.locator('.excerpt');
    expect(await excerpt.textContent()).toBe(HOSTILE_TEXT);
    expect(await excerpt.innerText()).toContain('<script>window.__pwned = true</script>');
    expect(await excerpt.innerText()).toContain('<img src=x onerror="window.__pwned=true">');
    // Nothing of it became markup: no element inside the excerpt, no script or img in the list, the page's own script only.
    expect(await excerpt.locator('*').count()).toBe(0);
    expect(await dashboard.page.locator('#items script, #items img').count()).toBe(0);
    const scripts = await dashboard.page.evaluate(() =>
      Array.from((globalThis as unknown as PageWindow).document.scripts).map((script) => new URL(script.src).pathname),
    );
    expect(scripts).toEqual(['/assets/dashboard.js']);
    expect(await dashboard.page.evaluate(() => typeof (globalThis as unknown as PageWindow).__pwned)).toBe('undefined');
    expect(dashboard.errors).toEqual([]);
  }, 25_000);

  it('explains bad input in plain words and gives no reference', async () => {
    const { page, errors, posts } = await openPage('/');
    const status = page.locator('#status');

    // Text of spaces only passes the browser's `required`: the server refuses it and the page says why.
    await page.getByLabel('Book id').fill('some-book');
    await page.getByLabel('Your feedback').fill('   ');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    const answer = await answerOf(page);
    expect(answer).toContain('Your feedback was not sent.');
    expect(answer).toContain('The server said: text must not be empty. Please correct it and send again.');
    expect(await status.getAttribute('class')).toBe('status error');
    expect(await page.locator('#text').getAttribute('aria-invalid')).toBe('true');
    expect(await activeId(page)).toBe('status');
    expect(await status.locator('code').count()).toBe(0);
    expect(answer).not.toMatch(UUID);
    expect(posts).toHaveLength(1);

    // Text over the limit: 413, with the server's own words.
    await page.getByLabel('Your feedback').fill('x'.repeat(10_001));
    expect(await page.locator('#text-count').textContent()).toBe('10,001 of 10,000 characters');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await status.filter({ hasText: 'at most 10000 characters' }).waitFor({ timeout: ACTION_MS });
    expect(await status.textContent()).toContain('Your feedback was not sent.');
    expect(await status.locator('code').count()).toBe(0);
    expect(posts).toHaveLength(2);

    // No book id: the browser stops the form before anything is sent, puts focus on the field and
    // clears the earlier answer.
    await page.getByLabel('Book id').fill('');
    await page.getByLabel('Your feedback').fill('A fine read.');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).document.activeElement?.id === 'bookId', undefined, { timeout: ACTION_MS });
    expect(await status.textContent()).toBe('');
    expect(await page.locator('#bookId').evaluate((input) => (input as { validationMessage: string }).validationMessage)).not.toBe('');
    expect(await status.locator('code').count()).toBe(0);
    expect(posts).toHaveLength(2);
    expect(errors.filter((error) => !/status of 4\d\d/.test(error))).toEqual([]);
  }, 20_000);

  it('shows each dashboard panel as loading, and busy to screen readers, until its first answer comes', async () => {
    let hold: { held: string[]; release: () => void } | undefined;
    const dashboard = await openPage('/dashboard', DESKTOP, async (page) => {
      hold = await holdDashboardReads(page);
    });
    const { page } = dashboard;
    // Bounded: the page asks for both once signed in.
    for (let attempt = 0; attempt < 50 && hold!.held.length < 2; attempt++) await page.waitForTimeout(100);
    expect([...hold!.held].sort()).toEqual(['/feedback', '/feedback/stats']);

    expect(await busyStates(page)).toEqual(['true', 'true', 'true']);
    expect(await page.locator('#chart').textContent()).toBe('Loading the figures…');
    expect((await page.locator('#items').textContent())?.trim()).toBe('Loading feedback…');

    hold!.release();
    await dashboardLoaded(page);
    expect(await busyStates(page)).toEqual(['false', 'false', 'false']);
    expect(await page.locator('.loading').count()).toBe(0);
    expect(await page.locator('#chart svg').count()).toBe(1);
    expect(dashboard.errors).toEqual([]);
  });

  it('says a panel could not be loaded, rather than loading for ever, when its first request fails', async () => {
    const dashboard = await openPage('/dashboard', DESKTOP, async (page) => {
      await page.route(
        (url) => url.origin === base() && url.pathname === '/feedback/stats',
        (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ message: 'try again' }) }),
      );
    });
    const { page } = dashboard;
    await page.locator('#chart', { hasText: 'The figures could not be loaded.' }).waitFor({ timeout: NAVIGATION_MS });
    expect(await page.locator('#problem').textContent()).toMatch(/Could not load the latest data: try again/);
    await page.locator('#items[aria-busy="false"]').waitFor({ timeout: NAVIGATION_MS });
    expect(await busyStates(page)).toEqual(['false', 'false', 'false']);
    // The list's own answer still came and replaced its placeholder.
    expect(await page.locator('#items .loading').count()).toBe(0);
  });

  it('gives every field on both pages a label', async () => {
    const form = await openPage('/');
    const dashboard = await openPage('/dashboard');
    await dashboardLoaded(dashboard.page);
    const unnamed: string[] = [];
    let checked = 0;
    for (const { page } of [form, dashboard]) {
      for (const control of await page.locator('input, select, textarea, button').all()) {
        checked++;
        if (!(await accessibleName(control))) unnamed.push(`${page.url()} #${await control.getAttribute('id')}`);
      }
    }
    expect(unnamed).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(16);

    // The names a reader hears, through the <label> elements themselves.
    expect(await form.page.getByLabel('Book id').getAttribute('id')).toBe('bookId');
    expect(await form.page.getByLabel('Your feedback').getAttribute('id')).toBe('text');
    expect(await form.page.getByRole('radio', { name: '1 out of 5' }).getAttribute('id')).toBe('rating-1');
    expect(await form.page.getByRole('radio', { name: 'No rating' }).getAttribute('id')).toBe('rating-none');
    expect(await form.page.getByRole('group', { name: 'Rating' }).count()).toBe(1);
    expect(await dashboard.page.getByLabel('Period').getAttribute('id')).toBe('range');
    expect(await dashboard.page.getByLabel('Refresh every minute').getAttribute('id')).toBe('auto-refresh');
    expect(await dashboard.page.getByRole('radio', { name: 'Negative' }).getAttribute('id')).toBe('show-negative');
    expect(await dashboard.page.getByRole('radio', { name: 'Mixed' }).getAttribute('id')).toBe('show-mixed');
    expect(await dashboard.page.getByRole('img', { name: /^Feedback per day, by sentiment/ }).count()).toBe(1);
  }, 20_000);

  it('fits a narrow phone screen without sideways scrolling, and the form works there by touch', async () => {
    const form = await openPage('/', PHONE);
    await expectNoSidewaysScroll(form.page, 375);

    // 44 px touch targets and a full-width button.
    const formBox = await form.page.locator('#feedback-form').boundingBox();
    for (const selector of ['#bookId', '#text', '#send', 'label[for="rating-1"]', 'label[for="rating-none"]']) {
      const box = await form.page.locator(selector).boundingBox();
      expect({ selector, tallEnough: (box?.height ?? 0) >= 44 }).toEqual({ selector, tallEnough: true });
    }
    const sendBox = await form.page.locator('#send').boundingBox();
    expect(sendBox?.width ?? 0).toBeGreaterThan((formBox?.width ?? 0) * 0.8);

    await form.page.getByLabel('Book id').tap();
    await form.page.keyboard.type('phone-book');
    // The radio sits, transparent, over its label: a finger lands on it.
    await form.page.getByRole('radio', { name: '4 out of 5' }).tap();
    expect(await form.page.locator('#rating-4').isChecked()).toBe(true);
    await form.page.getByLabel('Your feedback').tap();
    await form.page.keyboard.insertText('Read it on the bus. Lovely, gentle and funny; the ending made me smile.');
    await form.page.getByRole('button', { name: 'Send feedback' }).tap();
    expect(await answerOf(form.page)).toMatch(UUID);
    await expectNoSidewaysScroll(form.page, 375);
    expect(form.errors).toEqual([]);

    const dashboard = await openPage('/dashboard', PHONE);
    await dashboardLoaded(dashboard.page);
    await expectNoSidewaysScroll(dashboard.page, 375);
    // The chart is drawn at the width it is shown at.
    const chart = await dashboard.page.locator('#chart svg').boundingBox();
    expect(chart?.width ?? Infinity).toBeLessThanOrEqual(375);
    // The chart's table scrolls inside its own box, not the page.
    await dashboard.page.getByText('Chart data as a table').tap();
    await dashboard.page.locator('#chart-table tbody tr').first().waitFor({ state: 'visible', timeout: ACTION_MS });
    await expectNoSidewaysScroll(dashboard.page, 375);
    const table = await dashboard.page.locator('.table-scroll').boundingBox();
    expect(table?.width ?? Infinity).toBeLessThanOrEqual(375);
    expect(dashboard.errors).toEqual([]);
  }, 20_000);

  it('saves a full-page screenshot of each page, on a desktop and on a phone', async () => {
    const started = Date.now();
    for (const [suffix, options] of [
      ['', DESKTOP],
      ['-phone', PHONE],
    ] as const) {
      const form = await openPage('/', options);
      await form.page.getByLabel('Book id').fill('infinite-jest');
      await form.page.getByRole('radio', { name: '2 out of 5' }).check();
      await form.page.getByLabel('Your feedback').fill('Too long and the endnotes were exhausting. I gave up halfway.');
      await form.page.getByRole('button', { name: 'Send feedback' }).click();
      expect(await answerOf(form.page)).toMatch(UUID);
      await screenshot(form.page, `form${suffix}.png`);

      await settle();
      const dashboard = await openPage('/dashboard', options);
      await dashboardLoaded(dashboard.page);
      await dashboard.page.locator('#items > li').first().waitFor({ timeout: ACTION_MS });
      await screenshot(dashboard.page, `dashboard${suffix}.png`);
      expect([...form.errors, ...dashboard.errors]).toEqual([]);
    }

    for (const [name, width, minHeight] of [
      ['form.png', 1280, 800],
      ['dashboard.png', 1280, 800],
      ['form-phone.png', 750, 1334],
      ['dashboard-phone.png', 750, 1334],
    ] as const) {
      const file = join(SCREENSHOTS, name);
      expect((await stat(file)).mtimeMs).toBeGreaterThanOrEqual(started - 1_000);
      const size = await pngSize(file);
      expect(size.width).toBe(width);
      expect(size.height).toBeGreaterThanOrEqual(minHeight);
    }
  }, 25_000);
});
