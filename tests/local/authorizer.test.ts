// The local JWT authorizer against the local OpenID provider: a real sign-in yields a token it accepts, and
// each way a token can be wrong gets API Gateway's 401 (or 403 for a missing scope) with its www-authenticate.
// Odd tokens are signed with the provider's own key (handed to it by this test), or with a key it does not publish.
import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { JwtAuthorizer, type AuthorizerOutcome } from '../../local/auth/jwt-authorizer.js';
import { newSigningKey, startLocalOidc, type LocalOidc } from '../../local/oidc/provider.js';
import { signInWithPassword } from '../../local/oidc/sign-in-client.js';
import { scopesToSuppress, TEAM_SCOPES } from '../../functions/team/tokenScopes/scopes.js';

const CLIENT_ID = 'dashboard-under-test';
const REDIRECT = 'http://127.0.0.1:9/dashboard';
const SCOPES = ['openid', 'email', TEAM_SCOPES.read, TEAM_SCOPES.triage];

let oidc: LocalOidc;
let signingKey: JWK;
let authorizer: JwtAuthorizer;

beforeAll(async () => {
  signingKey = await newSigningKey();
  oidc = await startLocalOidc({
    clientId: CLIENT_ID,
    resourceServer: 'feedback-triage',
    allowedScopes: SCOPES,
    signingKey,
    tokenScopes: async (user, requested) => {
      const suppressed = new Set(scopesToSuppress(user.groups, requested));
      return requested.filter((scope) => !suppressed.has(scope));
    },
  });
  oidc.allowRedirect(REDIRECT);
  authorizer = new JwtAuthorizer({ issuer: oidc.issuer, audience: [CLIENT_ID] });
});

afterAll(async () => {
  await oidc?.close();
});

async function tokenOf(group: string): Promise<string> {
  const user = oidc.users.find((candidate) => candidate.groups.includes(group));
  if (!user) throw new Error(`no seed user in ${group}`);
  const signedIn = await signInWithPassword({ origin: oidc.origin, clientId: CLIENT_ID, redirectUri: REDIRECT, username: user.username, password: user.password, scopes: SCOPES });
  return signedIn.accessToken;
}

/** A token with these claims over a valid base, signed RS256 by `key` (the provider's own by default). */
async function mint(claims: JWTPayload, options: { key?: JWK; drop?: string[] } = {}): Promise<string> {
  const key = options.key ?? signingKey;
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { iss: oidc.issuer, client_id: CLIENT_ID, sub: 'tove', username: 'tove', scope: TEAM_SCOPES.read, iat: now, exp: now + 600, ...claims };
  for (const name of options.drop ?? []) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid as string, typ: 'JWT' }).sign(await importJWK(key, 'RS256'));
}

function refusal(outcome: AuthorizerOutcome) {
  if (outcome.allowed) return { allowed: true };
  return { status: outcome.statusCode, body: JSON.parse(outcome.body) as unknown, challenge: outcome.headers['www-authenticate'] };
}

const READ = [TEAM_SCOPES.read];
const ACT = [TEAM_SCOPES.triage];

