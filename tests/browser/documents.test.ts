// The dashboard's Documents view in a real browser: Debian's chromium (/usr/bin/chromium), driven by
// playwright-core, against the embedded local stack in this process. A PDF chosen in the page goes through
// POST /documents, a PUT to the presigned URL and the real pipeline (EventBridge rule, Standard machine, real
// handlers), and its verdict comes back on the page; the list pages with the API's cursor; names from uploads
// render as text; the page works with the keyboard alone and on a phone. Screenshots land in
// test-output/screenshots/.
//
// CORS: a browser may PUT to the bucket only if S3 answers its preflight. The local S3 applies the bucket's
// CorsConfiguration from serverless.yml (local/s3/cors.ts), so chromium runs with its CORS checks on, as on AWS.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { projectRoot } from '../../local/service-definition.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { BrowserContexts, launchChromium, NAVIGATION_MS } from '../helpers/chromium.js';

const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PAGE_PATH = '/dashboard/documents';

/** Bounds for every wait: one action, one page load, and one upload's verdict (the page's own polling is bounded too). */
const ACTION_MS = 5_000;
const VERDICT_MS = 45_000;
/** The page's list shows this many documents per page (PAGE_SIZE in documents.js). */
const PAGE_SIZE = 20;

const samplePath = (name: string) => join(projectRoot, 'events', 'documents', name);
/** Markup in an object key's last part (no "/": the page shows the key's last part as the file name). */
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=true"><svg onload="window.__pwned=true">.pdf';

interface PageWindow {
  __pwned?: unknown;
  document: { documentElement: { scrollWidth: number; clientWidth: number }; activeElement: { id: string } | null };
}

let stack: LocalStack | undefined;
let browser: Browser | undefined;
const contexts = new BrowserContexts(() => browser);
/** The local S3's answer to the page's preflight, and whether it allows the PUT (measured once in beforeAll). */
let measuredPreflight: Awaited<ReturnType<typeof preflight>> | undefined;
/** Where presigned upload URLs point: the local S3 as the requestUpload function signs for it. */
let uploadOrigin = '';

