// Sign-in for the team's pages: the authorization code flow with PKCE at the hosted sign-in (the Cognito user pool
// on AWS, the local OpenID provider offline). Tokens live in this module's memory only: never in localStorage,
// sessionStorage or a cookie, so closing or reloading the page forgets them. Only the one-use PKCE verifier and
// state (or, on the way out, a mark that the member signed out) wait in sessionStorage while the browser is away.
const PENDING_KEY = 'feedback-triage.sign-in-pending';
/** Renew a little before expiry, so a request never leaves with a token about to lapse. */
const EXPIRY_MARGIN_MS = 30_000;

export class SignInRequired extends Error {
  constructor(message) {
    super(message);
    this.name = 'SignInRequired';
  }
}

let settingsRequest;
/** The signed-in session (accessToken, expiresAt, username, groups, scopes); undefined when nobody is signed in. */
let session;

function settings() {
  settingsRequest ??= fetch('/assets/sign-in.json', { cache: 'no-store', credentials: 'same-origin' }).then(async (response) => {
    const body = await response.json().catch(() => ({}));
    if (!response.ok || typeof body.origin !== 'string' || typeof body.clientId !== 'string') {
      throw new SignInRequired(typeof body.message === 'string' ? body.message : 'sign-in is not available');
    }
    return body;
  });
  return settingsRequest;
}

function base64url(bytes) {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return window.btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(bytes = 32) {
  return base64url(window.crypto.getRandomValues(new Uint8Array(bytes)));
}

function claimsOf(jwt) {
  const part = jwt.split('.')[1] ?? '';
  const json = window.atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(decodeURIComponent(Array.from(json, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')));
}

/** The page's address to come back to, without what the sign-in adds or removes. */
function returnAddress() {
  const url = new URL(window.location.href);
  for (const name of ['code', 'state', 'iss', 'error', 'error_description']) url.searchParams.delete(name);
  return `${url.pathname}${url.search}`;
}

function redirectUri() {
  return `${window.location.origin}${window.location.pathname}`;
}

/** Sends the browser to the sign-in page; the promise never settles, as the page is left. */
export async function startSignIn() {
  const { origin, clientId, scopes, paths } = await settings();
  const verifier = randomText(48);
  const challenge = base64url(new Uint8Array(await window.crypto.subtle.digest('SHA-256', new window.TextEncoder().encode(verifier))));
  const state = randomText(16);
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, redirectUri: redirectUri(), returnTo: returnAddress() }));
  const authorize = new URL(paths.authorize, origin);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: scopes.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(authorize.toString());
  return new Promise(() => {});
}

function takePending() {
  const pending = window.sessionStorage.getItem(PENDING_KEY);
  window.sessionStorage.removeItem(PENDING_KEY);
  try {
    return JSON.parse(pending ?? 'null');
  } catch {
    return null;
  }
}

async function finishSignIn(query) {
  const pending = takePending();
  window.history.replaceState(null, '', pending?.returnTo ?? returnAddress());
  if (query.get('error')) throw new SignInRequired(`sign-in failed: ${query.get('error_description') || query.get('error')}`);
  if (!pending?.state || pending.state !== query.get('state')) throw new SignInRequired('this sign-in answer was not asked for by this page');
  const { origin, clientId, paths } = await settings();
  const response = await fetch(new URL(paths.token, origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code: query.get('code') ?? '',
      redirect_uri: pending.redirectUri,
      code_verifier: pending.verifier,
    }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok || typeof tokens.access_token !== 'string') throw new SignInRequired(`sign-in failed: ${tokens.error_description || tokens.error || `HTTP ${response.status}`}`);
  const claims = claimsOf(tokens.access_token);
  session = {
    accessToken: tokens.access_token,
    expiresAt: Date.now() + Number(tokens.expires_in ?? 0) * 1000,
    username: String(claims.username ?? claims['cognito:username'] ?? claims.sub ?? ''),
    groups: Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].map(String) : [],
    scopes: String(claims.scope ?? '').split(' ').filter(Boolean),
  };
}

/**
 * The signed-in member, finishing a sign-in the browser comes back from; otherwise, unless the member just
 * signed out, off to the sign-in page. Undefined after a sign-out, so the page can say so and offer to sign in.
 */
export async function signIn() {
  const query = new URLSearchParams(window.location.search);
  if (query.has('code') || query.has('error')) {
    await finishSignIn(query);
    return member();
  }
  if (takePending()?.signedOut) return undefined;
  return startSignIn();
}

/** Who is signed in and what they may do; undefined when nobody is. */
export function member() {
  if (!session) return undefined;
  return { username: session.username, groups: [...session.groups], scopes: [...session.scopes] };
}

export async function canTriage() {
  const { triageScope } = await settings();
  return Boolean(session?.scopes.includes(triageScope));
}

/** fetch with the access token; SignInRequired when there is none, it has lapsed, or the API refuses it (401). */
export async function authorizedFetch(url, init = {}) {
  if (!session || Date.now() > session.expiresAt - EXPIRY_MARGIN_MS) {
    session = undefined;
    throw new SignInRequired('your session has ended');
  }
  const headers = new window.Headers(init.headers);
  headers.set('authorization', `Bearer ${session.accessToken}`);
  const response = await fetch(url, { ...init, headers, credentials: 'omit', cache: 'no-store' });
  if (response.status === 401) {
    session = undefined;
    throw new SignInRequired('your session has ended');
  }
  return response;
}

/** Forgets the tokens, then ends the session at the sign-in service, which sends the browser back signed out. */
export async function signOut() {
  session = undefined;
  const { origin, clientId, paths } = await settings();
  const logout = new URL(paths.logout, origin);
  // Cognito matches logout_uri against the client's sign-out URLs exactly, so come back to the bare page.
  logout.search = new URLSearchParams({ client_id: clientId, logout_uri: redirectUri() }).toString();
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify({ signedOut: true }));
  window.location.assign(logout.toString());
}
