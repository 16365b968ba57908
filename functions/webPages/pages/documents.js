// The dashboard's Documents view: uploads a PDF through the presigned URL that POST /documents answers, waits
// for its verdict, and pages through recent verdicts from GET /documents. File names, reasons, errors and labels
// reach the page through textContent only, never as markup.
/* global XMLHttpRequest -- the one browser API that reports upload progress */
import { authorizedFetch, signIn, signOut, SignInRequired, startSignIn } from './auth.js';
import { executionHref, pageLinks } from './links.js';

const PAGE_SIZE = 20;
/** Waiting for an upload's verdict: a bounded number of looks at the newest documents, further apart each time. */
const VERDICT_POLL = { attempts: 20, firstDelayMs: 1_000, backoff: 1.5, maxDelayMs: 15_000, pageSize: 50 };
/** Headers a page may not set: the browser sends them itself (content-length from the file it sends). */
const BROWSER_SET_HEADERS = new Set(['content-length', 'host']);
const PDF_TYPE = 'application/pdf';
/** Text labels scoring under this are summed up in words rather than listed one by one. */
const LABEL_SCORE_SHOWN = 0.05;

const STATUS_LABELS = { PROCESSING: 'Being checked', CLEAN: 'Clean', OFFENSIVE: 'Offensive', REJECTED: 'Rejected', FAILED: 'Failed' };
const ALERT_LABELS = { SENT: 'sent', PUBLISHING: 'being sent' };

const $ = (id) => document.getElementById(id);
const view = {
  form: $('upload-form'),
  file: $('document-file'),
  upload: $('upload'),
  uploadStatus: $('upload-status'),
  progressRow: $('upload-progress-row'),
  progress: $('upload-progress'),
  percent: $('upload-percent'),
  uploadResult: $('upload-result'),
  refresh: $('refresh'),
  updated: $('updated'),
  problem: $('problem'),
  heading: $('documents-heading'),
  summary: $('documents-summary'),
  documents: $('documents'),
  previous: $('previous'),
  next: $('next'),
  pageNumber: $('page-number'),
  member: $('member'),
  signOut: $('sign-out'),
  signIn: $('sign-in'),
  signedOut: $('signed-out'),
  signedOutHeading: $('signed-out-heading'),
  signedOutReason: $('signed-out-reason'),
  teamData: document.querySelectorAll('.team-data'),
};

const state = {
  /** cursors[n] starts page n; the API only pages forward, so "Newer" goes back to a cursor kept here. */
  cursors: [''],
  page: 0,
  nextCursor: undefined,
  uploading: false,
  /** Where each document links its execution (links.js), read once signed in. */
  links: {},
};

class ApiError extends Error {
  constructor(status, message, parameter) {
    super(message);
    this.status = status;
    this.parameter = parameter;
  }
}

/**
 * Every request to the product's API goes through here, signed in (auth.js adds the access token): one place
 * for the Authorization header, and for what happens when the session has ended.
 */
async function api(path, { method = 'GET', query = {}, body } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await authorizedFetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    if (error instanceof SignInRequired) {
      showSignedOut(`Sign in again: ${error.message}.`);
      throw new ApiError(401, error.message);
    }
    throw new ApiError(0, 'the server could not be reached');
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = typeof answer.message === 'string' && answer.message ? answer.message : `HTTP ${response.status}`;
    throw new ApiError(response.status, message, answer.parameter ?? answer.field);
  }
  return answer;
}

// ---- Building the page ---------------------------------------------------------------------------

function element(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attributes ?? {})) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

const paragraph = (...children) => element('p', {}, ...children);
const strong = (text) => element('strong', { text });

const number = new Intl.NumberFormat();
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const languageNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'language' }) : undefined;

function formatTime(iso) {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? String(iso) : dateTime.format(time);
}

function formatBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return 'unknown size';
  if (bytes < 1024) return `${number.format(bytes)} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toLocaleString(undefined, { maximumFractionDigits: 1 })} ${units[unit]}`;
}

function formatLanguage(code) {
  if (typeof code !== 'string' || !code) return 'unknown';
  let name;
  try {
    name = languageNames?.of(code);
  } catch {
    // Not a language code the browser knows: the code alone says it.
  }
  return name && name !== code ? `${name} (${code})` : code;
}