function running(): LocalStack {
  if (!stack) throw new Error('the local stack did not start');
  return stack;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Grant {
  key: string;
  uploadUrl: string;
  method: string;
  headers: Record<string, string>;
  limits: { contentType: string; maxBytes: number };
}

async function askForUpload(size: number): Promise<Grant> {
  const asked = await fetch(`${running().httpUrl}/documents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fileName: 'preflight.pdf', contentType: 'application/pdf', size }),
  });
  expect(asked.status).toBe(201);
  return (await asked.json()) as Grant;
}

/** The preflight a browser on the page's origin sends before its PUT of a PDF, and what came back. */
async function preflight(grant: Grant) {
  const answer = await fetch(grant.uploadUrl, {
    method: 'OPTIONS',
    headers: { origin: running().httpUrl, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
  });
  return {
    status: answer.status,
    allowOrigin: answer.headers.get('access-control-allow-origin'),
    allowMethods: answer.headers.get('access-control-allow-methods'),
    allowHeaders: answer.headers.get('access-control-allow-headers'),
  };
}

interface UploadSeen {
  method: string;
  headers: Record<string, string>;
}

interface OpenPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  uploads: UploadSeen[];
  /** Requests the page made to the API, as "METHOD /path". */
  apiCalls: string[];
}

async function openDocuments(options: BrowserContextOptions = DESKTOP): Promise<OpenPage> {
  const context = await contexts.create(options);
  context.setDefaultTimeout(ACTION_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_MS);
  const uploads: UploadSeen[] = [];
  const page = await context.newPage();
  const errors: string[] = [];
  const apiCalls: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The sign-in service's own pages (its login and logout forms, their favicon) are not this page.
    const from = URL.canParse(message.location().url) ? new URL(message.location().url).origin : '';
    if (message.type() === 'error' && from !== running().signIn.origin) errors.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === running().httpUrl && url.pathname === '/documents') apiCalls.push(`${request.method()} ${url.pathname}`);
    if (url.origin === uploadOrigin) uploads.push({ method: request.method(), headers: request.headers() });
  });
  const response = await page.goto(`${running().httpUrl}${PAGE_PATH}`, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  await signInOnPage(page);
  return { page, context, errors, uploads, apiCalls };
}

/**
 * The page is the team's: it sends the browser to the sign-in page first. Signs in on the local provider's
 * login page as the seed user of the viewer group (reading is all the view needs) and waits to be back.
 */
async function signInOnPage(page: Page): Promise<void> {
  const { signIn } = running();
  const user = signIn.users.find((candidate) => candidate.groups.includes('viewer'));
  if (!user) throw new Error('no seed user in the group viewer');
  await page.waitForURL((url) => url.origin === signIn.origin && url.pathname.startsWith('/interaction/'), { timeout: NAVIGATION_MS });
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL((url) => url.origin === running().httpUrl && url.pathname === PAGE_PATH && !url.searchParams.has('code'), { timeout: NAVIGATION_MS });
  await page.locator('#member', { hasText: `Signed in as ${user.username}` }).waitFor({ timeout: ACTION_MS });
}

async function listLoaded(page: Page): Promise<void> {
  await page.locator('#updated', { hasText: 'Updated' }).waitFor({ timeout: NAVIGATION_MS });
  expect(await page.locator('#problem').textContent()).toBe('');
}

async function activeId(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as PageWindow).document.activeElement?.id ?? '');
}

/** Chooses a file and presses Upload with the keyboard alone: Tab to the file field, Space opens the chooser. */
async function uploadWithKeyboard(page: Page, file: string): Promise<void> {
  for (let press = 0; press < 12 && (await activeId(page)) !== 'document-file'; press++) await page.keyboard.press('Tab');
  expect(await activeId(page)).toBe('document-file');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: ACTION_MS }), page.keyboard.press('Space')]);
  await chooser.setFiles(file);
  await page.keyboard.press('Tab');
  expect(await activeId(page)).toBe('upload');
  await page.keyboard.press('Enter');
}

/** The page's final word on an upload: the status box once it names a verdict or a refusal. */
async function uploadOutcome(page: Page): Promise<string> {
  await page.locator('#upload-status', { hasText: /Verdict: |Not uploaded: |taking a while|could not be read/ }).waitFor({ timeout: VERDICT_MS });
  return (await page.locator('#upload-status').textContent()) ?? '';
}

async function expectNoSidewaysScroll(page: Page, width: number): Promise<void> {
  const widths = await page.evaluate(() => {
    const { documentElement } = (globalThis as unknown as PageWindow).document;
    return { scrollWidth: documentElement.scrollWidth, clientWidth: documentElement.clientWidth };
  });
  expect(widths).toEqual({ scrollWidth: width, clientWidth: width });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true, animations: 'disabled', timeout: NAVIGATION_MS });
}

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', httpPort: await freePort() });
  // The app client's callback URLs name the dashboard; the Documents view is a callback too.
  stack.signIn.allowRedirect(`${stack.httpUrl}${PAGE_PATH}`);
  const grant = await askForUpload(1024);
  uploadOrigin = new URL(grant.uploadUrl).origin;
  measuredPreflight = await preflight(grant);
  browser = await launchChromium();
}, 60_000);

afterEach(() => contexts.closeAll());

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
}, 20_000);

describe('the Documents view in chromium', () => {
  it("the local S3 answers the presigned PUT's CORS preflight from the page's origin", () => {
    expect(measuredPreflight).toEqual({
      status: 200,
      allowOrigin: running().httpUrl,
      allowMethods: expect.stringContaining('PUT'),
      allowHeaders: expect.stringMatching(/content-type/i),
    });
  });

  it('uploads a clean PDF with the keyboard alone, shows the progress and the CLEAN verdict, and lists it', async () => {
    const { page, errors, uploads, apiCalls } = await openDocuments();
    await listLoaded(page);
    const grants: Grant[] = [];
    page.on('response', async (response) => {
      if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/documents') grants.push((await response.json()) as Grant);
    });
    const file = samplePath('clean-handout.pdf');
    const size = (await readFile(file)).length;

    await uploadWithKeyboard(page, file);
    const outcome = await uploadOutcome(page);
    expect(outcome).toContain('Verdict: Clean. Nothing offensive was found.');
    expect(await activeId(page)).toBe('upload-status');
    expect(await page.locator('#upload-status').getAttribute('class')).toBe('status ok');
    expect(await page.locator('#upload-progress').getAttribute('value')).toBe('100');
    expect(await page.locator('#upload-percent').textContent()).toMatch(/^100% of /);

    // One grant, and one PUT to it with the signed content type and no other signed header; the bytes that
    // landed are the file's (the browser sets content-length from it).
    expect(grants).toHaveLength(1);
    const grant = grants[0] as Grant;
    expect(grant.key).toMatch(/^uploads\/[0-9a-f-]{36}\/clean-handout\.pdf$/);
    const puts = uploads.filter((upload) => upload.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.headers['content-type']).toBe('application/pdf');
    expect(Object.keys(puts[0]?.headers ?? {}).filter((name) => /^x-amz-|^authorization$/i.test(name))).toEqual([]);
    const stored = await running().clients.s3.send(new HeadObjectCommand({ Bucket: running().resources.documentsBucket, Key: grant.key }));
    expect({ length: stored.ContentLength, type: stored.ContentType }).toEqual({ length: size, type: 'application/pdf' });
    expect(apiCalls[0]).toBe('GET /documents');
    expect(apiCalls).toContain('POST /documents');

    // The upload's own card, then the list (reloaded after the verdict) with the same document first.
    const card = page.locator('#upload-result > li');
    expect(await card.getAttribute('class')).toBe('item document CLEAN');
    expect(await card.locator('.file-name').textContent()).toBe('clean-handout.pdf');
    expect(await card.textContent()).toContain('Team notification: images none needed, text none needed.');
    const listed = page.locator('#documents > li').first();
    expect(await listed.locator('.file-name').textContent()).toBe('clean-handout.pdf');
    expect(await listed.locator('.badge').textContent()).toBe('Clean');
    expect(await listed.textContent()).toMatch(/Text \(English \(en\), [\d,]+ characters\): toxicity 0\.\d\d\./);
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows an offensive PDF as OFFENSIVE with its text labels and scores, and that the team was told', async () => {
    const { page, errors } = await openDocuments();
    await listLoaded(page);
    await page.getByLabel('PDF document').setInputFiles(samplePath('offensive-text.pdf'));
    await page.getByRole('button', { name: 'Upload and check' }).click();
    expect(await uploadOutcome(page)).toContain('Verdict: Offensive. Offensive content was found; the team has been told.');
    const card = page.locator('#upload-result > li');
    expect(await card.getAttribute('class')).toBe('item document OFFENSIVE');
    const text = (await card.textContent()) ?? '';
    expect(text).toMatch(/toxicity 0\.\d\d, offensive\. Labels: [A-Z][a-z ]+ \d\.\d\d/);
    expect(text).toContain('Team notification: images none needed, text sent.');
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows a broken PDF as REJECTED with the reason, and a file that is not a PDF or is empty is refused before any upload', async () => {
    const { page, errors, uploads, apiCalls } = await openDocuments();
    await listLoaded(page);
    const field = page.getByLabel('PDF document');
    const upload = page.getByRole('button', { name: 'Upload and check' });

    await field.setInputFiles(samplePath('broken.pdf'));
    await upload.click();
    expect(await uploadOutcome(page)).toContain('Verdict: Rejected. The document could not be checked as it is.');
    const reason = (await page.locator('#upload-result > li .reason').textContent()) ?? '';
    expect(reason).toMatch(/^Why: .{10,}/);
    const putsSoFar = uploads.length;
    const postsSoFar = apiCalls.filter((call) => call === 'POST /documents').length;

    // Not a PDF: the API refuses it with its own words (415), and nothing is uploaded.
    await field.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some notes') });
    await upload.click();
    expect(await uploadOutcome(page)).toBe('Not uploaded: the server said: contentType must be application/pdf: only PDF documents are accepted.');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await activeId(page)).toBe('upload-status');

    // An empty file: refused on the page, no request at all.
    await field.setInputFiles({ name: 'empty.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(0) });
    await upload.click();
    expect(await uploadOutcome(page)).toBe('Not uploaded: empty.pdf is empty (0 bytes).');
    expect(apiCalls.filter((call) => call === 'POST /documents')).toHaveLength(postsSoFar + 1);
    expect(uploads).toHaveLength(putsSoFar);
    expect(errors.filter((error) => !/status of 415/.test(error))).toEqual([]);
  }, 60_000);

  it('says so when the document store cannot be reached, and offers the upload again', async () => {
    const { page, context, errors } = await openDocuments();
    await listLoaded(page);
    // The network fails the PUT (a dropped connection): no CORS or S3 involved, the page's own error path.
    await context.route((url) => url.origin === uploadOrigin, (route) => route.abort('connectionfailed'));
    await page.getByLabel('PDF document').setInputFiles(samplePath('clean-handout.pdf'));
    await page.getByRole('button', { name: 'Upload and check' }).click();
    expect(await uploadOutcome(page)).toBe('Not uploaded: the document store could not be reached. Check your connection and try again.');
    expect(await page.getByRole('button', { name: 'Upload and check' }).isEnabled()).toBe(true);
    expect(errors.filter((error) => !/ERR_CONNECTION_FAILED|Failed to load resource/.test(error))).toEqual([]);
  }, 30_000);

  it('lists every status with its details, renders names and errors as text, and pages with the cursor', async () => {
    const local = running();
    // Enough documents for two pages, put into the bucket as `aws s3 cp` would; one has markup in its name.
    const keys = Array.from({ length: PAGE_SIZE }, (_, index) => `uploads/${randomUUID()}/handout-${index + 1}.pdf`);
    keys.push(`uploads/${randomUUID()}/${HOSTILE_NAME}`);
    const body = await readFile(samplePath('clean-handout.pdf'));
    for (const key of keys) {
      await local.clients.s3.send(new PutObjectCommand({ Bucket: local.resources.documentsBucket, Key: key, Body: body, ContentType: 'application/pdf' }));
    }
    await Promise.all(keys.map((key) => local.documents.waitFor(key, { timeoutMs: VERDICT_MS })));

    // FAILED needs a fault no upload can cause on demand: this verdict is written through the store's own
    // recordVerdict, as RecordVerdict writes one after a Catch, with markup in its error's cause.
    const { recordVerdict } = await import('../../functions/document-moderation/shared/document-store.js');
    const failedKey = `uploads/${randomUUID()}/failed.pdf`;
    await recordVerdict(
      {
        document: { documentId: `fixture-${randomUUID()}`, bucket: local.resources.documentsBucket, key: failedKey, size: 2048 },
        status: 'FAILED',
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:fixture:failed',
        error: { name: 'States.Timeout', cause: '<b onmouseover="window.__pwned=true">ExtractText timed out</b>' },
      },
      new Date(),
    );

    const { page, errors } = await openDocuments();
    await listLoaded(page);
    const items = page.locator('#documents > li');
    expect(await items.count()).toBe(PAGE_SIZE);
    expect(await page.locator('#documents-summary').textContent()).toBe(`Showing documents 1 to ${PAGE_SIZE}, newest first.`);

    const failed = items.filter({ has: page.locator('.file-name', { hasText: 'failed.pdf' }) });
    expect(await failed.getAttribute('class')).toBe('item document FAILED');
    expect(await failed.locator('.reason').textContent()).toBe('Error: States.Timeout: <b onmouseover="window.__pwned=true">ExtractText timed out</b>');
    const hostile = items.filter({ has: page.locator('.file-name', { hasText: 'onerror' }) });
    expect(await hostile.locator('.file-name').textContent()).toBe(HOSTILE_NAME);
    expect(await page.locator('#documents img, #documents svg, #documents b').count()).toBe(0);
    expect(await page.evaluate(() => typeof (globalThis as unknown as PageWindow).__pwned)).toBe('undefined');

    // Older, then Newer again, with the keyboard; focus goes to the list heading after each page change.
    const firstPage = await items.locator('.file-name').allTextContents();
    await page.locator('#next').focus();
    await page.keyboard.press('Enter');
    await page.locator('#page-number', { hasText: 'Page 2' }).waitFor();
    await page.locator('#documents[aria-busy="false"]').waitFor();
    expect(await activeId(page)).toBe('documents-heading');
    const secondPage = await items.locator('.file-name').allTextContents();
    expect(secondPage.length).toBeGreaterThanOrEqual(1);
    expect(secondPage.filter((name) => firstPage.includes(name) && name !== 'clean-handout.pdf')).toEqual([]);
    expect(await page.locator('#documents-summary').textContent()).toMatch(new RegExp(`^Showing documents ${PAGE_SIZE + 1} to \\d+, newest first\\.$`));
    await page.locator('#previous').focus();
    await page.keyboard.press('Enter');
    await page.locator('#page-number', { hasText: 'Page 1' }).waitFor();
    await page.locator('#documents[aria-busy="false"]').waitFor();
    expect(await items.locator('.file-name').allTextContents()).toEqual(firstPage);
    expect(await page.locator('#previous').isDisabled()).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows nothing of the documents once the member signs out, and offers to sign in again', async () => {
    const { page, errors } = await openDocuments();
    await listLoaded(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The sign-in service asks to confirm, then sends the browser back to the page.
    await page.waitForURL((url) => url.origin === running().signIn.origin && url.pathname === '/logout', { timeout: NAVIGATION_MS });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === running().httpUrl && url.pathname === PAGE_PATH, { timeout: NAVIGATION_MS });
    await page.locator('#signed-out-heading').waitFor({ state: 'visible', timeout: NAVIGATION_MS });
    expect(await page.locator('#signed-out-reason').textContent()).toBe("You signed out. Documents and their verdicts are shown to the club's team only.");
    expect(await activeId(page)).toBe('signed-out-heading');
    expect(await page.locator('.team-data:visible').count()).toBe(0);
    expect(await page.locator('#documents > li').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
  }, 30_000);

  it('fits a phone screen, with thumb-sized controls, and saves screenshots of the page', async () => {
    const desktop = await openDocuments();
    await listLoaded(desktop.page);
    await desktop.page.getByLabel('PDF document').setInputFiles(samplePath('with-images.pdf'));
    await desktop.page.getByRole('button', { name: 'Upload and check' }).click();
    expect(await uploadOutcome(desktop.page)).toMatch(/Verdict: (Clean|Offensive)\./);
    expect(await desktop.page.locator('#upload-result > li').textContent()).toMatch(/Images: [\d,]+ images?, [\d,]+ checked\./);
    await screenshot(desktop.page, 'documents.png');

    const phone = await openDocuments(PHONE);
    await listLoaded(phone.page);
    await expectNoSidewaysScroll(phone.page, 375);
    for (const selector of ['#document-file', '#upload', '#refresh', '#next']) {
      const box = await phone.page.locator(selector).boundingBox();
      expect({ selector, tallEnough: (box?.height ?? 0) >= 44 }).toEqual({ selector, tallEnough: true });
    }
    await screenshot(phone.page, 'documents-phone.png');
    expect([...desktop.errors, ...phone.errors]).toEqual([]);
  }, 60_000);
});
