// The team's sign-in as serverless.yml declares it (the user pool's resource server, the dashboard's app client,
// the HTTP API's JWT authorizers), given its local values: the local OpenID provider's issuer and client.
import { functionLogicalId, type ServiceDefinition } from '../service-definition.js';
import { JwtAuthorizer } from './jwt-authorizer.js';

/** The dashboard's client id on the local provider (Cognito generates it on AWS). */
export const LOCAL_DASHBOARD_CLIENT_ID = 'feedback-triage-local-dashboard';

export interface TeamPool {
  /** The resource server's identifier: the prefix of the team's custom scopes. */
  resourceServer: string;
  /** The app client's AllowedOAuthScopes. */
  allowedScopes: string[];
}

type Json = Record<string, unknown>;

function onlyResource(service: ServiceDefinition, type: string): Json {
  const found = Object.entries(service.resources).filter(([, resource]) => resource.Type === type);
  if (found.length !== 1) throw new Error(`serverless.yml must declare exactly one ${type} for the team's sign-in, found ${found.length}`);
  return (found[0]?.[1].Properties ?? {}) as Json;
}

export function teamPoolOf(service: ServiceDefinition): TeamPool {
  const resourceServer = onlyResource(service, 'AWS::Cognito::UserPoolResourceServer').Identifier;
  const allowedScopes = onlyResource(service, 'AWS::Cognito::UserPoolClient').AllowedOAuthScopes;
  if (typeof resourceServer !== 'string' || !Array.isArray(allowedScopes)) throw new Error('the team resource server needs an Identifier and the app client AllowedOAuthScopes');
  return { resourceServer, allowedScopes: allowedScopes.map(String) };
}

/**
 * One local authorizer per provider.httpApi.authorizers entry. Each must be a JWT authorizer reading the
 * Authorization header, as on AWS; its issuer and audience become the local provider's.
 */
export function localAuthorizers(service: ServiceDefinition, local: { issuer: string; clientId: string }): Map<string, JwtAuthorizer> {
  const declared = (((service.raw.provider as Json | undefined)?.httpApi as Json | undefined)?.authorizers ?? {}) as Record<string, Json>;
  const authorizers = new Map<string, JwtAuthorizer>();
  for (const [name, authorizer] of Object.entries(declared)) {
    if (authorizer.type !== 'jwt' || authorizer.identitySource !== '$request.header.Authorization') {
      throw new Error(`authorizer ${name}: the local HTTP API applies JWT authorizers on $request.header.Authorization only`);
    }
    authorizers.set(name, new JwtAuthorizer({ issuer: local.issuer, audience: [local.clientId] }));
  }
  return authorizers;
}

/**
 * The function the user pool runs before it issues tokens (LambdaConfig.PreTokenGenerationConfig, V2_0), by its
 * name in serverless.yml; undefined when the pool names none.
 */
export function preTokenGenerationFunction(service: ServiceDefinition): string | undefined {
  const pool = onlyResource(service, 'AWS::Cognito::UserPool');
  const config = (pool.LambdaConfig as Json | undefined)?.PreTokenGenerationConfig as Json | undefined;
  if (!config) return undefined;
  if (config.LambdaVersion !== 'V2_0') throw new Error('the local sign-in runs the pre token generation trigger in its V2_0 shape only');
  const target = (config.LambdaArn as Json | undefined)?.['Fn::GetAtt'];
  const logicalId = Array.isArray(target) ? String(target[0]) : undefined;
  const name = Object.keys(service.functions).find((candidate) => functionLogicalId(candidate) === logicalId);
  if (!name) throw new Error(`the pre token generation trigger names ${String(logicalId)}, which is not a function of serverless.yml`);
  return name;
}

/** The trigger's event as Cognito sends it for a hosted sign-in, reduced to what the trigger reads and the pool knows. */
export function preTokenGenerationEvent(user: { username: string; email: string; groups: string[] }, requestedScopes: string[], clientId: string) {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'us-east-1',
    userPoolId: 'us-east-1_local',
    userName: user.username,
    callerContext: { awsSdkVersion: 'local', clientId },
    request: {
      userAttributes: { sub: user.username, email: user.email, email_verified: 'true' },
      groupConfiguration: { groupsToOverride: user.groups, iamRolesToOverride: [], preferredRole: null },
      scopes: requestedScopes,
    },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

/** The scopes left once the trigger's answer is applied, as Cognito applies it. */
export function scopesAfterTrigger(requestedScopes: string[], answer: unknown): string[] {
  const generation = (answer as { response?: { claimsAndScopeOverrideDetails?: { accessTokenGeneration?: { scopesToAdd?: string[]; scopesToSuppress?: string[] } } | null } })
    ?.response?.claimsAndScopeOverrideDetails?.accessTokenGeneration;
  const suppressed = new Set(generation?.scopesToSuppress ?? []);
  return [...new Set([...requestedScopes.filter((scope) => !suppressed.has(scope)), ...(generation?.scopesToAdd ?? [])])];
}