/** PROFANITY -> "Profanity", HATE_SPEECH -> "Hate speech"; Rekognition's labels are already words. */
function labelName(name) {
  const text = String(name ?? '');
  if (!/^[A-Z_]+$/.test(text)) return text;
  const words = text.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const score = (value) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(2) : '?');
const plural = (count, one, many = `${one}s`) => `${number.format(count)} ${count === 1 ? one : many}`;

function meta(label, value) {
  return [element('dt', { text: label }), element('dd', {}, value)];
}

/** Whether the team was told: sent, being sent, not sent (though it should have been), or none needed. */
function notificationText(alertStatus, needed, decided) {
  if (ALERT_LABELS[alertStatus]) return ALERT_LABELS[alertStatus];
  if (needed) return decided ? 'not sent' : 'pending';
  return 'none needed';
}

function imagesSection(item) {
  const parts = [];
  const found = typeof item.imageCount === 'number' ? plural(item.imageCount, 'image') : undefined;
  const checked = typeof item.imagesModerated === 'number' ? `${number.format(item.imagesModerated)} checked` : undefined;
  if (found || checked) parts.push(element('p', { text: `Images: ${[found, checked].filter(Boolean).join(', ')}.` }));
  const flagged = Array.isArray(item.flaggedImages) ? item.flaggedImages : [];
  const flaggedCount = typeof item.flaggedImageCount === 'number' ? item.flaggedImageCount : flagged.length;
  if (flaggedCount > 0) {
    const list = element(
      'ul',
      { className: 'flagged' },
      ...flagged.map((image) =>
        element('li', {}, strong(`Page ${image.page}: `), (Array.isArray(image.labels) ? image.labels : []).map(labelName).join(', ') || 'no label named'),
      ),
    );
    if (flaggedCount > flagged.length) list.append(element('li', { text: `and ${plural(flaggedCount - flagged.length, 'more flagged image')}` }));
    parts.push(element('p', { text: `${plural(flaggedCount, 'flagged image')}:` }), list);
  }
  return parts;
}

function textSection(item) {
  const text = item.text;
  if (!text) return [];
  const parts = [];
  const language = formatLanguage(text.language);
  if (text.languageSupported === false) {
    parts.push(element('p', { text: `Text in ${language}: not checked for toxicity, which can only be checked in English.` }));
  } else {
    const labels = Array.isArray(text.labels) ? text.labels : [];
    const shown = labels
      .filter((label) => (label.score ?? 0) >= LABEL_SCORE_SHOWN)
      .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
      .map((label) => `${labelName(label.name)} ${score(label.score)}`);
    const rest = labels.length - shown.length;
    const restText = rest === 0 ? '' : ` ${shown.length ? `${plural(rest, 'other label')}` : `All ${plural(rest, 'label')}`} under ${LABEL_SCORE_SHOWN}.`;
    parts.push(
      element('p', {
        text: `Text (${language}, ${plural(text.characters ?? 0, 'character')}): toxicity ${score(text.toxicity)}${text.offensive ? ', offensive' : ''}.${shown.length ? ` Labels: ${shown.join(', ')}.` : ''}${restText}`,
      }),
    );
  }
  if (text.truncated) parts.push(element('p', { className: 'hint', text: 'Only the first part of the text was checked: the document reached the cap on checks.' }));
  if (text.pagesWithoutText > 0) {
    parts.push(element('p', { className: 'hint', text: `${plural(text.pagesWithoutText, 'page')} without a text layer (scanned): their words could not be checked.` }));
  }
  return parts;
}

