// Which scopes a team member's access token carries, from the member's groups: the authorizer on each team
// route checks these scopes, so a group's rights are decided here and nowhere else.

/** The resource server of the team's API in the user pool; custom scopes are `<identifier>/<name>`. */
export const TEAM_RESOURCE_SERVER = 'feedback-triage';

export const TEAM_SCOPES = {
  /** Read feedback, its counts and documents. */
  read: `${TEAM_RESOURCE_SERVER}/read`,
  /** Act on feedback: acknowledge, resolve, reopen, assign, note. */
  triage: `${TEAM_RESOURCE_SERVER}/triage`,
} as const;

/** The pool's groups and what each may do: viewers read; triage members read and act. */
export const GROUP_SCOPES: Readonly<Record<string, readonly string[]>> = {
  triage: [TEAM_SCOPES.read, TEAM_SCOPES.triage],
  viewer: [TEAM_SCOPES.read],
};

/** The team scopes a member of these groups may hold. */
export function scopesForGroups(groups: readonly string[]): Set<string> {
  return new Set(groups.flatMap((group) => GROUP_SCOPES[group] ?? []));
}

/** The requested team scopes the groups do not grant: a user in no team group gets no team scope at all. */
export function scopesToSuppress(groups: readonly string[], requestedScopes: readonly string[]): string[] {
  const allowed = scopesForGroups(groups);
  return requestedScopes.filter((scope) => scope.startsWith(`${TEAM_RESOURCE_SERVER}/`) && !allowed.has(scope));
}
