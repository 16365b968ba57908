// The reader form: posts JSON to /feedback and shows what the server answered.
// Reader text only ever reaches the page through textContent and form values, never as markup.
const form = document.getElementById('feedback-form');
const bookId = document.getElementById('bookId');
const text = document.getElementById('text');
// The intake's limit, written into the page by the web build (scripts/build-web.ts) from FEEDBACK_LIMITS.
const MAX_TEXT_CHARS = Number(text.dataset.maxChars);
const count = document.getElementById('text-count');
const send = document.getElementById('send');
const status = document.getElementById('status');

const fields = { bookId, text, rating: document.getElementById('rating-none') };

/** Characters as the server counts them: code points, not UTF-16 units. */
const characters = (value) => Array.from(value).length;

function updateCount() {
  const used = characters(text.value);
  count.textContent = `${used.toLocaleString()} of ${MAX_TEXT_CHARS.toLocaleString()} characters`;
  count.classList.toggle('over', used > MAX_TEXT_CHARS);
}

function clearInvalid() {
  for (const field of Object.values(fields)) field.removeAttribute('aria-invalid');
}

/** Shows a message in the status box and moves focus there, so screen readers and keyboard users land on it. */
function show(kind, parts) {
  status.className = `status ${kind}`;
  status.replaceChildren(...parts);
  status.focus();
}

function paragraph(...children) {
  const p = document.createElement('p');
  p.append(...children);
  return p;
}

function strong(value) {
  const element = document.createElement('strong');
  element.textContent = value;
  return element;
}

function code(value) {
  const element = document.createElement('code');
  element.textContent = value;
  return element;
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

function messageOf(body, fallback) {
  return body && typeof body.message === 'string' && body.message ? body.message : fallback;
}

async function submit(event) {
  event.preventDefault();
  clearInvalid();
  status.className = 'status';
  status.replaceChildren();
  if (!form.reportValidity()) return;
  const rating = form.elements.namedItem('rating').value;
  const payload = { bookId: bookId.value.trim(), text: text.value };
  if (rating) payload.rating = Number(rating);

  send.disabled = true;
  send.textContent = 'Sending…';
  try {
    const response = await fetch('/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
      credentials: 'same-origin',
    });
    const body = await readJson(response);
    if (response.status === 202) {
      show('ok', [
        paragraph(strong('Thank you! Your feedback was received.')),
        paragraph('Your reference is ', code(String(body.feedbackId ?? '')), '. Quote it if you contact the team.'),
      ]);
      text.value = '';
      fields.rating.checked = true;
      updateCount();
      return;
    }
    if (response.status === 400 || response.status === 413 || response.status === 415) {
      const message = messageOf(body, 'the server did not accept it');
      const field = typeof body.field === 'string' ? fields[body.field] : undefined;
      if (field) field.setAttribute('aria-invalid', 'true');
      show('error', [paragraph(strong('Your feedback was not sent. ')), paragraph('The server said: ', message, '. Please correct it and send again.')]);
      return;
    }
    if (response.status === 429 || response.status === 503) {
      show('error', [paragraph(strong('We are busy right now. ')), paragraph('Your feedback was not sent: please wait a moment and send it again.')]);
      return;
    }
    show('error', [paragraph(strong('Something went wrong. ')), paragraph(`Your feedback was not sent (error ${response.status}). Please try again later.`)]);
  } catch {
    show('error', [paragraph(strong('Could not reach the server. ')), paragraph('Check your connection and send again.')]);
  } finally {
    send.disabled = false;
    send.textContent = 'Send feedback';
  }
}

// A link can name the book: /?book=infinite-jest
const linkedBook = new URLSearchParams(window.location.search).get('book');
if (linkedBook) bookId.value = linkedBook.slice(0, bookId.maxLength);

text.addEventListener('input', updateCount);
// The browser checks required fields and the book id pattern before 'submit' fires: drop an older answer then too.
form.addEventListener(
  'invalid',
  () => {
    status.className = 'status';
    status.replaceChildren();
  },
  true,
);
form.addEventListener('submit', submit);
updateCount();
