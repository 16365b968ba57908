// The local Executions view in a real browser (Debian's chromium, driven by playwright-core), against the embedded
// local stack in this process: feedback goes through the intake and the Express workflow; one execution is made
// to retry and then take its Catch (Comprehend throttled throughout); the view lists the executions, filters them
// by status, shows an execution's timeline with its retries and Catch, and hides reader text until asked. The
// dashboard links the stored feedback to the execution that stored it. Screenshots land in test-output/.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type Browser, type Page } from 'playwright-core';
import { NO_FAULTS } from '../../local/faults.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { waitUntilSettled } from '../../local/triage-ledger.js';
import { BrowserContexts, launchChromium, NAVIGATION_MS } from '../helpers/chromium.js';

const OUTPUT = join(process.cwd(), 'test-output');

/** Bounds for every wait: one action, one page load, the pipeline, and polls of the stack. */
const ACTION_MS = 5_000;
const SETTLE_MS = 30_000;
const POLLS = 200;
const POLL_MS = 50;

const READER_TEXT = 'Dreadful pacing, wooden characters, and an ending that insulted the whole club.';
const OTHER_TEXT = 'A delight from start to finish; we argued about it for hours.';

let stack: LocalStack | undefined;
let browser: Browser | undefined;
const contexts = new BrowserContexts(() => browser);
/** The feedback whose execution retried and took its Catch, then succeeded on redelivery. */
let throttledFeedbackId = '';
let negativeFeedbackId = '';

function theStack(): LocalStack {
  if (!stack) throw new Error('the local stack did not start');
  return stack;
}

