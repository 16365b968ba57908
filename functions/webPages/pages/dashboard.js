// The triage dashboard: counts and a chart from /feedback/stats, and pages of /feedback.
// Reader text only ever reaches the page through textContent, never as markup.
const PAGE_SIZE = 20;
const REFRESH_MS = 60_000;
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Stacking order of the chart's bars, bottom to top: what needs attention sits on the axis. */
const SENTIMENTS = ['NEGATIVE', 'MIXED', 'NEUTRAL', 'POSITIVE'];
const SENTIMENT_LABELS = { NEGATIVE: 'Negative', MIXED: 'Mixed', NEUTRAL: 'Neutral', POSITIVE: 'Positive' };
const LISTED = ['NEGATIVE', 'MIXED'];
const RANGES = ['day:14', 'day:30', 'hour:24', 'hour:72'];
const ALERT_LABELS = { NOT_REQUIRED: 'No alert needed', PENDING: 'Alert pending', PUBLISHING: 'Alert being sent', SENT: 'Alert sent' };

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
};

const initial = new URLSearchParams(window.location.search);
const state = {
  sentiment: LISTED.includes(initial.get('sentiment')) ? initial.get('sentiment') : 'NEGATIVE',
  range: RANGES.includes(initial.get('range')) ? initial.get('range') : 'day:14',
  /** cursors[n] starts page n; the API only pages forward, so "Newer" goes back to a cursor kept here. */
  cursors: [''],
  page: 0,
  nextCursor: undefined,
  lastUpdate: 0,
};

class ApiError extends Error {
  constructor(status, message, parameter) {
    super(message);
    this.status = status;
    this.parameter = parameter;
  }
}

async function getJson(path, parameters) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  let response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'the server could not be reached');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, typeof body.message === 'string' ? body.message : `HTTP ${response.status}`, body.parameter);
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

let statsRequest = 0;
let shownStats;
async function loadStats() {
  const mine = ++statsRequest;
  const [bucket, buckets] = state.range.split(':');
  const stats = await getJson('/feedback/stats', { bucket, buckets });
  if (mine !== statsRequest) return;
  shownStats = stats;
  renderCounts(stats);
  renderChart(stats);
  renderTable(stats);
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
  return element('li', { className: `item ${sentiment}`.trim() }, details, element('p', { className: 'excerpt', text: item.excerpt }), footer);
}

function renderList(page) {
  const label = SENTIMENT_LABELS[state.sentiment].toLowerCase();
  state.nextCursor = page.nextCursor;
  view.items.replaceChildren(...(page.items.length ? page.items.map(renderItem) : [element('li', { className: 'empty', text: `No ${label} feedback${state.page ? ' on this page' : ' yet'}.` })]));
  const first = state.page * PAGE_SIZE + 1;
  view.listSummary.textContent = page.items.length
    ? `Showing ${label} feedback ${number.format(first)} to ${number.format(first + page.items.length - 1)}, newest first.`
    : '';
  view.pageNumber.textContent = `Page ${state.page + 1}`;
  view.previous.disabled = state.page === 0;
  view.next.disabled = !state.nextCursor;
}

let listRequest = 0;
async function loadList() {
  const mine = ++listRequest;
  try {
    const page = await getJson('/feedback', { sentiment: state.sentiment, limit: PAGE_SIZE, cursor: state.cursors[state.page] });
    if (mine === listRequest) renderList(page);
  } catch (error) {
    // A cursor from an older version of the API: start again from the newest.
    if (mine === listRequest && error instanceof ApiError && error.status === 400 && error.parameter === 'cursor' && state.page > 0) {
      goToPage(0);
      return loadList();
    }
    throw error;
  }
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
    showProblem(error);
  } finally {
    view.refresh.disabled = false;
  }
}

const refreshAll = () => run(() => Promise.all([loadStats(), loadList()]));

function keepInUrl() {
  const url = new URL(window.location.href);
  url.searchParams.set('sentiment', state.sentiment);
  url.searchParams.set('range', state.range);
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
  radio.checked = radio.value === state.sentiment;
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    state.sentiment = radio.value;
    goToPage(0);
    keepInUrl();
    run(loadList);
  });
}
view.range.value = state.range;

let resizing;
window.addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => shownStats && renderChart(shownStats), 150);
});

// Auto-refresh only while the page is visible, and at once when it comes back after a while.
setInterval(() => {
  if (view.autoRefresh.checked && document.visibilityState === 'visible') refreshAll();
}, REFRESH_MS);
document.addEventListener('visibilitychange', () => {
  if (view.autoRefresh.checked && document.visibilityState === 'visible' && Date.now() - state.lastUpdate > REFRESH_MS) refreshAll();
});

refreshAll();