function renderDocument(item) {
  const status = STATUS_LABELS[item.status] ? item.status : '';
  const decided = Boolean(status) && status !== 'PROCESSING';
  const badge = element('span', { className: `badge ${status}`.trim(), text: STATUS_LABELS[item.status] ?? String(item.status ?? 'unknown') });
  const received = element('time', { text: formatTime(item.receivedAt), attributes: { datetime: String(item.receivedAt ?? '') } });
  const details = element(
    'dl',
    { className: 'meta' },
    ...meta('Status', badge),
    ...meta('Received', received),
    ...(item.decidedAt ? meta('Decided', element('time', { text: `decided ${formatTime(item.decidedAt)}`, attributes: { datetime: item.decidedAt } })) : []),
    ...meta('Size', formatBytes(item.size)),
    ...(typeof item.pages === 'number' ? meta('Pages', plural(item.pages, 'page')) : []),
  );
  const body = [];
  if (item.status === 'REJECTED') body.push(element('p', { className: 'reason' }, strong('Why: '), String(item.reason ?? 'no reason was recorded')));
  if (item.status === 'FAILED') {
    const error = item.error ?? {};
    body.push(element('p', { className: 'reason' }, strong('Error: '), `${error.name ?? 'unknown'}${error.cause ? `: ${error.cause}` : ''}`));
  }
  if (item.status === 'PROCESSING') body.push(element('p', { className: 'hint', text: 'Still being checked.' }));
  body.push(...imagesSection(item), ...textSection(item));

  const alerts = item.alerts ?? {};
  const flaggedImages = (item.flaggedImageCount ?? 0) > 0;
  const offensiveText = Boolean(item.text?.offensive);
  const notifications = element(
    'p',
    { className: 'meta notifications' },
    `Team notification: images ${notificationText(alerts.images, flaggedImages, decided)}, text ${notificationText(alerts.text, offensiveText, decided)}. Reference `,
    element('code', { text: item.documentId }),
  );
  const execution = executionHref(state.links, item.executionArn);
  if (execution) notifications.append('. ', element('a', { className: 'execution-link', text: 'Execution that moderated it', attributes: { href: execution } }));
  return element(
    'li',
    { className: `item document ${status}`.trim() },
    element('h3', { className: 'file-name', text: item.fileName || item.key || 'document' }),
    details,
    ...body,
    notifications,
  );
}

// ---- The list ------------------------------------------------------------------------------------

function showProblem(error) {
  if (!error) {
    view.problem.replaceChildren();
    return;
  }
  const message = error instanceof ApiError ? error.message : 'unexpected error';
  view.problem.replaceChildren(paragraph(`Could not load the documents: ${message}.`));
}

function renderList(page) {
  const items = Array.isArray(page.items) ? page.items : [];
  state.nextCursor = page.nextCursor;
  view.documents.replaceChildren(
    ...(items.length ? items.map(renderDocument) : [element('li', { className: 'empty', text: state.page ? 'No documents on this page.' : 'No documents yet.' })]),
  );
  const first = state.page * PAGE_SIZE + 1;
  view.summary.textContent = items.length ? `Showing documents ${number.format(first)} to ${number.format(first + items.length - 1)}, newest first.` : '';
  view.pageNumber.textContent = `Page ${state.page + 1}`;
  view.previous.disabled = state.page === 0;
  view.next.disabled = !state.nextCursor;
}

function goToPage(page) {
  state.page = page;
  state.cursors.length = page + 1;
}

let listRequest = 0;
async function loadList() {
  const mine = ++listRequest;
  view.documents.setAttribute('aria-busy', 'true');
  try {
    const page = await api('/documents', { query: { limit: PAGE_SIZE, cursor: state.cursors[state.page] } });
    if (mine === listRequest) renderList(page);
  } catch (error) {
    // A cursor the API no longer accepts: start again from the newest.
    if (mine === listRequest && error instanceof ApiError && error.status === 400 && error.parameter === 'cursor' && state.page > 0) {
      goToPage(0);
      return loadList();
    }
    throw error;
  } finally {
    if (mine === listRequest) view.documents.setAttribute('aria-busy', 'false');
  }
}

async function refreshList() {
  view.refresh.disabled = true;
  try {
    await loadList();
    showProblem(undefined);
    view.updated.textContent = `Updated ${clock.format(Date.now())}`;
  } catch (error) {
    showProblem(error);
    // Never leave "Loading…" standing: what was shown stays, or the list says it could not load.
    if (view.documents.querySelector('.document') === null) {
      view.documents.replaceChildren(element('li', { className: 'empty', text: 'The documents could not be loaded.' }));
    }
  } finally {
    view.refresh.disabled = false;
  }
}

async function changePage(page) {
  if (page > state.page) state.cursors[page] = state.nextCursor;
  goToPage(page);
  await refreshList();
  // The button pressed may now be disabled: put keyboard focus where the new page starts.
  view.heading.focus();
}

// ---- Uploading -----------------------------------------------------------------------------------

/** Shows a message about the upload and, when asked, moves focus there so keyboard and screen-reader users land on it. */
function showUpload(kind, parts, { focus = false } = {}) {
  view.uploadStatus.className = `status ${kind}`.trim();
  view.uploadStatus.replaceChildren(...parts);
  if (focus) view.uploadStatus.focus();
}