async function submit(bookId: string, rating: number, text: string): Promise<string> {
  const response = await fetch(`${theStack().httpUrl}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bookId, rating, text }) });
  expect(response.status).toBe(202);
  return ((await response.json()) as { feedbackId: string }).feedbackId;
}

async function settle(): Promise<void> {
  const settled = await waitUntilSettled(theStack(), { timeoutMs: SETTLE_MS });
  expect(settled.settled).toBe(true);
}

async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const context = await contexts.create({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(ACTION_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  return { page, errors };
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, name), fullPage: true, animations: 'disabled', timeout: NAVIGATION_MS });
}

const viewUrl = (query = ''): string => `${theStack().edge.url}/_local/executions${query}`;

beforeAll(async () => {
  // Retries and timeouts at a twentieth of their deployed length; a message the consumer returns is back after 1 s.
  stack = await startLocalStack({ logLevel: 'SILENT', faults: NO_FAULTS, timeScale: 0.05, visibilityTimeoutSeconds: 1 });
  browser = await launchChromium();

  negativeFeedbackId = await submit('executions-book', 1, READER_TEXT);
  await submit('executions-book', 5, OTHER_TEXT);
  await settle();

  // Comprehend throttles every call: DetectSentiment retries and then takes its Catch to TriageFailed.
  stack.setFaults({ ...NO_FAULTS, comprehend: 1 });
  throttledFeedbackId = await submit('executions-book', 2, 'Too long by half, though the middle chapters were fine.');
  for (let poll = 0; poll < POLLS && stack.stepFunctions.inspector.executions({ status: 'FAILED' }).length === 0; poll++) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  stack.setFaults(NO_FAULTS);
  expect(stack.stepFunctions.inspector.executions({ status: 'FAILED' })).toHaveLength(1);
  // The consumer returned the message; redelivered, it is triaged.
  await settle();
}, 90_000);

afterEach(() => contexts.closeAll());

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
}, 15_000);

describe('the Executions view in chromium', () => {
  it('lists the executions newest first, filters them by status, and shows a retried execution that took its Catch', async () => {
    const { page, errors } = await openPage(viewUrl());
    const rows = page.locator('#executions-body tr');
    await rows.first().locator('a').waitFor();
    const executions = theStack().stepFunctions.inspector.executions();
    expect(await rows.count()).toBe(executions.length);
    expect(await rows.locator('th a').allTextContents()).toEqual(executions.map((e) => e.name));
    expect(await page.getByRole('columnheader', { name: 'Status' }).count()).toBe(1);
    await screenshot(page, 'executions-list.png');

    await page.getByLabel('Status').selectOption('FAILED');
    await page.waitForURL((url) => url.searchParams.get('status') === 'FAILED');
    await page.locator('#executions-caption', { hasText: 'Failed: 1 shown' }).waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.locator('td .badge').allTextContents()).toEqual(['Failed']);
    // Throttled throughout, each DetectSentiment attempt fails with a retried error: the throttling itself, or (at
    // this time scale) the function's timeout while the SDK backs off, a transient failure. Each has its own
    // retrier in the ASL (6 and 2 retries), counted apart, so a mix of both gives between 2 and 8 retries.
    const RETRIED = ['DependencyThrottledError', 'TransientDependencyError'];
    const error = (await rows.locator('td').last().textContent()) ?? '';
    expect(RETRIED).toContain(error);

    await rows.first().locator('a').click();
    await page.locator('#detail-heading', { hasText: 'Execution ' }).waitFor();
    const timeline = page.locator('#timeline-body tr');
    await timeline.first().waitFor();
    expect(await timeline.locator('th').allTextContents()).toEqual(['DetectSentiment', 'TriageFailed']);
    const detect = timeline.first();
    const attemptErrors = (await detect.locator('.attempts .error-name').allTextContents()).map((name) => name.trim());
    expect(attemptErrors.length).toBeGreaterThanOrEqual(3);
    expect(attemptErrors.length).toBeLessThanOrEqual(9);
    for (const name of attemptErrors) expect(RETRIED).toContain(name);
    expect(attemptErrors[attemptErrors.length - 1]).toBe(error);
    expect(await detect.locator('.retries').textContent()).toBe(`${attemptErrors.length - 1} retries`);
    expect(await detect.locator('td').nth(3).textContent()).toBe(`Caught ${error} → TriageFailed`);
    expect(await timeline.nth(1).locator('td').nth(3).textContent()).toBe('Failed');
    expect(await page.locator('#summary').textContent()).toContain(error);
    await screenshot(page, 'executions-failed-with-catch.png');
    expect(errors).toEqual([]);

    // Redelivered, the throttled feedback was stored by a later execution: the record names that one.
    const failedArn = theStack().stepFunctions.inspector.executions({ status: 'FAILED' })[0]?.executionArn;
    const record = await theStack().clients.dynamodb.send(
      new GetItemCommand({ TableName: theStack().resources.feedbackTable, Key: { feedbackId: { S: throttledFeedbackId } }, ConsistentRead: true }),
    );
    const storedBy = record.Item?.executionArn?.S ?? '';
    expect(storedBy).not.toBe(failedArn);
    expect(theStack().stepFunctions.inspector.execution(storedBy)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it("opens an execution's timeline with reader text hidden, and shows it only when asked", async () => {
    const record = await theStack().clients.dynamodb.send(
      new GetItemCommand({ TableName: theStack().resources.feedbackTable, Key: { feedbackId: { S: negativeFeedbackId } }, ConsistentRead: true }),
    );
    const executionArn = record.Item?.executionArn?.S ?? '';
    expect(executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:express:/);

    const { page, errors } = await openPage(viewUrl(`?executionArn=${encodeURIComponent(executionArn)}`));
    const timeline = page.locator('#timeline-body tr');
    await timeline.first().waitFor();
    expect(await timeline.locator('th').allTextContents()).toEqual(['DetectSentiment', 'StoreFeedback', 'IsNegative', 'NotifyNegative', 'Triaged']);
    expect(await timeline.locator('td:nth-child(5)').allTextContents()).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    expect(await page.locator('#summary').textContent()).toContain(executionArn);

    // Hidden by the server: the words are nowhere in the page, only their length.
    expect(await page.content()).not.toContain(READER_TEXT);
    expect(await page.locator('#execution-input').textContent()).toContain(`‹reader text hidden: ${READER_TEXT.length} characters›`);
    const showText = page.getByLabel('Show reader text');
    expect(await showText.isChecked()).toBe(false);
    await screenshot(page, 'executions-timeline.png');

    const refetch = page.waitForResponse((response) => response.url().includes('/api/execution?') && response.url().includes('showReaderText=true'));
    await showText.check();
    expect((await refetch).status()).toBe(200);
    await page.locator('#execution-input', { hasText: READER_TEXT }).waitFor();
    await showText.uncheck();
    await page.locator('#execution-input', { hasText: 'reader text hidden' }).waitFor();
    expect(await page.content()).not.toContain(READER_TEXT);
    expect(errors).toEqual([]);
  });

  it('the dashboard links stored feedback to the execution that stored it, and the link opens it in the view', async () => {
    const links = (await (await fetch(`${theStack().httpUrl}/assets/links.json`)).json()) as { executionDetailsUrl?: string };
    expect(links.executionDetailsUrl).toBe(`${theStack().edge.url}/_local/executions?executionArn=`);

    const { page, errors } = await openPage(`${theStack().httpUrl}/dashboard`);
    const user = theStack().signIn.users.find((candidate) => candidate.groups.includes('triage'));
    if (!user) throw new Error('no seed user in the triage group');
    await page.waitForURL((url) => url.origin === theStack().signIn.origin && url.pathname.startsWith('/interaction/'), { timeout: NAVIGATION_MS });
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL((url) => url.origin === theStack().httpUrl && url.pathname === '/dashboard' && !url.searchParams.has('code'), { timeout: NAVIGATION_MS });

    const item = page.locator('#items > li', { has: page.locator('code', { hasText: negativeFeedbackId }) });
    const link = item.getByRole('link', { name: 'Execution that stored it' });
    await link.waitFor({ timeout: NAVIGATION_MS });
    const href = (await link.getAttribute('href')) ?? '';
    expect(href.startsWith(links.executionDetailsUrl!)).toBe(true);
    const executionArn = new URL(href).searchParams.get('executionArn') ?? '';
    expect(theStack().stepFunctions.inspector.execution(executionArn)).toMatchObject({ status: 'SUCCEEDED' });

    await link.click();
    await page.waitForURL((url) => url.origin === theStack().edge.url && url.searchParams.get('executionArn') === executionArn, { timeout: NAVIGATION_MS });
    await page.locator('#timeline-body tr').first().waitFor();
    expect(await page.locator('#detail-heading').textContent()).toBe(`Execution ${theStack().stepFunctions.inspector.execution(executionArn)?.name}`);
    expect(errors).toEqual([]);
  });
});
