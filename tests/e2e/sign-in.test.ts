// The team's side behind sign-in, end to end on the local stack: the local OpenID provider, the HTTP API's JWT
// authorizer, the triage function and the dashboard in Debian's Chromium (keyboard only), screenshots included.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TriageState } from '../../functions/feedback-triage/triageFeedback/triage.js';
import { eraseFeedback, eraseReader } from '../../ops/erase-feedback.js';
import { routesOf } from '../../local/http-api.js';
import { signInWithPassword } from '../../local/oidc/sign-in-client.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { takeAlerts, waitUntilSettled } from '../../local/triage-ledger.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');
const ACTION_MS = 5_000;
const NAVIGATION_MS = 10_000;
const MAX_TABS = 80;

/** The routes anyone may call: the reader's form and its assets, page shells that carry no data, and the intake. */
const PUBLIC_ROUTES = ['GET /', 'GET /dashboard', 'GET /dashboard/documents', 'GET /assets/{file}', 'POST /feedback', 'POST /documents'];

/** The team API's JSON answers, as these tests read them. */
interface ApiAnswer {
  feedbackId?: string;
  message?: string;
  item?: TriageState;
  current?: TriageState;
}

let stack: LocalStack;
let browser: Browser | undefined;
const tokens: Record<'triage' | 'viewer', string> = { triage: '', viewer: '' };
const feedbackIds: string[] = [];
/** Feedback of one reader who asks to be forgotten. */
const READER = 'reader-who-asks-to-be-forgotten';
const readerFeedbackIds: string[] = [];

function seed(group: string) {
  const user = stack.signIn.users.find((candidate) => candidate.groups.includes(group));
  if (!user) throw new Error(`no seed user in ${group}`);
  return user;
}

async function api(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${stack.httpUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json().catch(() => ({}))) as ApiAnswer };
}

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT' });
  for (const [index, text] of [
    'Awful. Unreadable, pretentious and boring. The worst book we have read as a club; I hated every page.',
    'Terrible pacing and a dreadful ending. I was bored and annoyed the whole way through.',
  ].entries()) {
    const answer = await api('POST', '/feedback', { body: { bookId: `signed-in-book-${index}`, rating: 1, text } });
    expect(answer.status).toBe(202);
    feedbackIds.push(answer.body.feedbackId as string);
  }
  for (const text of ['Dreadful and dull, I hated it.', 'Awful translation, boring and clumsy.']) {
    const answer = await api('POST', '/feedback', { body: { bookId: 'forgotten-book', rating: 1, text, readerId: READER } });
    expect(answer.status).toBe(202);
    readerFeedbackIds.push(answer.body.feedbackId as string);
  }
  expect((await waitUntilSettled(stack, { timeoutMs: 15_000 })).settled).toBe(true);
  // The scopes the dashboard asks for, as serverless.yml gives them to its pages.
  const scopes = String(stack.service.functions.webPages?.environment.SIGN_IN_SCOPES).split(' ');
  for (const group of ['triage', 'viewer'] as const) {
    const user = seed(group);
    const signedIn = await signInWithPassword({ origin: stack.signIn.origin, clientId: stack.signIn.clientId, redirectUri: `${stack.httpUrl}/dashboard`, username: user.username, password: user.password, scopes });
    tokens[group] = signedIn.accessToken;
  }
}, 40_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
}, 15_000);