describe('the local JWT authorizer', () => {
  it('accepts the triage member signed in through the provider, on read and act routes, and hands the function the claims', async () => {
    const token = await tokenOf('triage');
    const read = await authorizer.authorize(`Bearer ${token}`, READ);
    const act = await authorizer.authorize(token, ACT);
    expect(act.allowed).toBe(true);
    if (!read.allowed) throw new Error(JSON.stringify(read));
    expect(read.context.claims.username).toBe('tove');
    expect(read.context.claims['cognito:groups']).toBe('[triage]');
    expect(read.context.scopes).toEqual([TEAM_SCOPES.read, TEAM_SCOPES.triage]);
  });

  it('lets the viewer read, and answers 403 with insufficient_scope when the viewer acts', async () => {
    const token = await tokenOf('viewer');
    expect((await authorizer.authorize(`Bearer ${token}`, READ)).allowed).toBe(true);
    expect(refusal(await authorizer.authorize(`Bearer ${token}`, ACT))).toEqual({
      status: 403,
      body: { message: 'Forbidden' },
      challenge: `Bearer scope="${TEAM_SCOPES.triage}" error="insufficient_scope" error_description="expected scopes: [${TEAM_SCOPES.triage}]"`,
    });
  });

  it('answers 401 without a challenge when there is no token at all', async () => {
    for (const header of [undefined, '', 'Bearer ', '   ']) {
      expect(refusal(await authorizer.authorize(header, READ))).toEqual({ status: 401, body: { message: 'Unauthorized' }, challenge: undefined });
    }
  });

  const invalid = (description: string) => ({
    status: 401,
    body: { message: 'Unauthorized' },
    challenge: `Bearer scope="" error="invalid_token" error_description="${description}"`,
  });

  it('answers 401 to an expired token, a token not valid yet, and a token without expiry', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(refusal(await authorizer.authorize(await mint({ iat: now - 7200, exp: now - 1 }), READ))).toEqual(invalid('the token has expired'));
    expect(refusal(await authorizer.authorize(await mint({ nbf: now + 600 }), READ))).toEqual(invalid('the token is not valid yet'));
    expect((await authorizer.authorize(await mint({}, { drop: ['exp'] }), READ)).allowed).toBe(false);
  });

  it('answers 401 to a token for another audience, whether it names it in aud or in client_id', async () => {
    expect(refusal(await authorizer.authorize(await mint({ aud: 'someone-else' }), READ))).toEqual(invalid('the token does not have a valid audience'));
    expect(refusal(await authorizer.authorize(await mint({ client_id: 'someone-else' }), READ))).toEqual(invalid('the token does not have a valid audience'));
    // aud wins over client_id, as in API Gateway.
    expect(refusal(await authorizer.authorize(await mint({ aud: 'someone-else', client_id: CLIENT_ID }), READ))).toEqual(invalid('the token does not have a valid audience'));
    expect((await authorizer.authorize(await mint({ aud: CLIENT_ID, client_id: 'whatever' }), READ)).allowed).toBe(true);
  });

  it('answers 401 to a token from another issuer, even signed with the right key', async () => {
    expect(refusal(await authorizer.authorize(await mint({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other' }), READ))).toEqual(
      invalid('the token does not have a valid issuer'),
    );
  });

  it('answers 401 to a tampered token: a scope added to a valid viewer token', async () => {
    const [header, payload, signature] = (await tokenOf('viewer')).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
    const tampered = Buffer.from(JSON.stringify({ ...claims, scope: `${TEAM_SCOPES.read} ${TEAM_SCOPES.triage}` })).toString('base64url');
    expect(refusal(await authorizer.authorize(`Bearer ${header}.${tampered}.${signature}`, ACT))).toEqual(invalid('the token does not have a valid signature'));
  });

  it('answers 401 to an unsigned token (alg none) and to HS256 signed with the public key as secret', async () => {
    const payload = Buffer.from(JSON.stringify({ iss: oidc.issuer, client_id: CLIENT_ID, scope: TEAM_SCOPES.triage, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect(refusal(await authorizer.authorize(`Bearer ${none}`, ACT))).toEqual(invalid('the token is not signed with an allowed algorithm'));
    const publicJwk = { kty: signingKey.kty, n: signingKey.n, e: signingKey.e };
    const confused = await new SignJWT({ iss: oidc.issuer, client_id: CLIENT_ID, scope: TEAM_SCOPES.triage })
      .setProtectedHeader({ alg: 'HS256', kid: signingKey.kid as string })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    expect(refusal(await authorizer.authorize(`Bearer ${confused}`, ACT))).toEqual(invalid('the token is not signed with an allowed algorithm'));
  });

  it('answers 401 to a token signed by a key the issuer does not publish, under its kid or another', async () => {
    const stranger = await newSigningKey();
    expect(refusal(await authorizer.authorize(await mint({}, { key: { ...stranger, kid: signingKey.kid } }), READ))).toEqual(
      invalid('the token does not have a valid signature'),
    );
    expect(refusal(await authorizer.authorize(await mint({}, { key: stranger }), READ))).toEqual(invalid('the token is not signed by a key of the issuer'));
  });

  it('answers 401 to text that is not a JWT', async () => {
    for (const junk of ['abc', 'a.b.c', `${randomBytes(40).toString('base64url')}..`, 'Basic dG92ZTpwYXNzd29yZA==']) {
      expect(refusal(await authorizer.authorize(junk, READ))).toEqual(invalid('the token is not valid'));
    }
  });
});
