// Cognito's pre token generation trigger (V2): takes out of the access token the team scopes the user's groups
// do not grant, so the HTTP API's JWT authorizer can decide per route from the token's scopes alone.
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { lambdaHandler } from '../../shared/handler.js';
import { scopesToSuppress } from './scopes.js';

export const handler = lambdaHandler(async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> => {
  const groups = event.request.groupConfiguration?.groupsToOverride ?? [];
  const requested = event.request.scopes ?? [];
  event.response = {
    claimsAndScopeOverrideDetails: {
      accessTokenGeneration: { scopesToSuppress: scopesToSuppress(groups, requested) },
    },
  };
  return event;
});
