// The local sign-in service (oidc-provider) as the dashboard and the authorizer meet it: discovery with Cognito's
// paths, a public JWKS, the code flow with PKCE required, the login page, seed users, and scopes by group.
import { decodeJwt } from 'jose';
import { startLocalOidc, type LocalOidc } from '../../local/oidc/provider.js';
import { authorizationCode, exchangeCode, signInWithPassword } from '../../local/oidc/sign-in-client.js';
import { scopesToSuppress, TEAM_SCOPES } from '../../functions/team/tokenScopes/scopes.js';
import { HOSTED_SIGN_IN_PATHS } from '../../functions/webPages/site.js';

const CLIENT_ID = 'dashboard-under-test';
const REDIRECT = 'http://127.0.0.1:9/dashboard';
const SCOPES = ['openid', 'email', TEAM_SCOPES.read, TEAM_SCOPES.triage];

let oidc: LocalOidc;

beforeAll(async () => {
  oidc = await startLocalOidc({
    clientId: CLIENT_ID,
    resourceServer: 'feedback-triage',
    allowedScopes: SCOPES,
    tokenScopes: async (user, requested) => {
      const suppressed = new Set(scopesToSuppress(user.groups, requested));
      return requested.filter((scope) => !suppressed.has(scope));
    },
  });
  oidc.allowRedirect(REDIRECT);
});

afterAll(async () => {
  await oidc?.close();
});

const seed = (group: string) => {
  const user = oidc.users.find((candidate) => candidate.groups.includes(group));
  if (!user) throw new Error(`no seed user in ${group}`);
  return user;
};
const request = (group: string, password?: string) => ({
  origin: oidc.origin,
  clientId: CLIENT_ID,
  redirectUri: REDIRECT,
  username: seed(group).username,
  password: password ?? seed(group).password,
  scopes: SCOPES,
});

describe('the local OpenID provider', () => {
  it('publishes discovery on 127.0.0.1 with Cognito paths, the code flow and S256 PKCE only', async () => {
    expect(new URL(oidc.issuer).hostname).toBe('127.0.0.1');
    const discovery = (await (await fetch(`${oidc.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    // The paths the pages use (auth.js) are the ones the provider serves.
    expect(discovery).toMatchObject({
      issuer: oidc.issuer,
      authorization_endpoint: `${oidc.origin}${HOSTED_SIGN_IN_PATHS.authorize}`,
      token_endpoint: `${oidc.origin}${HOSTED_SIGN_IN_PATHS.token}`,
      end_session_endpoint: `${oidc.origin}${HOSTED_SIGN_IN_PATHS.logout}`,
      jwks_uri: `${oidc.origin}/.well-known/jwks.json`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(discovery.response_types_supported).toEqual(['code']);
  });

  it('publishes only public RSA keys in its JWKS', async () => {
    const { keys } = (await (await fetch(`${oidc.origin}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', use: 'sig' });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('signs the triage member in with both team scopes, and the viewer with read only', async () => {
    const triage = decodeJwt((await signInWithPassword(request('triage'))).accessToken);
    expect(triage).toMatchObject({ iss: oidc.issuer, client_id: CLIENT_ID, username: seed('triage').username, 'cognito:groups': ['triage'] });
    expect(String(triage.scope).split(' ').sort()).toEqual([TEAM_SCOPES.read, TEAM_SCOPES.triage].sort());
    const viewer = decodeJwt((await signInWithPassword(request('viewer'))).accessToken);
    expect(viewer).toMatchObject({ 'cognito:groups': ['viewer'], scope: TEAM_SCOPES.read });
    expect(Number(viewer.exp) - Number(viewer.iat)).toBe(3600);
  });

  it('refuses a wrong password on its login page and issues no code', async () => {
    await expect(authorizationCode(request('triage', 'not-the-password'))).rejects.toThrow(/sign-in refused: HTTP 401/);
  });

  it('refuses an authorization request without a code challenge', async () => {
    const url = new URL('/oauth2/authorize', oidc.origin);
    url.search = new URLSearchParams({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: 's' }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? 'about:blank');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('never redirects to an address the client did not register', async () => {
    const url = new URL('/oauth2/authorize', oidc.origin);
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: 'https://evil.example/dashboard',
      scope: 'openid',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('refuses a code with the wrong verifier, and a code used twice', async () => {
    const first = await authorizationCode(request('triage'));
    await expect(exchangeCode(request('triage'), first.code, `${first.verifier}x`)).rejects.toThrow(/HTTP 400 .*invalid_grant/);
    const second = await authorizationCode(request('triage'));
    await exchangeCode(request('triage'), second.code, second.verifier);
    await expect(exchangeCode(request('triage'), second.code, second.verifier)).rejects.toThrow(/HTTP 400 .*invalid_grant/);
  });

  // The preflight knows no client and allows the method; the answer itself is readable by the client's origin only.
  it('lets the registered page origin read token answers across origins, and no other origin', async () => {
    const ok = await fetch(`${oidc.origin}/oauth2/token`, {
      method: 'POST',
      headers: { origin: new URL(REDIRECT).origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'nope', client_id: CLIENT_ID, redirect_uri: REDIRECT, code_verifier: 'v'.repeat(43) }),
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe(new URL(REDIRECT).origin);
    const evil = await fetch(`${oidc.origin}/oauth2/token`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'nope', client_id: CLIENT_ID, redirect_uri: REDIRECT, code_verifier: 'v'.repeat(43) }),
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves its login page with a policy that runs no script', async () => {
    const url = new URL('/oauth2/authorize', oidc.origin);
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    }).toString();
    const redirect = await fetch(url, { redirect: 'manual' });
    const cookie = redirect.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const page = await fetch(new URL(redirect.headers.get('location') ?? '/', oidc.origin), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; form-action 'self' http:\/\/127\.0\.0\.1:9;/);
    const html = await page.text();
    expect(html).toContain('<label for="username">Username</label>');
    expect(html).not.toMatch(/<script/i);
  });
});
