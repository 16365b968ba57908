// Signs a team member in through the local provider's own pages, as the dashboard's browser does: the
// authorization code flow with PKCE, the login form, the redirect back with the code, the token request.
// For tests and scripts that call the team's routes; the browser tests drive the same pages in Chromium.
import { createHash, randomBytes } from 'node:crypto';
import { SIGN_IN_PATHS } from './provider.js';

export interface SignInRequest {
  /** The provider's origin (SIGN_IN_ORIGIN). */
  origin: string;
  clientId: string;
  /** A registered redirect URI: the dashboard. */
  redirectUri: string;
  username: string;
  password: string;
  scopes?: string[];
}

export interface SignedIn {
  accessToken: string;
  idToken: string;
  expiresIn: number;
  scope: string;
}

const MAX_REDIRECTS = 10;
const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** A cookie jar enough for one origin's sign-in: the provider's interaction and session cookies. */
class Cookies {
  private readonly jar = new Map<string, string>();
  take(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = cookie.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute) || (/^\s*expires=/i.test(attribute) && Date.parse(attribute.split('=')[1] ?? '') < Date.now()));
      if (expired) this.jar.delete(name);
      else this.jar.set(name, pair.slice(separator + 1).trim());
    }
  }
  header(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** Follows redirects on the provider's origin until one leaves it (the redirect URI) or a page answers. */
async function follow(start: string, cookies: Cookies, origin: string, init?: RequestInit): Promise<{ url: string; response?: Response }> {
  let url = start;
  let request = init;
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    if (new URL(url).origin !== origin) return { url };
    const response = await fetch(url, { ...request, redirect: 'manual', headers: { ...(request?.headers as Record<string, string>), cookie: cookies.header() } });
    cookies.take(response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { url, response };
    await response.arrayBuffer();
    url = new URL(location, url).toString();
    request = undefined;
  }
  throw new SignInError(`more than ${MAX_REDIRECTS} redirects from ${start}`);
}

/** The first half of a sign-in: the code the provider sends back to the redirect URI, and the verifier it was asked with. */
export async function authorizationCode(request: SignInRequest, extra: Record<string, string> = {}): Promise<{ code: string; verifier: string }> {
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const state = base64url(randomBytes(16));
  const cookies = new Cookies();
  const authorize = new URL(SIGN_IN_PATHS.authorization, request.origin);
  authorize.search = new URLSearchParams({
    client_id: request.clientId,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    scope: (request.scopes ?? ['openid']).join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }).toString();

  const loginPage = await follow(authorize.toString(), cookies, request.origin);
  const form = loginPage.response ? /<form method="post" action="([^"]+)"/.exec(await loginPage.response.text()) : null;
  if (!form?.[1]) throw new SignInError(`no login form at ${loginPage.url} (HTTP ${loginPage.response?.status})`);
  const back = await follow(new URL(form[1].replace(/&amp;/g, '&'), request.origin).toString(), cookies, request.origin, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: request.username, password: request.password }).toString(),
  });
  if (back.response) throw new SignInError(`sign-in refused: HTTP ${back.response.status} at ${back.url}`);
  const answer = new URL(back.url);
  if (answer.searchParams.get('state') !== state) throw new SignInError('the answer carries another state');
  const code = answer.searchParams.get('code');
  if (!code) throw new SignInError(`no code: ${answer.searchParams.get('error') ?? 'unknown'} ${answer.searchParams.get('error_description') ?? ''}`.trim());
  return { code, verifier };
}

/** The second half: the code and its verifier for tokens, at the token endpoint. */
export async function exchangeCode(request: Pick<SignInRequest, 'origin' | 'clientId' | 'redirectUri'>, code: string, verifier: string): Promise<SignedIn> {
  const token = await fetch(new URL(SIGN_IN_PATHS.token, request.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: request.redirectUri, client_id: request.clientId, code_verifier: verifier }).toString(),
  });
  const body = (await token.json()) as Record<string, unknown>;
  if (!token.ok || typeof body.access_token !== 'string') throw new SignInError(`token request refused: HTTP ${token.status} ${JSON.stringify(body)}`);
  return { accessToken: body.access_token, idToken: String(body.id_token), expiresIn: Number(body.expires_in), scope: String(body.scope ?? '') };
}

export async function signInWithPassword(request: SignInRequest): Promise<SignedIn> {
  const { code, verifier } = await authorizationCode(request);
  return exchangeCode(request, code, verifier);
}
