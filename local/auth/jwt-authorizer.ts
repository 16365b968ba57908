// The HTTP API's JWT authorizer as API Gateway applies it: the issuer's keys found through OIDC discovery, the
// signature (RSA only), issuer, audience (aud, else client_id), expiry and not-before, then the route's scopes.
// Failures answer as API Gateway does: 401 or 403 with {"message": ...} and a www-authenticate header.
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';

export interface JwtAuthorizerSettings {
  /** The authorizer's issuerUrl: tokens must carry exactly this `iss`, and its discovery document names the keys. */
  issuer: string;
  /** The authorizer's audience: a token's `aud` (or, without `aud`, its `client_id`) must be one of these. */
  audience: readonly string[];
}

/** What the function receives in requestContext.authorizer.jwt: claims flattened to strings, as API Gateway does. */
export interface JwtAuthorizerContext {
  claims: Record<string, string>;
  scopes: string[] | null;
}

export type AuthorizerOutcome =
  | { allowed: true; context: JwtAuthorizerContext }
  | { allowed: false; statusCode: 401 | 403; headers: Record<string, string>; body: string };

/** API Gateway accepts only RSA signatures from a JWKS. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512'];

function refuse(statusCode: 401 | 403, error: string, description: string, scopes: readonly string[] = []): AuthorizerOutcome {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (error) headers['www-authenticate'] = `Bearer scope="${scopes.join(' ')}" error="${error}" error_description="${description}"`;
  return { allowed: false, statusCode, headers, body: JSON.stringify({ message: statusCode === 401 ? 'Unauthorized' : 'Forbidden' }) };
}

/** API Gateway renders every claim as a string; lists become `[a b]`. */
function flatten(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    claims[name] = Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  }
  return claims;
}

function tokenScopes(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (Array.isArray(raw)) return raw.map(String);
  return typeof raw === 'string' ? raw.split(' ').filter(Boolean) : [];
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iss') return 'the token does not have a valid issuer';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') return 'the token is not valid yet';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token does not have a valid signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is not signed by a key of the issuer';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is not signed with an allowed algorithm';
  return 'the token is not valid';
}

export class JwtAuthorizer {
  private keys?: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: JwtAuthorizerSettings) {}

  /** The issuer's key set, found as API Gateway finds it: `jwks_uri` in `<issuer>/.well-known/openid-configuration`. */
  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.keys) return this.keys;
    const response = await fetch(`${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`the issuer's discovery document answered HTTP ${response.status}`);
    const discovery = (await response.json()) as { issuer?: string; jwks_uri?: string };
    if (discovery.issuer !== this.settings.issuer || !discovery.jwks_uri) throw new Error('the discovery document does not name this issuer and its jwks_uri');
    this.keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
    return this.keys;
  }

  /** Checks the Authorization header for a route that requires any one of `requiredScopes` (none: any valid token). */
  async authorize(authorization: string | undefined, requiredScopes: readonly string[]): Promise<AuthorizerOutcome> {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return refuse(401, '', '');
    let payload: JWTPayload;
    try {
      // An unsigned token (alg none) has no key to look up: refuse it before asking the key set.
      if (!ALGORITHMS.includes(String(decodeProtectedHeader(token).alg))) return refuse(401, 'invalid_token', 'the token is not signed with an allowed algorithm');
      ({ payload } = await jwtVerify(token, await this.keySet(), { issuer: this.settings.issuer, algorithms: ALGORITHMS, requiredClaims: ['exp'] }));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return refuse(401, 'invalid_token', describe(error));
      throw error;
    }
    const audiences = payload.aud === undefined ? [payload.client_id] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.some((audience) => typeof audience === 'string' && this.settings.audience.includes(audience))) {
      return refuse(401, 'invalid_token', 'the token does not have a valid audience');
    }
    const scopes = tokenScopes(payload);
    if (requiredScopes.length > 0 && !requiredScopes.some((scope) => scopes.includes(scope))) {
      return refuse(403, 'insufficient_scope', `expected scopes: [${requiredScopes.join(' ')}]`, requiredScopes);
    }
    return { allowed: true, context: { claims: flatten(payload), scopes: scopes.length ? scopes : null } };
  }
}