describe('the team routes on the local HTTP API', () => {
  it('protects every route but the reader form, its assets, page shells and the intakes with the JWT authorizer', () => {
    const routes = routesOf(stack.service);
    const unprotected = routes.filter((route) => !route.authorizer).map((route) => route.routeKey);
    expect(unprotected.sort()).toEqual([...PUBLIC_ROUTES].filter((key) => routes.some((route) => route.routeKey === key)).sort());
    for (const route of routes.filter((candidate) => candidate.authorizer)) {
      expect({ route: route.routeKey, authorizer: route.authorizer?.name, scoped: (route.authorizer?.scopes.length ?? 0) > 0 }).toEqual({
        route: route.routeKey,
        authorizer: 'teamSignIn',
        scoped: true,
      });
    }
  });

  it('answers 401 without a token, and with a token of another kind', async () => {
    const id = feedbackIds[0] as string;
    for (const [method, path] of [
      ['GET', `/feedback/${id}/history`],
      ['POST', `/feedback/${id}/triage`],
      ['GET', '/feedback?sentiment=NEGATIVE'],
      ['GET', '/feedback/stats'],
    ] as const) {
      expect({ path, ...(await api(method, path)) }).toMatchObject({ path, status: 401, body: { message: 'Unauthorized' } });
    }
    const idToken = await api('GET', `/feedback/${id}/history`, { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0b3ZlIn0.' });
    expect(idToken).toMatchObject({ status: 401, challenge: expect.stringContaining('error="invalid_token"') });
  });

  it('lets the viewer read and answers 403 when the viewer acts', async () => {
    const id = feedbackIds[0] as string;
    expect(await api('GET', `/feedback/${id}/history`, { token: tokens.viewer })).toMatchObject({ status: 200, body: { item: { status: 'NEW', version: 0 } } });
    expect(await api('POST', `/feedback/${id}/triage`, { token: tokens.viewer, body: { action: 'acknowledge', expectedVersion: 0 } })).toMatchObject({
      status: 403,
      body: { message: 'Forbidden' },
      challenge: expect.stringContaining('error="insufficient_scope"'),
    });
    expect((await api('GET', `/feedback/${id}/history`, { token: tokens.viewer })).body.item?.version).toBe(0);
  });

  it('lets the triage member act, and of two conflicting changes exactly one wins and the other gets 409 with the current state', async () => {
    const id = feedbackIds[0] as string;
    const acknowledged = await api('POST', `/feedback/${id}/triage`, { token: tokens.triage, body: { action: 'acknowledge', expectedVersion: 0, note: 'On it.' } });
    expect(acknowledged).toMatchObject({ status: 200, body: { item: { status: 'ACKNOWLEDGED', version: 1, updatedBy: seed('triage').username } } });

    const [resolve, reopen] = await Promise.all([
      api('POST', `/feedback/${id}/triage`, { token: tokens.triage, body: { action: 'resolve', expectedVersion: 1 } }),
      api('POST', `/feedback/${id}/triage`, { token: tokens.triage, body: { action: 'reopen', expectedVersion: 1 } }),
    ]);
    expect([resolve.status, reopen.status].sort()).toEqual([200, 409]);
    const [winner, loser] = resolve.status === 200 ? [resolve, reopen] : [reopen, resolve];
    expect(loser.body.current).toEqual(winner.body.item);
    expect(loser.body.message).toMatch(/version 2/);

    const history = await api('GET', `/feedback/${id}/history`, { token: tokens.viewer });
    expect(history.body.item?.version).toBe(2);
    expect(history.body.item?.history.map((entry) => `${entry.action} by ${entry.by}`)).toEqual([
      `acknowledge by ${seed('triage').username}`,
      `${winner === resolve ? 'resolve' : 'reopen'} by ${seed('triage').username}`,
    ]);
  });

  it('serves the sign-in settings to the pages and lets the dashboard talk to the sign-in origin only', async () => {
    const settings = await fetch(`${stack.httpUrl}/assets/sign-in.json`);
    expect(await settings.json()).toMatchObject({ origin: stack.signIn.origin, clientId: stack.signIn.clientId, triageScope: 'feedback-triage/triage' });
    const dashboard = await fetch(`${stack.httpUrl}/dashboard`);
    const connect = /connect-src ([^;]+)/.exec(dashboard.headers.get('content-security-policy') ?? '')?.[1];
    expect(connect).toBe(`'self' ${stack.signIn.origin}`);
    const form = await fetch(`${stack.httpUrl}/`);
    expect(/connect-src ([^;]+)/.exec(form.headers.get('content-security-policy') ?? '')?.[1]).toBe("'self'");
  });
});

async function activeText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { id: string; textContent: string | null } | null } }).document.activeElement;
    return `${active?.id ?? ''}|${active?.textContent?.trim() ?? ''}`;
  });
}

/** Presses Tab until the focused element matches, a bounded number of times. */
async function tabUntil(page: Page, wanted: (focused: string) => boolean, key = 'Tab'): Promise<void> {
  for (let press = 0; press < MAX_TABS; press++) {
    await page.keyboard.press(key);
    if (wanted(await activeText(page))) return;
  }
  throw new Error(`focus never reached the element within ${MAX_TABS} presses (now on ${await activeText(page)})`);
}

