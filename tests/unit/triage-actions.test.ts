// The triage rules (pure), the scopes each group gets, and the pre token generation trigger that applies them.
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import {
  applyTriage,
  parseTriageRequest,
  TRIAGE_LIMITS,
  TriageConflictError,
  triageStateOf,
  type TriageRequest,
  type TriageState,
} from '../../functions/feedback-triage/triageFeedback/triage.js';
import { handler as tokenScopesHandler } from '../../functions/team/tokenScopes/handler.js';
import { GROUP_SCOPES, scopesForGroups, scopesToSuppress, TEAM_SCOPES } from '../../functions/team/tokenScopes/scopes.js';
import { lambdaContext, sampleEvent } from '../helpers/lambda.js';

const at = new Date('2026-11-30T09:00:00.000Z');
const fresh = (overrides: Partial<TriageState> = {}): TriageState => ({
  feedbackId: 'f-1',
  sentiment: 'NEGATIVE',
  bookId: 'dune',
  status: 'NEW',
  version: 0,
  assignee: null,
  history: [],
  ...overrides,
});
const act = (state: TriageState, request: Partial<TriageRequest> & Pick<TriageRequest, 'action'>) =>
  applyTriage(state, { expectedVersion: state.version, ...request }, 'tove', at);

describe('triage status changes', () => {
  it('goes NEW -> ACKNOWLEDGED -> RESOLVED and back to NEW, one version and one history entry per change', () => {
    const acknowledged = act(fresh(), { action: 'acknowledge', note: 'Calling the reader.' }).next;
    expect(acknowledged).toMatchObject({ status: 'ACKNOWLEDGED', version: 1, updatedBy: 'tove', updatedAt: at.toISOString() });
    const resolved = act(acknowledged, { action: 'resolve' }).next;
    const reopened = act(resolved, { action: 'reopen', note: 'The reader wrote again.' }).next;
    expect(reopened).toMatchObject({ status: 'NEW', version: 3 });
    expect(reopened.history).toEqual([
      { action: 'acknowledge', by: 'tove', at: at.toISOString(), from: 'NEW', to: 'ACKNOWLEDGED', note: 'Calling the reader.' },
      { action: 'resolve', by: 'tove', at: at.toISOString(), from: 'ACKNOWLEDGED', to: 'RESOLVED' },
      { action: 'reopen', by: 'tove', at: at.toISOString(), from: 'RESOLVED', to: 'NEW', note: 'The reader wrote again.' },
    ]);
  });

  it.each([
    ['resolve', 'NEW'],
    ['reopen', 'NEW'],
    ['acknowledge', 'ACKNOWLEDGED'],
    ['acknowledge', 'RESOLVED'],
    ['resolve', 'RESOLVED'],
  ] as const)('refuses to %s an item that is %s, with the item as it is', (action, status) => {
    const current = fresh({ status, version: 4 });
    expect(() => act(current, { action })).toThrow(new TriageConflictError(`cannot ${action} an item that is ${status}`, current));
  });

  it('assigns, unassigns and takes notes without changing the status', () => {
    const assigned = act(fresh({ status: 'ACKNOWLEDGED', version: 2 }), { action: 'assign', assignee: 'vera' });
    expect(assigned.next).toMatchObject({ status: 'ACKNOWLEDGED', assignee: 'vera', version: 3 });
    expect(assigned.entry).toEqual({ action: 'assign', by: 'tove', at: at.toISOString(), from: 'ACKNOWLEDGED', to: 'ACKNOWLEDGED', assignee: 'vera' });
    expect(act(assigned.next, { action: 'assign', assignee: null }).next.assignee).toBeNull();
    expect(act(assigned.next, { action: 'note', note: 'Left a voicemail.' }).entry).toMatchObject({ action: 'note', note: 'Left a voicemail.' });
  });

  it('refuses a change made on an older version, naming the version it is at', () => {
    const current = fresh({ status: 'ACKNOWLEDGED', version: 5 });
    expect(() => applyTriage(current, { action: 'resolve', expectedVersion: 4 }, 'tove', at)).toThrow(
      'the item changed since version 4: it is now at version 5',
    );
  });

  it('triages negative and mixed feedback only', () => {
    expect(act(fresh({ sentiment: 'MIXED' }), { action: 'acknowledge' }).next.status).toBe('ACKNOWLEDGED');
    for (const sentiment of ['POSITIVE', 'NEUTRAL']) {
      expect(() => act(fresh({ sentiment }), { action: 'acknowledge' })).toThrow(`${sentiment} feedback is not triaged`);
    }
  });

  it('stops when the history is full rather than growing the item without bound', () => {
    const entry = { action: 'note' as const, by: 'tove', at: at.toISOString(), from: 'NEW' as const, to: 'NEW' as const, note: 'n' };
    const full = fresh({ version: TRIAGE_LIMITS.maxHistoryEntries, history: Array.from({ length: TRIAGE_LIMITS.maxHistoryEntries }, () => entry) });
    expect(() => act(full, { action: 'note', note: 'one more' })).toThrow(/history is full/);
  });

  it('reads a stored record never triaged as NEW at version 0, and ignores unknown stored statuses', () => {
    expect(triageStateOf({ feedbackId: 'f-2', sentiment: 'NEGATIVE', bookId: 'dune', text: 'not copied' })).toEqual(fresh({ feedbackId: 'f-2' }));
    expect(triageStateOf({ feedbackId: 'f-3', sentiment: 'MIXED', triageStatus: 'BOGUS', triageVersion: 7 })).toMatchObject({ status: 'NEW', version: 7 });
  });

  it('carries the execution that stored the record, for the dashboard to link to, and nothing when it names none', () => {
    const executionArn = 'arn:aws:states:us-east-1:000000000000:express:feedback-triage-prod-triage:name:id';
    expect(triageStateOf({ feedbackId: 'f-4', sentiment: 'NEGATIVE', executionArn })).toMatchObject({ executionArn });
    expect(triageStateOf({ feedbackId: 'f-5', sentiment: 'NEGATIVE', executionArn: '' })).not.toHaveProperty('executionArn');
    expect(triageStateOf({ feedbackId: 'f-6', sentiment: 'NEGATIVE', executionArn: 42 })).not.toHaveProperty('executionArn');
  });
});

