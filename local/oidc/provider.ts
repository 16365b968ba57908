// The local sign-in service: panva's oidc-provider (a certified OpenID Provider) on 127.0.0.1, shaped like the
// Cognito user pool serverless.yml declares: Cognito's endpoint paths, a public client using the code flow with
// PKCE, JWT access tokens carrying `scope`, `client_id` and `cognito:groups`, and seed users with fresh passwords.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { errors as oidcErrors, type Adapter, type AdapterPayload, type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';
// The provider's own in-memory store (the one its quick start uses), named here so it runs as configured.
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

export interface SeedUser {
  username: string;
  email: string;
  groups: string[];
}

/** The users `npm start -- --serve` offers: one per team group, as an administrator would create them. */
export const SEED_USERS: readonly SeedUser[] = [
  { username: 'tove', email: 'tove@example.org', groups: ['triage'] },
  { username: 'vera', email: 'vera@example.org', groups: ['viewer'] },
];

/** What the pool grants a signed-in user: the scopes of the token, from the user's groups (the pre-token trigger on AWS). */
export type TokenScopes = (user: SeedUser, requestedScopes: string[]) => Promise<string[]>;

export interface LocalOidcOptions {
  /** The dashboard's client id (the app client's id on AWS). */
  clientId: string;
  /** The API's resource server identifier: custom scopes are `<identifier>/<scope>`, as in Cognito. */
  resourceServer: string;
  /** Every scope the client may ask for (the app client's AllowedOAuthScopes). */
  allowedScopes: string[];
  tokenScopes: TokenScopes;
  /** Access and ID token lifetime in seconds (Cognito's default is an hour). */
  tokenSeconds?: number;
  /** Where it listens: from listenForSignIn, when the origin must be known before the provider is configured. */
  listener?: SignInListener;
  /** The private RSA key it signs with (a JWK with kid); a fresh one when absent. Tests pass theirs to sign odd tokens. */
  signingKey?: JWK;
}

export interface SignInListener {
  server: Server;
  origin: string;
}

/** Opens the sign-in service's port on 127.0.0.1, so its origin can be handed out before it is configured. */
export async function listenForSignIn(port = 0): Promise<SignInListener> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface LocalOidc {
  issuer: string;
  /** The origin the page talks to (authorize, token, logout): the hosted UI domain on AWS. */
  origin: string;
  clientId: string;
  users: ReadonlyArray<SeedUser & { password: string }>;
  /** Allows a page at this URL as redirect and post-logout target (the app client's CallbackURLs and LogoutURLs). */
  allowRedirect(url: string): void;
  close(): Promise<void>;
}

/**
 * Cognito's paths, so the pages use one origin and the same paths in both worlds (tests/local/oidc.test.ts holds
 * them equal to the pages' HOSTED_SIGN_IN_PATHS).
 */
export const SIGN_IN_PATHS = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  end_session: '/logout',
  userinfo: '/oauth2/userInfo',
  revocation: '/oauth2/revoke',
  jwks: '/.well-known/jwks.json',
} as const;

const digest = (text: string) => createHash('sha256').update(text).digest();

function passwordMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