describe("erasing a reader's feedback", () => {
  it('leaves a tombstone without the text for each of the reader\'s records, which the team\'s routes no longer show', async () => {
    const client = DynamoDBDocumentClient.from(stack.clients.dynamodb);
    const request = { client, tableName: stack.resources.feedbackTable, by: 'admin@example.org', because: "the reader's request", now: new Date('2026-11-30T10:00:00.000Z') };
    expect(await eraseReader(request, READER)).toEqual({ outcomes: { erased: 2, 'already-erased': 0, 'not-found': 0 }, complete: true });
    for (const feedbackId of readerFeedbackIds) {
      const { Item } = await client.send(new GetCommand({ TableName: stack.resources.feedbackTable, Key: { feedbackId }, ConsistentRead: true }));
      expect(Item).toEqual({
        feedbackId,
        erasedAt: '2026-11-30T10:00:00.000Z',
        erasedBy: 'admin@example.org',
        erasedBecause: "the reader's request",
        matchedBy: 'readerId',
        alertStatus: 'SENT',
      });
      expect(await api('GET', `/feedback/${feedbackId}/history`, { token: tokens.viewer })).toMatchObject({ status: 404 });
      expect(await api('POST', `/feedback/${feedbackId}/triage`, { token: tokens.triage, body: { action: 'acknowledge', expectedVersion: 0 } })).toMatchObject({ status: 404 });
    }
    expect(await eraseFeedback(request, readerFeedbackIds[0] as string)).toBe('already-erased');
    expect(await eraseFeedback(request, '00000000-0000-4000-8000-000000000000')).toBe('not-found');
  });
});