describe('triage requests', () => {
  it('reads each action with its version, note and assignee', () => {
    expect(parseTriageRequest({ action: 'acknowledge', expectedVersion: 0 })).toEqual({ action: 'acknowledge', expectedVersion: 0 });
    expect(parseTriageRequest({ action: 'note', expectedVersion: 3, note: '  Called back.  ' })).toEqual({ action: 'note', expectedVersion: 3, note: 'Called back.' });
    expect(parseTriageRequest({ action: 'assign', expectedVersion: 1, assignee: null })).toEqual({ action: 'assign', expectedVersion: 1, assignee: null });
  });

  it.each([
    [null, 'body', 'the body must be a JSON object'],
    [[], 'body', 'the body must be a JSON object'],
    [{ action: 'delete', expectedVersion: 0 }, 'action', 'action must be one of'],
    [{ action: 'resolve' }, 'expectedVersion', 'expectedVersion must be a whole number'],
    [{ action: 'resolve', expectedVersion: -1 }, 'expectedVersion', 'expectedVersion must be a whole number'],
    [{ action: 'resolve', expectedVersion: 1.5 }, 'expectedVersion', 'expectedVersion must be a whole number'],
    [{ action: 'resolve', expectedVersion: '1' }, 'expectedVersion', 'expectedVersion must be a whole number'],
    [{ action: 'note', expectedVersion: 0 }, 'note', 'a note is required'],
    [{ action: 'note', expectedVersion: 0, note: 'x'.repeat(TRIAGE_LIMITS.maxNoteChars + 1) }, 'note', 'at most 1000 characters'],
    [{ action: 'note', expectedVersion: 0, note: 'bell\u0007' }, 'note', 'control characters'],
    [{ action: 'note', expectedVersion: 0, note: 42 }, 'note', 'note must be a string'],
    [{ action: 'assign', expectedVersion: 0 }, 'assignee', 'assignee is required'],
    [{ action: 'resolve', expectedVersion: 0, assignee: 'vera' }, 'assignee', 'only given with the assign action'],
    [{ action: 'resolve', expectedVersion: 0, status: 'RESOLVED' }, 'status', 'unknown field'],
  ])('refuses %j, naming %s', (body, field, message) => {
    expect(() => parseTriageRequest(body)).toThrow(expect.objectContaining({ name: 'TriageRequestError', field, message: expect.stringContaining(message) }));
  });
});

describe('team scopes by group', () => {
  const requested = ['openid', 'email', TEAM_SCOPES.read, TEAM_SCOPES.triage];

  it('lets viewers read and triage members read and act', () => {
    expect(GROUP_SCOPES).toEqual({ triage: [TEAM_SCOPES.read, TEAM_SCOPES.triage], viewer: [TEAM_SCOPES.read] });
    expect(scopesToSuppress(['viewer'], requested)).toEqual([TEAM_SCOPES.triage]);
    expect(scopesToSuppress(['triage'], requested)).toEqual([]);
    expect(scopesToSuppress(['viewer', 'triage'], requested)).toEqual([]);
  });

  it('gives a user in no team group no team scope, and leaves OpenID scopes alone', () => {
    expect(scopesToSuppress([], requested)).toEqual([TEAM_SCOPES.read, TEAM_SCOPES.triage]);
    expect(scopesToSuppress(['admins'], requested)).toEqual([TEAM_SCOPES.read, TEAM_SCOPES.triage]);
    expect(scopesForGroups(['admins']).size).toBe(0);
  });

  it('answers Cognito with the scopes to suppress from the access token (the V2 trigger shape)', async () => {
    const event = sampleEvent<PreTokenGenerationV2TriggerEvent>('teamTokenScopes');
    const answer = await tokenScopesHandler(event, lambdaContext('teamTokenScopes'));
    expect(answer.response).toEqual({ claimsAndScopeOverrideDetails: { accessTokenGeneration: { scopesToSuppress: [TEAM_SCOPES.triage] } } });
    expect(answer.userName).toBe('vera');
  });
});
