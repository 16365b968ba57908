// The triage dashboard: counts and a chart from /feedback/stats, pages of /feedback, and the triage of each
// item (status, assignee, notes, history) through /feedback/{id}/triage and /history, signed in (auth.js).
// Reader text only ever reaches the page through textContent, never as markup.
import { authorizedFetch, canTriage, signIn, signOut, SignInRequired, startSignIn } from './auth.js';
import { executionHref, pageLinks } from './links.js';

const PAGE_SIZE = 20;
const REFRESH_MS = 60_000;
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Stacking order of the chart's bars, bottom to top: what needs attention sits on the axis. */
const SENTIMENTS = ['NEGATIVE', 'MIXED', 'NEUTRAL', 'POSITIVE'];
const SENTIMENT_LABELS = { NEGATIVE: 'Negative', MIXED: 'Mixed', NEUTRAL: 'Neutral', POSITIVE: 'Positive' };
const LISTED = ['NEGATIVE', 'MIXED'];
const RANGES = ['day:14', 'day:30', 'hour:24', 'hour:72'];
const ALERT_LABELS = { NOT_REQUIRED: 'No alert needed', PENDING: 'Alert pending', PUBLISHING: 'Alert being sent', SENT: 'Alert sent' };
const STATUS_LABELS = { NEW: 'New', ACKNOWLEDGED: 'Acknowledged', RESOLVED: 'Resolved' };
const OPEN_STATUSES = ['NEW', 'ACKNOWLEDGED'];
const STATUS_FILTERS = ['OPEN', 'NEW', 'ACKNOWLEDGED', 'RESOLVED', 'ALL'];
/** The actions each status offers, in the order their buttons appear. */
const STATUS_ACTIONS = { NEW: ['acknowledge'], ACKNOWLEDGED: ['resolve', 'reopen'], RESOLVED: ['reopen'] };
const ACTION_LABELS = { acknowledge: 'Acknowledge', resolve: 'Resolve', reopen: 'Reopen', assign: 'Assign', note: 'Add note' };
const TRIAGE_READS_IN_FLIGHT = 4;

const $ = (id) => document.getElementById(id);
const view = {
  refresh: $('refresh'),
  autoRefresh: $('auto-refresh'),
  updated: $('updated'),
  problem: $('problem'),
  range: $('range'),
  counts: $('counts'),
  countsNote: $('counts-note'),
  chart: $('chart'),
  legend: $('legend'),
  chartNote: $('chart-note'),
  chartTable: $('chart-table'),
  listHeading: $('list-heading'),
  listSummary: $('list-summary'),
  items: $('items'),
  previous: $('previous'),
  next: $('next'),
  pageNumber: $('page-number'),
  member: $('member'),
  signOut: $('sign-out'),
  signedOut: $('signed-out'),
  statusFilter: $('status-filter'),
  bookFilter: $('book-filter'),
  mineFilter: $('mine-filter'),
  openCount: $('open-count'),
};

const state = {
  // The view's settings come from the address once signed in (readAddress): the sign-in's answer carries none.
  sentiment: 'NEGATIVE',
  range: 'day:14',
  /** Where each item links its execution (links.js), read once signed in. */
  links: {},
  /** The item an alert email links to (?item=feedbackId): shown whatever its status, and given focus once. */
  linkedItem: undefined,
  status: 'OPEN',
  book: '',
  mine: false,
  /** The signed-in member: { username, canTriage }. */
  member: undefined,
  /** The page's items as /feedback listed them, and each one's triage state from /history. */
  listed: [],
  triage: new Map(),
  /** cursors[n] starts page n; the API only pages forward, so "Newer" goes back to a cursor kept here. */
  cursors: [''],
  page: 0,
  nextCursor: undefined,
  lastUpdate: 0,
};

class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

async function getJson(path, parameters) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  return requestJson(url, { headers: { accept: 'application/json' } });
}

/** The input a refusal names. The read API called it `parameter` before this release: still read, for one release. */
const errorField = (body) => body.field ?? body.parameter;