describe('the dashboard in chromium, keyboard only', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: the browser tests need Debian's chromium package.`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: NAVIGATION_MS });
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 20_000);

  it('signs in on the provider login page, triages an item, shows its history, signs out and leaves no data on the page', async () => {
    if (!browser) throw new Error('chromium did not start');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(ACTION_MS);
    context.setDefaultNavigationTimeout(NAVIGATION_MS);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(`${message.text()} (${message.location().url})`));
    const user = seed('triage');
    const target = feedbackIds[1] as string;
    try {
      await page.goto(`${stack.httpUrl}/dashboard`);
      await page.waitForURL((url) => url.origin === stack.signIn.origin && url.pathname.startsWith('/interaction/'));
      expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length)).toBe(0);
      await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png'), fullPage: true });
      // The username field has focus (autofocus); the keyboard does the rest.
      await page.keyboard.type(user.username);
      await page.keyboard.press('Tab');
      await page.keyboard.type(user.password);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.origin === stack.httpUrl && url.pathname === '/dashboard' && !url.searchParams.has('code'));
      await page.locator('#updated', { hasText: 'Updated' }).waitFor({ timeout: NAVIGATION_MS });
      expect(await page.locator('#member').textContent()).toBe(`Signed in as ${user.username} (triage)`);
      // Tokens in memory only: nothing in either storage once signed in.
      expect(await page.evaluate(() => {
        const g = globalThis as unknown as { localStorage: { length: number }; sessionStorage: { length: number } };
        return g.localStorage.length + g.sessionStorage.length;
      })).toBe(0);

      const item = page.locator('#items > li', { has: page.locator('code', { hasText: target }) });
      await item.waitFor();
      expect(await page.locator('#open-count').textContent()).toMatch(/^\d+ open items? among the \d+ on this page\.$/);
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-open-items.png'), fullPage: true });

      // Acknowledge with a note, then resolve: Tab to the item's note field, type, Tab to the action, Enter.
      const noteId = await item.locator('.triage-note input').getAttribute('id');
      await page.locator('#refresh').focus();
      await tabUntil(page, (focused) => focused.startsWith(`${noteId}|`));
      await page.keyboard.type('Called the reader; a replacement copy is on its way.');
      await page.keyboard.press('Tab');
      expect(await activeText(page)).toBe('|Acknowledge');
      await page.keyboard.press('Enter');
      await item.locator('.triage-status', { hasText: 'Acknowledged' }).waitFor();
      // Focus stays on the item, on its first action.
      expect(await activeText(page)).toBe('|Resolve');
      await page.keyboard.press('Enter');
      await item.locator('.triage-status', { hasText: 'Resolved' }).waitFor();
      expect(await page.locator('#open-count').textContent()).toMatch(/^Resolve: done\. Status Resolved\./);

      // The history, opened with the keyboard.
      await tabUntil(page, (focused) => focused.startsWith('|History (2 changes)'));
      await page.keyboard.press('Enter');
      await item.locator('.history ol li').nth(1).waitFor();
      expect(await item.locator('.history ol li').allTextContents()).toEqual([
        expect.stringMatching(new RegExp(`${user.username}: Acknowledged to Resolved$`)),
        expect.stringMatching(new RegExp(`${user.username}: New to Acknowledged“?Called the reader; a replacement copy is on its way\\.”?$`)),
      ]);
      await item.screenshot({ path: join(SCREENSHOTS, 'item-history.png') });
      const stored = await api('GET', `/feedback/${target}/history`, { token: tokens.viewer });
      expect(stored.body.item).toMatchObject({ status: 'RESOLVED', version: 2 });

      // Sign out with the keyboard; the provider asks once, and sends the browser back signed out.
      await page.locator('#sign-out').focus();
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.origin === stack.signIn.origin && url.pathname.startsWith('/logout'));
      // The page autofocuses its button at a rendering step after load: press Enter once the focus is there.
      await page.locator('button[name="logout"]:focus').waitFor();
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.origin === stack.httpUrl && url.pathname === '/dashboard');
      await page.locator('#signed-out-heading').waitFor();
      const text = (await page.locator('body').innerText()) ?? '';
      for (const gone of [target, 'replacement copy', 'Unreadable', 'signed-in-book-1', user.username]) expect(text).not.toContain(gone);
      expect(await page.locator('#items > li').count()).toBe(0);
      expect(await page.locator('#counts > *').count()).toBe(0);

      // The provider's session ended too: signing in again asks for the password.
      await page.locator('#sign-in').focus();
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.origin === stack.signIn.origin && url.pathname.startsWith('/interaction/'));
      expect(await page.getByLabel('Password').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 40_000);

  it('follows the link in the alert email to the item, after signing in', async () => {
    if (!browser) throw new Error('chromium did not start');
    const target = feedbackIds[0] as string;
    const alert = (await takeAlerts(stack)).find((candidate) => candidate.feedbackId === target);
    const link = /^Triage it: (\S+)$/m.exec(alert?.message ?? '')?.[1];
    expect(link).toBe(`${stack.httpUrl}/dashboard?sentiment=NEGATIVE&item=${target}`);
    const context = await browser.newContext();
    context.setDefaultTimeout(ACTION_MS);
    const page = await context.newPage();
    try {
      await page.goto(link as string);
      await page.waitForURL((url) => url.origin === stack.signIn.origin);
      await page.getByLabel('Username').fill(seed('triage').username);
      await page.getByLabel('Password').fill(seed('triage').password);
      await page.getByLabel('Password').press('Enter');
      const item = page.locator('#items > li.linked');
      await item.waitFor({ timeout: NAVIGATION_MS });
      expect(await item.locator('code').textContent()).toBe(target);
      expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { className: string } | null } }).document.activeElement?.className)).toContain('linked');
      // Back at the address the alert gave, without the sign-in's code.
      expect(page.url()).toBe(link);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('offers the viewer no actions', async () => {
    if (!browser) throw new Error('chromium did not start');
    const context = await browser.newContext();
    context.setDefaultTimeout(ACTION_MS);
    const page = await context.newPage();
    try {
      const user = seed('viewer');
      await page.goto(`${stack.httpUrl}/dashboard`);
      await page.waitForURL((url) => url.origin === stack.signIn.origin);
      await page.getByLabel('Username').fill(user.username);
      await page.getByLabel('Password').fill(user.password);
      await page.getByLabel('Password').press('Enter');
      await page.locator('#updated', { hasText: 'Updated' }).waitFor({ timeout: NAVIGATION_MS });
      await page.locator('#status-filter').selectOption('ALL');
      await page.locator('#items > li .triage-status').first().waitFor();
      expect(await page.locator('.triage-actions button').count()).toBe(0);
      expect(await page.locator('#member').textContent()).toBe(`Signed in as ${user.username} (viewer)`);
    } finally {
      await context.close();
    }
  }, 30_000);
});
