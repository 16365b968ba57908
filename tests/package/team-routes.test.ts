// Packages the service with `serverless package`, without AWS credentials, and checks how the CloudFormation
// template protects each HTTP route: the team's routes behind the Cognito JWT authorizer with the scope each needs,
// the public ones exactly the reader's side, the public upload throttled and its uploads expiring, and the
// feedback table expiring records after the stage's retention.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadServiceDefinition } from '../../local/service-definition.js';
import { copyService, packageService, templateResources } from '../helpers/service-copy.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped; the assertions check its shape
type Resource = { Type: string; Properties: Record<string, any> };

const service = loadServiceDefinition();
const team = (service.raw.custom as { team: { readScope: string; triageScope: string } }).team;
const documents = service.documents as {
  uploadPrefix: string;
  uploadExpirationDays: number;
  maxDocumentBytes: number;
  uploadThrottle: { rateLimit: number; burstLimit: number };
};
const retentionDays = Number((service.raw.params as { default: { feedbackRetentionDays: number } }).default.feedbackRetentionDays);

/**
 * What anyone may reach: the reader's form and the pages' assets, page shells that carry no data, the feedback
 * intake and the document upload (readers share handouts without an account; see docs/SIGN-IN.md).
 */
const PUBLIC_ROUTES = ['GET /', 'GET /dashboard', 'GET /dashboard/documents', 'GET /assets/{file}', 'POST /feedback', 'POST /documents'];
/** The team's routes known today, with the scope each needs: reading needs read, acting needs triage. */
const TEAM_ROUTES: Record<string, 'read' | 'triage'> = {
  'GET /feedback': 'read',
  'GET /feedback/stats': 'read',
  'GET /feedback/{feedbackId}/history': 'read',
  'POST /feedback/{feedbackId}/triage': 'triage',
  'GET /documents': 'read',
};

let workDir: string;
let resources: Record<string, Resource>;

beforeAll(async () => {
  const copy = copyService('team-routes');
  workDir = copy.workDir;
  const outputDir = join(workDir, 'package');
  await packageService(copy, outputDir);
  resources = templateResources<Resource>(outputDir);
}, 180_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const routes = () => ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
const routeKeys = () => routes().map((route) => route.RouteKey as string);
const isPublic = (routeKey: string) => PUBLIC_ROUTES.includes(routeKey);

describe('route protection', () => {
  it('has one JWT authorizer, trusting only the team pool and its dashboard client', () => {
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizers.map(([name]) => name)).toEqual(['HttpApiAuthorizerTeamSignIn']);
    expect(authorizers[0]![1].Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${TeamUserPool}' },
        Audience: [{ Ref: 'TeamDashboardClient' }],
      },
    });
  });

  it('leaves exactly the reader-side routes public, with no authorizer of any kind', () => {
    const open = routes().filter((route) => route.AuthorizationType === undefined || route.AuthorizationType === 'NONE');
    expect(open.map((route) => route.RouteKey).sort()).toEqual([...PUBLIC_ROUTES].sort());
    for (const route of open) expect({ route: route.RouteKey, authorizer: route.AuthorizerId, scopes: route.AuthorizationScopes }).toEqual({ route: route.RouteKey, authorizer: undefined, scopes: undefined });
  });

  it('puts every other route behind the authorizer: GET needs the read scope, anything else the triage scope', () => {
    const guarded = routes().filter((route) => !isPublic(route.RouteKey));
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded) {
      const scope = String(route.RouteKey).startsWith('GET ') ? team.readScope : team.triageScope;
      expect({ route: route.RouteKey, type: route.AuthorizationType, authorizer: route.AuthorizerId, scopes: route.AuthorizationScopes }).toEqual({
        route: route.RouteKey,
        type: 'JWT',
        authorizer: { Ref: 'HttpApiAuthorizerTeamSignIn' },
        scopes: [scope],
      });
    }
  });

  it('serves the team routes the dashboard needs, each with its scope', () => {
    const byKey = new Map(routes().map((route) => [route.RouteKey as string, route]));
    for (const [routeKey, scope] of Object.entries(TEAM_ROUTES)) {
      expect({ routeKey, scopes: byKey.get(routeKey)?.AuthorizationScopes }).toEqual({ routeKey, scopes: [team[`${scope}Scope`]] });
    }
    // No route is both: every route is public or the team's.
    expect(routeKeys().filter((key) => isPublic(key) && key in TEAM_ROUTES)).toEqual([]);
  });

  it('serves the page shells from a function that may read no data', () => {
    const shells = routes().filter((route) => route.RouteKey.startsWith('GET /') && isPublic(route.RouteKey));
    for (const route of shells) expect({ route: route.RouteKey, target: route.Target }).toEqual({ route: route.RouteKey, target: expect.objectContaining({ 'Fn::Join': ['/', ['integrations', { Ref: 'HttpApiIntegrationWebPages' }]] }) });
    const actions = (resources.WebPagesRole!.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[] }> } }>)
      .flatMap((policy) => policy.PolicyDocument.Statement)
      .flatMap((statement) => [statement.Action].flat());
    expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });
});

describe('the public upload', () => {
  it('has its own throttle, below the stage default that the intake keeps', () => {
    const stage = resources.HttpApiStage!.Properties;
    expect(stage.RouteSettings).toEqual({
      'POST /documents': { ThrottlingRateLimit: documents.uploadThrottle.rateLimit, ThrottlingBurstLimit: documents.uploadThrottle.burstLimit },
    });
    expect(documents.uploadThrottle.rateLimit).toBeLessThan(stage.DefaultRouteSettings.ThrottlingRateLimit);
    expect(documents.uploadThrottle.burstLimit).toBeLessThan(stage.DefaultRouteSettings.ThrottlingBurstLimit);
  });

  it('signs URLs with the size cap the function is given', () => {
    expect(resources.RequestUploadLambdaFunction!.Properties.Environment.Variables.MAX_DOCUMENT_BYTES).toBe(String(documents.maxDocumentBytes));
  });

  it('expires every upload after the days the documents settings give, verdict or not', () => {
    const rules = resources.DocumentsBucket!.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    expect(rules).toContainEqual({ Id: 'expire-uploads', Status: 'Enabled', Prefix: documents.uploadPrefix, ExpirationInDays: documents.uploadExpirationDays });
    // Outlasts the events' dead-letter queue, so a redriven event still finds its upload.
    const dlqRetentionDays = resources.DocumentEventsDeadLetterQueue!.Properties.MessageRetentionPeriod / 86_400;
    expect(documents.uploadExpirationDays).toBeGreaterThan(dlqRetentionDays);
  });
});

describe('feedback retention', () => {
  it('expires feedback records on their expiresAt, which StoreFeedback sets from the stage retention', () => {
    expect(resources.FeedbackTable!.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(Number.isInteger(retentionDays) && retentionDays > 0).toBe(true);
    expect(resources.StoreFeedbackLambdaFunction!.Properties.Environment.Variables.FEEDBACK_RETENTION_DAYS).toBe(String(retentionDays));
  });
});