/** A team API call with the access token; SignInRequired passes through, every other failure is an ApiError. */
async function requestJson(url, init) {
  let response;
  try {
    response = await authorizedFetch(url, init);
  } catch (error) {
    if (error instanceof SignInRequired) throw error;
    throw new ApiError(0, 'the server could not be reached');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new ApiError(response.status, typeof body.message === 'string' ? body.message : `HTTP ${response.status}`, errorField(body));
    error.body = body;
    throw error;
  }
  return body;
}

function element(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attributes ?? {})) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

const number = new Intl.NumberFormat();
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const hourLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const longDayLabel = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const longHourLabel = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

function formatTime(iso) {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : dateTime.format(time);
}

function showProblem(error) {
  if (!error) {
    view.problem.replaceChildren();
    return;
  }
  const message = error instanceof ApiError ? error.message : 'unexpected error';
  view.problem.replaceChildren(element('p', { text: `Could not load the latest data: ${message}. The figures shown may be out of date.` }));
}

// ---- Counts and chart ----------------------------------------------------------------------------

function renderCounts(stats) {
  view.counts.replaceChildren(
    ...SENTIMENTS.map((sentiment) => {
      const exact = stats.complete[sentiment];
      return element(
        'div',
        { className: `count ${sentiment}` },
        element('dt', { text: SENTIMENT_LABELS[sentiment] }),
        element('dd', { text: `${number.format(stats.counts[sentiment])}${exact ? '' : '+'}` }),
      );
    }),
  );
  const unitText = stats.unit === 'day' ? 'whole days in UTC' : 'hours';
  const partial = SENTIMENTS.filter((sentiment) => !stats.complete[sentiment]);
  view.countsNote.textContent =
    `Feedback received from ${formatTime(stats.from)} to ${formatTime(stats.to)} (${unitText}).` +
    (partial.length ? ' A "+" marks a count that reached the reading limit: there is at least that much.' : '');
}

/** A y axis for counts: whole-number ticks 1, 2 or 5 x 10^n apart, at most five of them above zero. */
function niceScale(value) {
  let step = 1;
  for (let magnitude = 1; value / step > 5; magnitude *= 10) {
    step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => value / candidate <= 5) ?? 10 * magnitude;
  }
  return { step, max: Math.max(step, Math.ceil(value / step) * step) };
}

function bucketLabel(stats, bucket, long) {
  const time = Date.parse(bucket.start);
  if (stats.unit === 'day') return (long ? longDayLabel : dayLabel).format(time);
  return (long ? longHourLabel : hourLabel).format(time);
}

