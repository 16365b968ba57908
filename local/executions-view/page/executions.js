// The local Executions view: recent executions of every state machine, and one execution's timeline. Everything
// it shows comes from the JSON API beside it (view.ts), which masks reader text unless asked; the page renders
// data as text only (textContent), never as markup.
/* global window, document, fetch, URL, URLSearchParams */
const BASE = '/_local/executions';
const PAGE_SIZE = 25;

const state = {
  /** cursors[n] starts page n (undefined: the newest); the API pages towards older executions only. */
  cursors: [undefined],
  page: 0,
  detail: undefined,
};

const $ = (id) => document.getElementById(id);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

class ApiError extends Error {
  constructor(type, message) {
    super(message);
    this.name = type;
  }
}

async function api(path, query) {
  const url = new URL(`${BASE}/api/${path}`, window.location.origin);
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  const response = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(body.__type ?? `HTTP ${response.status}`, body.message ?? response.statusText);
  return body;
}

function formatDate(ms) {
  return ms === undefined ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

function formatDuration(ms) {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const STATUS_LABELS = { RUNNING: 'Running', SUCCEEDED: 'Succeeded', FAILED: 'Failed', TIMED_OUT: 'Timed out', ABORTED: 'Aborted' };

function statusBadge(status) {
  return element('span', STATUS_LABELS[status] ?? status, `badge status-${String(status).toLowerCase().replace(/_/g, '-')}`);
}

function filters() {
  const params = new URLSearchParams(window.location.search);
  return { status: params.get('status') ?? '', stateMachineArn: params.get('stateMachineArn') ?? '', executionArn: params.get('executionArn') ?? '' };
}

/** The view's address for these filters (and execution, when one is open). */
function address({ status, stateMachineArn, executionArn }) {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (stateMachineArn) params.set('stateMachineArn', stateMachineArn);
  if (executionArn) params.set('executionArn', executionArn);
  const query = params.toString();
  return query ? `${BASE}?${query}` : BASE;
}

function showProblem(id, error) {
  $(id).textContent = error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : '';
}

// ---- The list -------------------------------------------------------------------------------------------------

function fillMachines(machines, selected) {
  const select = $('machine-filter');
  const keep = select.options[0];
  select.replaceChildren(keep);
  for (const machine of machines) {
    const option = element('option', `${machine.name} (${machine.type === 'EXPRESS' ? 'Express' : 'Standard'})`);
    option.value = machine.stateMachineArn;
    select.append(option);
  }
  select.value = selected;
}

function executionRow(execution, current) {
  const row = document.createElement('tr');
  const nameCell = element('th');
  nameCell.scope = 'row';
  const link = element('a', execution.name);
  link.href = address({ ...current, executionArn: execution.executionArn });
  link.title = execution.executionArn;
  nameCell.append(link);
  const statusCell = element('td');
  statusCell.append(statusBadge(execution.status));
  row.append(
    nameCell,
    element('td', execution.stateMachineName),
    element('td', execution.type === 'EXPRESS' ? 'Express' : 'Standard'),
    statusCell,
    element('td', formatDate(execution.startDate)),
    element('td', formatDuration(execution.durationMs)),
    element('td', execution.error ?? ''),
  );
  return row;
}

async function loadList() {
  const current = filters();
  $('status-filter').value = current.status;
  showProblem('list-problem');
  const body = $('executions-body');
  body.setAttribute('aria-busy', 'true');
  try {
    const page = await api('executions', { status: current.status, stateMachineArn: current.stateMachineArn, limit: PAGE_SIZE, cursor: state.cursors[state.page] });
    fillMachines(page.machines, current.stateMachineArn);
    body.replaceChildren(...page.executions.map((execution) => executionRow(execution, current)));
    if (page.executions.length === 0) {
      const row = document.createElement('tr');
      const cell = element('td', current.status || current.stateMachineArn ? 'No execution matches these filters.' : 'No executions yet.');
      cell.colSpan = 7;
      row.append(cell);
      body.append(row);
    }
    state.cursors[state.page + 1] = page.nextCursor;
    state.cursors.length = state.page + 2;
    $('older').disabled = page.nextCursor === undefined;
    $('newer').disabled = state.page === 0;
    $('page-label').textContent = `Page ${state.page + 1}`;
    $('executions-caption').textContent = `Executions, newest first${current.status ? `, ${STATUS_LABELS[current.status] ?? current.status}` : ''}: ${page.executions.length} shown`;
  } catch (error) {
    showProblem('list-problem', error);
  } finally {
    body.removeAttribute('aria-busy');
  }
}

function changeFilters() {
  const next = { status: $('status-filter').value, stateMachineArn: $('machine-filter').value };
  window.history.pushState(null, '', address(next));
  state.cursors = [undefined];
  state.page = 0;
  void loadList();
}

// ---- One execution --------------------------------------------------------------------------------------------

function json(value) {
  return value === undefined ? '(none)' : JSON.stringify(value, null, 2);
}

function summaryEntry(list, term, value) {
  if (value === undefined || value === '') return;
  list.append(element('dt', term));
  const dd = element('dd');
  if (value instanceof window.Node) dd.append(value);
  else dd.textContent = value;
  list.append(dd);
}

function outcomeText(run) {
  switch (run.outcome) {
    case 'caught':
      return `Caught ${run.caught?.error ?? 'an error'}${run.caught?.next ? ` → ${run.caught.next}` : ''}`;
    case 'failed':
      return run.error?.error ? `Failed: ${run.error.error}` : 'Failed';
    case 'timed out':
      return 'Timed out';
    default:
      return run.outcome.charAt(0).toUpperCase() + run.outcome.slice(1);
  }
}

function attemptsCell(run) {
  const cell = element('td');
  if (run.attempts.length === 0) {
    cell.textContent = '—';
    return cell;
  }
  if (run.retries > 0) cell.append(element('p', `${run.retries} ${run.retries === 1 ? 'retry' : 'retries'}`, 'retries'));
  const list = element('ol', undefined, 'attempts');
  for (const attempt of run.attempts) {
    const item = element('li', `${attempt.outcome === 'succeeded' ? 'Succeeded' : attempt.outcome === 'running' ? 'Running' : attempt.outcome === 'timed out' ? 'Timed out' : 'Failed'} after ${formatDuration(attempt.durationMs)}`);
    if (attempt.error) item.append(element('span', ` ${attempt.error}`, 'error-name'));
    if (attempt.cause) item.append(element('span', `: ${attempt.cause}`, 'cause'));
    list.append(item);
  }
  cell.append(list);
  return cell;
}

function timelineRow(run, startDate, total, depthOf) {
  const row = document.createElement('tr');
  row.className = `outcome-${run.outcome.replace(/ /g, '-')}`;
  const nameCell = element('th');
  nameCell.scope = 'row';
  const depth = depthOf(run);
  nameCell.style.setProperty('--depth', String(depth));
  nameCell.className = 'state-name';
  nameCell.textContent = run.iteration !== undefined ? `${run.name} [item ${run.iteration}]` : run.name;
  const durationCell = element('td');
  durationCell.append(element('span', formatDuration(run.durationMs)));
  const bar = element('span', undefined, 'bar');
  bar.setAttribute('aria-hidden', 'true');
  const offset = total > 0 ? ((run.enteredAt - startDate) / total) * 100 : 0;
  const width = total > 0 && run.durationMs !== undefined ? (run.durationMs / total) * 100 : 0;
  bar.style.setProperty('--offset', `${Math.min(100, Math.max(0, offset)).toFixed(2)}%`);
  bar.style.setProperty('--width', `${Math.min(100, Math.max(0.5, width)).toFixed(2)}%`);
  durationCell.append(bar);
  row.append(
    nameCell,
    element('td', run.type),
    element('td', `+${formatDuration(run.enteredAt - startDate)}`),
    durationCell,
    element('td', outcomeText(run)),
    attemptsCell(run),
  );
  return row;
}

function stateData(run) {
  const details = element('details');
  const summary = element('summary', run.iteration !== undefined ? `${run.name} [item ${run.iteration}]` : run.name);
  details.append(summary);
  const list = element('dl', undefined, 'state-io');
  list.append(element('dt', 'Input'));
  const input = element('dd');
  input.append(element('pre', json(run.input)));
  list.append(input, element('dt', 'Output'));
  const output = element('dd');
  output.append(element('pre', run.outcome === 'running' ? '(still running)' : json(run.output)));
  list.append(output);
  details.append(list);
  return details;
}

function renderDetail(detail) {
  const { execution } = detail;
  $('detail-heading').textContent = `Execution ${execution.name}`;
  const summary = $('summary');
  summary.replaceChildren();
  summaryEntry(summary, 'Status', statusBadge(execution.status));
  summaryEntry(summary, 'State machine', `${execution.stateMachineName} (${execution.type === 'EXPRESS' ? 'Express' : 'Standard'})`);
  summaryEntry(summary, 'Started (UTC)', formatDate(execution.startDate));
  summaryEntry(summary, 'Stopped (UTC)', execution.stopDate === undefined ? undefined : formatDate(execution.stopDate));
  summaryEntry(summary, 'Duration', formatDuration(execution.durationMs));
  summaryEntry(summary, 'Error', execution.error);
  summaryEntry(summary, 'Cause', execution.cause);
  summaryEntry(summary, 'Execution ARN', element('code', execution.executionArn));
  summaryEntry(summary, 'History', detail.states ? `${detail.historyEvents} events${detail.historyTruncated ? ' (the first ones only: the rest were not kept)' : ''}` : 'not kept');
  $('show-reader-text').checked = detail.readerText === 'shown';
  $('execution-input').textContent = json(execution.input);
  $('execution-output').textContent = execution.output === undefined ? (execution.status === 'RUNNING' ? '(still running)' : '(none)') : json(execution.output);

  const runs = detail.states ?? [];
  const byId = new Map(runs.map((run) => [run.id, run]));
  const depthOf = (run) => {
    let depth = 0;
    for (let parent = byId.get(run.parentId); parent && depth < 20; parent = byId.get(parent.parentId)) depth++;
    return depth;
  };
  const end = execution.stopDate ?? Math.max(execution.startDate, ...runs.map((run) => run.enteredAt + (run.durationMs ?? 0)));
  const total = end - execution.startDate;
  $('timeline-body').replaceChildren(...runs.map((run) => timelineRow(run, execution.startDate, total, depthOf)));
  $('state-data').replaceChildren(...runs.map(stateData));
}

async function loadDetail(executionArn, showReaderText = false) {
  showProblem('detail-problem');
  const section = $('detail-section');
  section.setAttribute('aria-busy', 'true');
  try {
    state.detail = await api('execution', { executionArn, showReaderText: showReaderText ? 'true' : undefined });
    renderDetail(state.detail);
  } catch (error) {
    $('detail-heading').textContent = 'Execution';
    showProblem('detail-problem', error);
  } finally {
    section.removeAttribute('aria-busy');
  }
}

// ---- Wiring ---------------------------------------------------------------------------------------------------

async function route() {
  const current = filters();
  const showDetail = current.executionArn !== '';
  $('detail-section').hidden = !showDetail;
  $('list-section').hidden = showDetail;
  $('back').href = address({ status: current.status, stateMachineArn: current.stateMachineArn });
  if (showDetail) {
    await loadDetail(current.executionArn);
    $('detail-heading').focus();
  } else {
    await loadList();
  }
}

$('status-filter').addEventListener('change', changeFilters);
$('machine-filter').addEventListener('change', changeFilters);
$('refresh').addEventListener('click', () => void loadList());
$('older').addEventListener('click', () => {
  state.page++;
  void loadList();
});
$('newer').addEventListener('click', () => {
  state.page = Math.max(0, state.page - 1);
  void loadList();
});
$('show-reader-text').addEventListener('change', (event) => {
  const arn = state.detail?.execution.executionArn ?? filters().executionArn;
  void loadDetail(arn, event.target.checked);
});
window.addEventListener('popstate', () => {
  state.cursors = [undefined];
  state.page = 0;
  void route();
});
void route();