function showProgress(loaded, total) {
  view.progressRow.hidden = false;
  const percent = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
  view.progress.value = percent;
  view.percent.textContent = `${percent}% of ${formatBytes(total)}`;
}

/** The type the browser gives the file; a name ending in .pdf stands in where the system gives none. */
function fileType(file) {
  if (file.type) return file.type.toLowerCase();
  return /\.pdf$/i.test(file.name) ? PDF_TYPE : 'application/octet-stream';
}

/** Why the upload the API granted cannot be made for this file, or undefined when it can. */
function grantProblem(grant, file) {
  const limits = grant?.limits ?? {};
  if (typeof limits.contentType !== 'string' || typeof limits.maxBytes !== 'number') return 'the server did not say which files it accepts';
  if (fileType(file) !== limits.contentType.toLowerCase()) return `only ${limits.contentType} files are accepted, and this file is ${fileType(file)}`;
  if (file.size > limits.maxBytes) return `the file is ${formatBytes(file.size)}, over the limit of ${formatBytes(limits.maxBytes)}`;
  if (grant.method !== 'PUT' || typeof grant.uploadUrl !== 'string' || !/^https?:\/\//.test(grant.uploadUrl)) return 'the server offered an upload this page cannot make';
  const headers = grant.headers ?? {};
  const signedLength = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-length')?.[1];
  if (signedLength !== undefined && signedLength !== String(file.size)) return 'the upload link was made for a file of another size';
  return undefined;
}

class UploadError extends Error {
  constructor(status) {
    super(`upload answered ${status}`);
    this.status = status;
  }
}

/** PUTs the file to the presigned URL with the headers it was signed with, reporting progress. */
function putFile(grant, file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(grant.method, grant.uploadUrl);
    for (const [name, value] of Object.entries(grant.headers ?? {})) {
      if (!BROWSER_SET_HEADERS.has(name.toLowerCase())) request.setRequestHeader(name, String(value));
    }
    request.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size));
    request.addEventListener('load', () => (request.status >= 200 && request.status < 300 ? resolve() : reject(new UploadError(request.status))));
    request.addEventListener('error', () => reject(new UploadError(0)));
    request.addEventListener('abort', () => reject(new UploadError(0)));
    request.send(file);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Looks for the upload among the newest documents until it has a verdict, a bounded number of times and
 * further apart each time. Returns the last sighting (PROCESSING when time ran out), or undefined.
 */
async function waitForVerdict(key, onSeen) {
  let delay = VERDICT_POLL.firstDelayMs;
  let seen;
  for (let attempt = 1; attempt <= VERDICT_POLL.attempts; attempt++) {
    await sleep(delay);
    delay = Math.min(delay * VERDICT_POLL.backoff, VERDICT_POLL.maxDelayMs);
    let page;
    try {
      page = await api('/documents', { query: { limit: VERDICT_POLL.pageSize } });
    } catch (error) {
      // Busy or unreachable: look again later. Anything else will not get better by asking again.
      if (error instanceof ApiError && error.status !== 0 && error.status !== 429 && error.status < 500) throw error;
      continue;
    }
    seen = (Array.isArray(page.items) ? page.items : []).find((item) => item.key === key) ?? seen;
    if (seen) {
      onSeen(seen);
      if (seen.status !== 'PROCESSING') return seen;
    }
  }
  return seen;
}

function refusal(error) {
  if (!(error instanceof ApiError)) return 'something went wrong. Please try again.';
  if (error.status === 0) return 'the server could not be reached. Check your connection and try again.';
  if (error.status === 400 || error.status === 413 || error.status === 415) return `the server said: ${error.message}.`;
  if (error.status === 401) return 'your session has ended: sign in again.';
  if (error.status === 403) return 'your account may not do this.';
  if (error.status === 429 || error.status === 503) return 'we are busy right now. Please wait a moment and try again.';
  return `something went wrong (error ${error.status}). Please try again later.`;
}

function uploadFailure(error) {
  if (error.status === 0) return 'the document store could not be reached. Check your connection and try again.';
  if (error.status === 403) return 'the document store refused the upload link (it may have expired). Please upload again.';
  return `the document store answered with error ${error.status}. Please upload again.`;
}

const VERDICT_SUMMARIES = {
  CLEAN: 'Nothing offensive was found.',
  OFFENSIVE: 'Offensive content was found; the team has been told.',
  REJECTED: 'The document could not be checked as it is.',
  FAILED: 'Checking the document failed.',
};