function renderChart(stats) {
  // Drawn at the width it is shown at, so its text stays readable on a phone.
  const width = Math.max(280, Math.round(view.chart.clientWidth || 720));
  const height = width < 480 ? 220 : 260;
  const margin = { top: 12, right: 8, bottom: 30, left: 44 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const totals = stats.buckets.map((bucket) => SENTIMENTS.reduce((sum, sentiment) => sum + bucket.counts[sentiment], 0));
  const scale = niceScale(Math.max(0, ...totals));
  const yMax = scale.max;
  const y = (value) => margin.top + plotHeight - (value / yMax) * plotHeight;
  const band = plotWidth / Math.max(1, stats.buckets.length);
  const barWidth = Math.max(1, band * 0.72);

  const busiest = totals.indexOf(Math.max(...totals));
  const sum = totals.reduce((a, b) => a + b, 0);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', focusable: 'false' });
  root.append(
    svg('title', { id: 'chart-title' }, `Feedback per ${stats.unit}, by sentiment`),
    svg(
      'desc',
      { id: 'chart-desc' },
      sum === 0
        ? 'No feedback in this period.'
        : `${number.format(sum)} feedback in ${stats.buckets.length} ${stats.unit}s; the busiest ${stats.unit} was ${bucketLabel(stats, stats.buckets[busiest], true)} with ${number.format(totals[busiest])}. The table below the chart lists every value.`,
    ),
  );

  for (let value = 0; value <= yMax; value += scale.step) {
    root.append(
      svg('line', { class: 'axis', x1: margin.left, x2: width - margin.right, y1: y(value), y2: y(value) }),
      svg('text', { class: 'tick', x: margin.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, number.format(value)),
    );
  }

  const labelEvery = Math.ceil(stats.buckets.length / Math.max(2, Math.floor(plotWidth / 90)));
  stats.buckets.forEach((bucket, index) => {
    const x = margin.left + index * band + (band - barWidth) / 2;
    const group = svg('g', bucket.complete ? {} : { class: 'partial' });
    let base = 0;
    for (const sentiment of SENTIMENTS) {
      const value = bucket.counts[sentiment];
      if (!value) continue;
      const rect = svg('rect', { class: `bar ${sentiment}`, x, width: barWidth, y: y(base + value), height: y(base) - y(base + value) });
      rect.append(svg('title', {}, `${bucketLabel(stats, bucket, true)}: ${number.format(value)} ${SENTIMENT_LABELS[sentiment].toLowerCase()}`));
      group.append(rect);
      base += value;
    }
    root.append(group);
    if (index % labelEvery === 0) {
      root.append(svg('text', { class: 'tick', x: x + barWidth / 2, y: height - 10, 'text-anchor': 'middle' }, bucketLabel(stats, bucket, false)));
    }
  });
  view.chart.replaceChildren(root);

  view.legend.replaceChildren(
    ...SENTIMENTS.map((sentiment) =>
      element('li', {}, element('span', { className: `swatch ${sentiment}`, attributes: { 'aria-hidden': 'true' } }), SENTIMENT_LABELS[sentiment]),
    ),
  );
  const partial = stats.buckets.some((bucket) => !bucket.complete);
  view.chartNote.textContent = partial ? 'Paler bars reached the reading limit: their counts are lower bounds.' : '';
}

function renderTable(stats) {
  const head = element('thead', {}, element('tr', {}, element('th', { text: stats.unit === 'day' ? 'Day (UTC)' : 'Hour', attributes: { scope: 'col' } }),
    ...SENTIMENTS.map((sentiment) => element('th', { text: SENTIMENT_LABELS[sentiment], attributes: { scope: 'col' } }))));
  const body = element(
    'tbody',
    {},
    ...stats.buckets
      .slice()
      .reverse()
      .map((bucket) =>
        element(
          'tr',
          {},
          element('th', { text: `${bucketLabel(stats, bucket, true)}${bucket.complete ? '' : ' (at least)'}`, attributes: { scope: 'row' } }),
          ...SENTIMENTS.map((sentiment) => element('td', { text: number.format(bucket.counts[sentiment]) })),
        ),
      ),
  );
  view.chartTable.replaceChildren(element('caption', { className: 'visually-hidden', text: 'Feedback per period and sentiment, newest first' }), head, body);
}

/**
 * Marks panels busy while their request is in flight (screen readers wait for the new content), and, should the
 * request fail before anything was shown, turns their "Loading…" into a word that it could not be loaded.
 * Only the latest request (isLatest) touches the panels: an older one's answer or failure no longer concerns them.
 */
async function whileLoading(panels, failedText, isLatest, task) {
  for (const panel of panels) panel.setAttribute('aria-busy', 'true');
  try {
    await task();
  } catch (error) {
    if (isLatest()) {
      for (const placeholder of panels.map((panel) => panel.querySelector(':scope > .loading')).filter(Boolean)) {
        placeholder.className = 'empty';
        placeholder.textContent = failedText;
      }
    }
    throw error;
  } finally {
    if (isLatest()) for (const panel of panels) panel.setAttribute('aria-busy', 'false');
  }
}

let statsRequest = 0;
let shownStats;
function loadStats() {
  const mine = ++statsRequest;
  const isLatest = () => mine === statsRequest;
  return whileLoading([view.counts, view.chart], 'The figures could not be loaded.', isLatest, async () => {
    const [bucket, buckets] = state.range.split(':');
    const stats = await getJson('/feedback/stats', { bucket, buckets });
    if (!isLatest()) return;
    shownStats = stats;
    renderCounts(stats);
    renderChart(stats);
    renderTable(stats);
  });
}

// ---- The list ------------------------------------------------------------------------------------

function meta(label, value) {
  return [element('dt', { text: label }), element('dd', {}, value)];
}

function renderItem(item) {
  const sentiment = SENTIMENT_LABELS[item.sentiment] ? item.sentiment : '';
  const time = element('time', { text: formatTime(item.submittedAt), attributes: { datetime: item.submittedAt } });
  const alertClass = ALERT_LABELS[item.alertStatus] ? ` ${item.alertStatus}` : '';
  const alert = element('span', { className: `badge${alertClass}`, text: ALERT_LABELS[item.alertStatus] ?? String(item.alertStatus ?? 'unknown') });
  const details = element(
    'dl',
    { className: 'meta' },
    ...meta('Book', element('span', { className: 'book', text: item.bookId })),
    // Said in words, not only by the border colour.
    ...meta('Sentiment', SENTIMENT_LABELS[item.sentiment] ?? String(item.sentiment ?? 'unknown')),
    ...meta('Received', time),
    ...meta('Rating', typeof item.rating === 'number' ? `${item.rating} of ${view.items.dataset.maxRating}` : 'No rating'),
    ...meta('Alert', alert),
  );
  const scores = item.scores
    ? `Scores: negative ${item.scores.negative.toFixed(2)}, mixed ${item.scores.mixed.toFixed(2)}, neutral ${item.scores.neutral.toFixed(2)}, positive ${item.scores.positive.toFixed(2)}. `
    : '';
  const footer = element('p', { className: 'meta' }, `${scores}Reference `, element('code', { text: item.feedbackId }));
  const triage = state.triage.get(item.feedbackId);
  // The list's index does not carry the execution (changing an index's projection means replacing it): the
  // item's triage read, from the table, does.
  const execution = executionHref(state.links, triage?.executionArn);
  if (execution) footer.append('. ', element('a', { className: 'execution-link', text: 'Execution that stored it', attributes: { href: execution } }));
  return element(
    'li',
    { className: `item ${sentiment}`.trim(), attributes: { id: itemElementId(item.feedbackId), tabindex: '-1', 'aria-label': `Feedback on ${item.bookId}, ${formatTime(item.submittedAt)}` } },
    details,
    element('p', { className: 'excerpt', text: item.excerpt }),
    footer,
    triage ? renderTriage(item, triage) : element('p', { className: 'hint', text: 'Triage status could not be read.' }),
  );
}

// ---- Triage --------------------------------------------------------------------------------------

const itemElementId = (feedbackId) => `item-${feedbackId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function renderHistory(triage) {
  const entries = triage.history
    .slice()
    .reverse()
    .map((entry) => {
      const change = entry.from === entry.to ? ACTION_LABELS[entry.action] ?? entry.action : `${STATUS_LABELS[entry.from] ?? entry.from} to ${STATUS_LABELS[entry.to] ?? entry.to}`;
      const assigned = entry.action === 'assign' ? (entry.assignee ? `, assigned to ${entry.assignee}` : ', unassigned') : '';
      const line = element('li', {}, element('time', { text: formatTime(entry.at), attributes: { datetime: entry.at } }), ` ${entry.by}: ${change}${assigned}`);
      if (entry.note) line.append(element('q', { className: 'note', text: entry.note }));
      return line;
    });
  return element(
    'details',
    { className: 'history' },
    element('summary', { text: `History (${triage.history.length} ${triage.history.length === 1 ? 'change' : 'changes'})` }),
    entries.length ? element('ol', {}, ...entries) : element('p', { className: 'hint', text: 'No changes yet.' }),
  );
}

function renderTriage(item, triage) {
  const status = element('span', { className: `triage-status ${triage.status}`, text: STATUS_LABELS[triage.status] ?? triage.status });
  const assignee = triage.assignee ? `Assigned to ${triage.assignee}` : 'Not assigned';
  const summary = element('p', { className: 'triage-summary' }, 'Status: ', status, ` · ${assignee}`);
  const block = element('div', { className: 'triage-block' }, summary);
  if (state.member?.canTriage) {
    const noteId = `${itemElementId(item.feedbackId)}-note`;
    const note = element('input', { attributes: { id: noteId, type: 'text', maxlength: '1000', autocomplete: 'off' } });
    const act = (action, extra = {}) => () => triageItem(item, action, note.value, extra);
    const buttons = (STATUS_ACTIONS[triage.status] ?? []).map((action) =>
      element('button', { text: ACTION_LABELS[action], attributes: { type: 'button', 'data-action': action } }),
    );
    (STATUS_ACTIONS[triage.status] ?? []).forEach((action, index) => buttons[index].addEventListener('click', act(action)));
    const mine = triage.assignee === state.member.username;
    const assign = element('button', { className: 'secondary', text: mine ? 'Unassign me' : 'Assign to me', attributes: { type: 'button', 'data-action': 'assign' } });
    assign.addEventListener('click', act('assign', { assignee: mine ? null : state.member.username }));
    const addNote = element('button', { className: 'secondary', text: ACTION_LABELS.note, attributes: { type: 'button', 'data-action': 'note' } });
    addNote.addEventListener('click', act('note'));
    block.append(
      element('div', { className: 'triage-note' }, element('label', { text: 'Note (optional with an action)', attributes: { for: noteId } }), note),
      element('div', { className: 'triage-actions', attributes: { role: 'group', 'aria-label': `Actions on feedback ${item.feedbackId}` } }, ...buttons, assign, addNote),
    );
  }
  block.append(renderHistory(triage));
  return block;
}

const triageAnnouncer = () => view.openCount;

async function triageItem(item, action, noteText, extra) {
  const triage = state.triage.get(item.feedbackId);
  if (!triage) return;
  const note = noteText.trim();
  if (action === 'note' && !note) {
    showActionProblem(item, 'Write the note first.');
    return;
  }
  const body = { action, expectedVersion: triage.version, ...extra, ...(note ? { note } : {}) };
  try {
    const answer = await requestJson(`/feedback/${encodeURIComponent(item.feedbackId)}/triage`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    state.triage.set(item.feedbackId, answer.item);
    rerenderItem(item, `${ACTION_LABELS[action]}: done. Status ${STATUS_LABELS[answer.item.status]}.`);
  } catch (error) {
    if (error instanceof SignInRequired) return showSignedOut(error.message);
    if (error instanceof ApiError && error.status === 409 && error.body?.current) {
      state.triage.set(item.feedbackId, error.body.current);
      rerenderItem(item, `Not saved: ${error.message}. The item now shows the latest state.`);
      return;
    }
    showActionProblem(item, error instanceof ApiError ? `Not saved: ${error.message}.` : 'Not saved: unexpected error.');
  }
}

function showActionProblem(item, message) {
  const node = document.getElementById(itemElementId(item.feedbackId));
  node?.querySelector('.triage-problem')?.remove();
  node?.append(element('p', { className: 'triage-problem', text: message, attributes: { role: 'alert' } }));
}

/** Redraws one item after a change and keeps keyboard focus in it, on its first action. */
function rerenderItem(item, announcement) {
  const old = document.getElementById(itemElementId(item.feedbackId));
  const fresh = renderItem(item);
  if (old) old.replaceWith(fresh);
  renderCountsOfOpen();
  triageAnnouncer().textContent = `${announcement} ${openCountText()}`;
  (fresh.querySelector('.triage-actions button') ?? fresh).focus();
}

function openCountText() {
  const open = state.listed.filter((item) => OPEN_STATUSES.includes(state.triage.get(item.feedbackId)?.status)).length;
  return `${number.format(open)} open ${open === 1 ? 'item' : 'items'} among the ${number.format(state.listed.length)} on this page.`;
}

function renderCountsOfOpen() {
  view.openCount.textContent = openCountText();
}

function matchesFilters(item) {
  const triage = state.triage.get(item.feedbackId);
  const status = triage?.status;
  if (state.status === 'OPEN' && !OPEN_STATUSES.includes(status)) return false;
  if (!['OPEN', 'ALL'].includes(state.status) && status !== state.status) return false;
  if (state.book && !item.bookId.toLowerCase().includes(state.book.toLowerCase())) return false;
  if (state.mine && triage?.assignee !== state.member?.username) return false;
  return true;
}

/** Each listed item's triage state, a few reads at a time. */
async function loadTriage(items) {
  const states = new Map();
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      const answer = await requestJson(`/feedback/${encodeURIComponent(item.feedbackId)}/history`, { headers: { accept: 'application/json' } });
      states.set(item.feedbackId, answer.item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(TRIAGE_READS_IN_FLIGHT, items.length) }, worker));
  return states;
}

function renderList(page) {
  const label = SENTIMENT_LABELS[state.sentiment].toLowerCase();
  state.nextCursor = page.nextCursor;
  state.listed = page.items;
  const shown = page.items.filter(matchesFilters);
  const filtered = shown.length !== page.items.length;
  view.items.replaceChildren(
    ...(shown.length
      ? shown.map(renderItem)
      : [element('li', { className: 'empty', text: page.items.length ? `No ${label} feedback on this page matches the filters.` : `No ${label} feedback${state.page ? ' on this page' : ' yet'}.` })]),
  );
  const first = state.page * PAGE_SIZE + 1;
  view.listSummary.textContent = page.items.length
    ? `Showing ${label} feedback ${number.format(first)} to ${number.format(first + page.items.length - 1)}, newest first${filtered ? `; ${number.format(shown.length)} match the filters` : ''}.`
    : '';
  renderCountsOfOpen();
  view.pageNumber.textContent = `Page ${state.page + 1}`;
  view.previous.disabled = state.page === 0;
  view.next.disabled = !state.nextCursor;
}

let listRequest = 0;
function loadList() {
  const mine = ++listRequest;
  const isLatest = () => mine === listRequest;
  return whileLoading([view.items], 'The feedback could not be loaded.', isLatest, async () => {
    try {
      const page = await getJson('/feedback', { sentiment: state.sentiment, limit: PAGE_SIZE, cursor: state.cursors[state.page] });
      const triage = await loadTriage(page.items);
      if (!isLatest()) return;
      state.triage = triage;
      renderList(page);
      showLinkedItem();
    } catch (error) {
      // A cursor from an older version of the API: start again from the newest (that request owns the panel now).
      if (isLatest() && error instanceof ApiError && error.status === 400 && error.field === 'cursor' && state.page > 0) {
        goToPage(0);
        return loadList();
      }
      throw error;
    }
  });
}

/** Picks out the item an alert linked to, once: focused and marked, or a word that it is not on this page. */
function showLinkedItem() {
  if (!state.linkedItem) return;
  const node = document.getElementById(itemElementId(state.linkedItem));
  if (node) {
    node.classList.add('linked');
    node.focus();
  } else {
    view.listSummary.textContent += ' The item the alert linked to is not on this page: it may be on an older one.';
  }
  state.linkedItem = undefined;
}

function goToPage(page) {
  state.page = page;
  state.cursors.length = page + 1;
}

// ---- Wiring --------------------------------------------------------------------------------------

async function run(task) {
  view.refresh.disabled = true;
  try {
    await task();
    showProblem(undefined);
    state.lastUpdate = Date.now();
    view.updated.textContent = `Updated ${clock.format(state.lastUpdate)}`;
  } catch (error) {
    if (error instanceof SignInRequired) showSignedOut(`Signed out: ${error.message}.`);
    else showProblem(error);
  } finally {
    view.refresh.disabled = false;
  }
}

const refreshAll = () => run(() => Promise.all([loadStats(), loadList()]));

function keepInUrl() {
  const url = new URL(window.location.href);
  url.searchParams.set('sentiment', state.sentiment);
  url.searchParams.set('range', state.range);
  url.searchParams.set('status', state.status);
  if (state.book) url.searchParams.set('book', state.book);
  else url.searchParams.delete('book');
  if (state.mine) url.searchParams.set('mine', '1');
  else url.searchParams.delete('mine');
  window.history.replaceState(null, '', url);
}

async function changePage(page) {
  if (page > state.page) state.cursors[page] = state.nextCursor;
  goToPage(page);
  await run(loadList);
  // The buttons may now be disabled: put keyboard focus where the new page starts.
  view.listHeading.focus();
}

view.previous.addEventListener('click', () => changePage(state.page - 1));
view.next.addEventListener('click', () => changePage(state.page + 1));
view.refresh.addEventListener('click', refreshAll);
view.range.addEventListener('change', () => {
  state.range = view.range.value;
  keepInUrl();
  run(loadStats);
});
for (const radio of document.querySelectorAll('input[name="sentiment"]')) {
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    state.sentiment = radio.value;
    goToPage(0);
    keepInUrl();
    run(loadList);
  });
}

// Filters apply to the page already read: no request, the list is redrawn at once.
const refilter = () => {
  keepInUrl();
  if (state.listed) renderList({ items: state.listed, nextCursor: state.nextCursor });
};

/** The view as the address asks for it (filters, period, a linked item), shown in the controls. */
function readAddress() {
  const query = new URLSearchParams(window.location.search);
  state.sentiment = LISTED.includes(query.get('sentiment')) ? query.get('sentiment') : 'NEGATIVE';
  state.range = RANGES.includes(query.get('range')) ? query.get('range') : 'day:14';
  state.linkedItem = query.get('item') ?? undefined;
  state.status = STATUS_FILTERS.includes(query.get('status')) ? query.get('status') : query.has('item') ? 'ALL' : 'OPEN';
  state.book = query.get('book') ?? '';
  state.mine = query.get('mine') === '1';
  for (const radio of document.querySelectorAll('input[name="sentiment"]')) radio.checked = radio.value === state.sentiment;
  view.range.value = state.range;
  view.statusFilter.value = state.status;
  view.bookFilter.value = state.book;
  view.mineFilter.checked = state.mine;
}
view.statusFilter.addEventListener('change', () => {
  state.status = view.statusFilter.value;
  refilter();
});
view.bookFilter.addEventListener('input', () => {
  state.book = view.bookFilter.value.trim();
  refilter();
});
view.mineFilter.addEventListener('change', () => {
  state.mine = view.mineFilter.checked;
  refilter();
});

// ---- Signing in and out --------------------------------------------------------------------------

/** Takes every piece of reader data off the page: nothing the team saw stays once signed out. */
function clearTeamData() {
  state.listed = [];
  state.triage = new Map();
  shownStats = undefined;
  for (const node of [view.counts, view.chart, view.legend, view.chartTable, view.items]) node.replaceChildren();
  for (const node of [view.countsNote, view.chartNote, view.listSummary, view.openCount, view.updated, view.pageNumber]) node.textContent = '';
  for (const section of document.querySelectorAll('.team-data')) section.hidden = true;
}

function showSignedOut(reason) {
  state.member = undefined;
  clearTeamData();
  view.member.textContent = '';
  view.signOut.hidden = true;
  // Built only when needed, so a signed-in page carries no hidden controls.
  const heading = element('h2', { text: 'Signed out', attributes: { id: 'signed-out-heading', tabindex: '-1' } });
  const again = element('button', { text: 'Sign in', attributes: { type: 'button', id: 'sign-in' } });
  again.addEventListener('click', () => startSignIn());
  view.signedOut.replaceChildren(
    element('section', { className: 'card', attributes: { 'aria-labelledby': 'signed-out-heading' } }, heading, element('p', { text: reason }), again),
  );
  heading.focus();
}
view.signOut.addEventListener('click', () => {
  clearTeamData();
  view.member.textContent = 'Signing out…';
  signOut();
});

let resizing;
window.addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => shownStats && renderChart(shownStats), 150);
});

async function start() {
  let signedIn;
  try {
    signedIn = await signIn();
  } catch (error) {
    showSignedOut(error instanceof SignInRequired ? error.message : 'sign-in failed');
    return;
  }
  if (!signedIn) {
    showSignedOut('You signed out. Reader feedback is shown to the club\'s team only.');
    return;
  }
  readAddress();
  state.links = await pageLinks();
  state.member = { username: signedIn.username, canTriage: await canTriage() };
  view.member.textContent = `Signed in as ${signedIn.username}${signedIn.groups.length ? ` (${signedIn.groups.join(', ')})` : ''}`;
  view.signOut.hidden = false;
  // Auto-refresh only while the page is visible and signed in, and at once when it comes back after a while.
  setInterval(() => {
    if (state.member && view.autoRefresh.checked && document.visibilityState === 'visible') refreshAll();
  }, REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (state.member && view.autoRefresh.checked && document.visibilityState === 'visible' && Date.now() - state.lastUpdate > REFRESH_MS) refreshAll();
  });
  refreshAll();
}

start();