async function readForm(request: IncomingMessage, limitBytes = 8 * 1024): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > limitBytes) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function loginPage(uid: string, formActionOrigins: string[], problem?: string): { headers: Record<string, string>; body: string } {
  const body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in - Feedback triage</title></head>
<body>
<main>
<h1>Sign in to Feedback triage</h1>
<p>Local sign-in service (oidc-provider). The users and their passwords are printed by <code>npm start -- --serve</code>.</p>
${problem ? `<p role="alert" id="problem">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/interaction/${encodeURIComponent(uid)}/login" autocomplete="off">
<p><label for="username">Username</label><br><input id="username" name="username" required autofocus autocapitalize="none"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
</main>
</body>
</html>`;
  return {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The form posts here and the answer redirects to the dashboard: browsers check form-action along redirects.
      'content-security-policy': `default-src 'none'; form-action 'self' ${formActionOrigins.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    },
    body,
  };
}

/** A fresh RS256 signing key as a private JWK. */
export async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

export async function startLocalOidc(options: LocalOidcOptions): Promise<LocalOidc> {
  const { server, origin } = options.listener ?? (await listenForSignIn());
  const issuer = origin;
  const tokenSeconds = options.tokenSeconds ?? 3600;
  const redirects = new Set<string>();
  const users = SEED_USERS.map((user) => ({ ...user, password: randomBytes(12).toString('base64url') }));
  const byUsername = new Map(users.map((user) => [user.username, user]));

  const signingKey = options.signingKey ?? (await newSigningKey());

  const clientMetadata = (): ClientMetadata => ({
    client_id: options.clientId,
    token_endpoint_auth_method: 'none',
    application_type: 'web',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [...redirects],
    post_logout_redirect_uris: [...redirects],
    scope: options.allowedScopes.filter((scope) => !scope.includes('/')).join(' '),
  });

  // The client's redirect URIs are only known once the HTTP API listens: look the client up, not a fixed list.
  class Store extends (MemoryAdapter as unknown as new (name: string) => Adapter) {
    constructor(private readonly modelName: string) {
      super(modelName);
    }
    override async find(id: string): Promise<AdapterPayload | undefined | void> {
      if (this.modelName === 'Client') return id === options.clientId ? (clientMetadata() as AdapterPayload) : undefined;
      return super.find(id);
    }
  }

  // Resource indicators must be absolute URIs; Cognito has none, so the identifier becomes a URN here only.
  const resourceIndicator = `urn:${options.resourceServer}`;
  const resourceScopes = options.allowedScopes.filter((scope) => scope.startsWith(`${options.resourceServer}/`));
  const provider = new Provider(issuer, {
    adapter: Store,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    routes: SIGN_IN_PATHS,
    scopes: options.allowedScopes.filter((scope) => !scope.includes('/')),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
    pkce: { required: () => true },
    responseTypes: ['code'],
    clientBasedCORS: (_ctx, requestOrigin, client) => client.redirectUris?.some((uri) => new URL(uri).origin === requestOrigin) ?? false,
    ttl: { AccessToken: tokenSeconds, IdToken: tokenSeconds, AuthorizationCode: 300, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const user = byUsername.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, email: user.email, email_verified: true, preferred_username: user.username }),
      };
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // No inline script: the page's one button ends the session.
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out - Feedback triage</title></head><body><main><h1>Sign out of Feedback triage?</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button></main></body></html>`;
        },
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
          ctx.body = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><main><h1>Signed out</h1></main></body></html>';
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resourceIndicator,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== resourceIndicator) throw new oidcErrors.InvalidTarget();
          // Cognito's access tokens carry client_id and no aud; API Gateway then checks client_id.
          return { scope: resourceScopes.join(' '), audience: options.clientId, accessTokenTTL: tokenSeconds, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const user = 'accountId' in token ? byUsername.get(String(token.accountId)) : undefined;
      return user ? { 'cognito:groups': user.groups, username: user.username, token_use: 'access' } : undefined;
    },
    renderError: (ctx, out) => {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `Sign-in error: ${out.error}${out.error_description ? ` (${out.error_description})` : ''}\n`;
    },
  });

  const finishConsent = async (request: IncomingMessage, response: ServerResponse) => {
    const details = await provider.interactionDetails(request, response);
    const accountId = details.session?.accountId;
    const user = accountId ? byUsername.get(accountId) : undefined;
    if (!user) throw new Error('consent without a signed-in user');
    const requested = String(details.params.scope ?? '').split(' ').filter(Boolean);
    const granted = new Set(await options.tokenScopes(user, requested));
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error('the grant of this interaction has expired');
    const oidcScopes = requested.filter((scope) => !scope.includes('/'));
    const apiScopes = requested.filter((scope) => scope.includes('/'));
    grant.addOIDCScope(oidcScopes.filter((scope) => granted.has(scope)));
    grant.addResourceScope(resourceIndicator, apiScopes.filter((scope) => granted.has(scope)));
    // Refused scopes are recorded as such, so the next request for them is answered without them, not asked again.
    grant.rejectOIDCScope(oidcScopes.filter((scope) => !granted.has(scope)));
    grant.rejectResourceScope(resourceIndicator, apiScopes.filter((scope) => !granted.has(scope)));
    const grantId = await grant.save();
    await provider.interactionFinished(request, response, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  const callback = provider.callback();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', origin);
    // Cognito's /logout takes client_id and logout_uri; OpenID's end_session names the latter post_logout_redirect_uri.
    if (url.pathname === SIGN_IN_PATHS.end_session && url.searchParams.has('logout_uri')) {
      url.searchParams.set('post_logout_redirect_uri', url.searchParams.get('logout_uri') ?? '');
      url.searchParams.delete('logout_uri');
      request.url = `${url.pathname}${url.search}`;
    }
    // Browsers ask every origin for an icon; the sign-in pages have none to give.
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204, { 'cache-control': 'max-age=86400' });
      response.end();
      return;
    }
    const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
    if (!interaction) {
      callback(request, response);
      return;
    }
    const uid = interaction[1] as string;
    const answer = (status: number, page: ReturnType<typeof loginPage>) => {
      response.writeHead(status, page.headers);
      response.end(page.body);
    };
    const formActionOrigins = [...new Set([...redirects].map((uri) => new URL(uri).origin))];
    (async () => {
      const details = await provider.interactionDetails(request, response);
      if (details.uid !== uid) throw new Error('interaction mismatch');
      if (!interaction[2]) {
        if (request.method !== 'GET') return answer(405, loginPage(uid, formActionOrigins, 'Method not allowed.'));
        // A first-party app: the pool asks for no consent, the team's groups decide the scopes.
        if (details.prompt.name === 'consent') return finishConsent(request, response);
        return answer(200, loginPage(uid, formActionOrigins));
      }
      if (request.method !== 'POST') return answer(405, loginPage(uid, formActionOrigins, 'Method not allowed.'));
      const form = await readForm(request);
      const user = byUsername.get(form.get('username') ?? '');
      if (!user || !passwordMatches(user.password, form.get('password') ?? '')) {
        return answer(401, loginPage(uid, formActionOrigins, 'Incorrect username or password.'));
      }
      await provider.interactionFinished(request, response, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
    })().catch((error: Error) => {
      if (response.headersSent) return response.end();
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`Sign-in error: ${error.message}\n`);
    });
  });

  return {
    issuer,
    origin,
    clientId: options.clientId,
    users,
    allowRedirect: (url) => {
      redirects.add(url);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