async function upload(event) {
  event.preventDefault();
  if (state.uploading) return;
  const file = view.file.files?.[0];
  view.file.removeAttribute('aria-invalid');
  const refuse = (message) => {
    view.file.setAttribute('aria-invalid', 'true');
    showUpload('error', [paragraph(strong('Not uploaded: '), message)], { focus: true });
  };
  if (!file) return refuse('choose a PDF document first.');
  if (file.size === 0) return refuse(`${file.name} is empty (0 bytes).`);

  state.uploading = true;
  view.upload.disabled = true;
  view.progressRow.hidden = true;
  view.uploadResult.replaceChildren();
  showUpload('', [paragraph(`Preparing the upload of ${file.name}…`)], { focus: true });
  try {
    let grant;
    try {
      grant = await api('/documents', { method: 'POST', body: { fileName: file.name, contentType: fileType(file), size: file.size } });
    } catch (error) {
      if (error instanceof ApiError && (error.parameter === 'contentType' || error.parameter === 'size')) view.file.setAttribute('aria-invalid', 'true');
      showUpload('error', [paragraph(strong('Not uploaded: '), refusal(error))], { focus: true });
      return;
    }
    const problem = grantProblem(grant, file);
    if (problem) return refuse(`${problem}.`);

    showUpload('', [paragraph(`Uploading ${file.name}…`)]);
    showProgress(0, file.size);
    try {
      await putFile(grant, file, showProgress);
    } catch (error) {
      showUpload('error', [paragraph(strong('Not uploaded: '), uploadFailure(error))], { focus: true });
      return;
    }
    showProgress(file.size, file.size);
    showUpload('', [paragraph(strong('Uploaded. '), 'Checking it for offensive images and text…')]);
    view.form.reset();

    let verdict;
    try {
      verdict = await waitForVerdict(grant.key, (item) => view.uploadResult.replaceChildren(renderDocument(item)));
    } catch (error) {
      showUpload('error', [paragraph(strong('Uploaded, but its verdict could not be read: '), refusal(error))], { focus: true });
      return;
    }
    if (!verdict || verdict.status === 'PROCESSING') {
      showUpload('', [paragraph(strong('Uploaded. '), 'The check is taking a while: the verdict will appear under Recent documents when it is ready.')], { focus: true });
    } else {
      const kind = verdict.status === 'CLEAN' ? 'ok' : 'error';
      const label = STATUS_LABELS[verdict.status] ?? String(verdict.status);
      showUpload(kind, [paragraph(strong(`Verdict: ${label}. `), VERDICT_SUMMARIES[verdict.status] ?? '')], { focus: true });
    }
    if (state.page === 0) await refreshList();
  } finally {
    state.uploading = false;
    view.upload.disabled = false;
  }
}

// ---- Signing in ----------------------------------------------------------------------------------

function showSignedOut(reason) {
  for (const section of view.teamData) section.hidden = true;
  view.documents.replaceChildren();
  view.uploadResult.replaceChildren();
  view.summary.textContent = '';
  view.member.textContent = '';
  view.signOut.hidden = true;
  view.signedOutReason.textContent = reason;
  view.signedOut.hidden = false;
  view.signedOutHeading.focus();
}

async function start() {
  let member;
  try {
    member = await signIn();
  } catch (error) {
    showSignedOut(error instanceof SignInRequired ? `Sign-in did not work: ${error.message}.` : 'Sign-in did not work.');
    return;
  }
  if (!member) {
    showSignedOut("You signed out. Documents and their verdicts are shown to the club's team only.");
    return;
  }
  view.member.textContent = `Signed in as ${member.username}${member.groups.length ? ` (${member.groups.join(', ')})` : ''}`;
  view.signOut.hidden = false;
  state.links = await pageLinks();
  await refreshList();
}

// ---- Wiring --------------------------------------------------------------------------------------

view.signIn.addEventListener('click', () => startSignIn());
view.signOut.addEventListener('click', () => {
  view.member.textContent = 'Signing out…';
  signOut();
});
view.form.addEventListener('submit', upload);
view.file.addEventListener('change', () => {
  view.file.removeAttribute('aria-invalid');
  if (!state.uploading) showUpload('', []);
});
view.refresh.addEventListener('click', refreshList);
view.previous.addEventListener('click', () => changePage(state.page - 1));
view.next.addEventListener('click', () => changePage(state.page + 1));

start();
