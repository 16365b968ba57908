// Packages the service from a shell that loaded the local stack's environment and proves no local value reaches the
// template: the functions name the stack's own resources, and serverless/local-values-guard.cjs refuses the local
// stage and any template that would carry a local address.
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../../local/service-definition.js';
import { copyService, packageService, type ServiceCopy } from '../helpers/service-copy.js';

const guard = createRequire(import.meta.url)(join(projectRoot, 'serverless/local-values-guard.cjs')) as {
  localValuesIn(template: unknown): string[];
  topicsWithoutSubscriber(template: unknown): string[];
};

// What `.local-stack.env` holds for the resources serverless.yml and serverless/feedback-triage.yml name (the shapes
// the local stack gives: edge and fauxqs URLs, ARNs in its account), each value unique so a leak is unmistakable.
// FEEDBACK_TABLE and the DOCUMENTS_* names join once serverless/team.yml and serverless/document-moderation.yml read
// them as ${param:...}: until then the guard refuses a package from such a shell (the third test shows how).
const LOCAL_SHELL = {
  FEEDBACK_QUEUE_URL: 'http://sqs.us-east-1.localhost:4566/000000000000/leak-feedback',
  FEEDBACK_DLQ_URL: 'http://sqs.us-east-1.localhost:4566/000000000000/leak-feedback-dlq',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:leak-triage',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:leak-alerts',
  DASHBOARD_URL: 'http://127.0.0.1:3000/leak-dashboard',
  SIGN_IN_ORIGIN: 'http://127.0.0.1:4999',
  SIGN_IN_CLIENT_ID: 'leak-local-dashboard-client',
  EXECUTION_DETAILS_URL: 'http://127.0.0.1:4566/_local/executions?leak=',
  FEEDBACK_TABLE: 'feedback-triage-local-feedback',
  DOCUMENTS_BUCKET: 'feedback-triage-local-documents',
  DOCUMENTS_TABLE: 'feedback-triage-local-documents',
  DOCUMENT_ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:leak-document-alerts',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
};

let copy: ServiceCopy;

/** Runs `serverless package` in the copy with the shell's values; resolves its exit and output, and the template. */
async function packageWith(shell: Record<string, string>, args: string[] = []) {
  const outputDir = join(copy.workDir, `package-${Math.random().toString(36).slice(2)}`);
  try {
    await packageService(copy, outputDir, { shell, args });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}`, template: undefined };
  }
  const templateFile = join(outputDir, 'cloudformation-template-update-stack.json');
  return { ok: true, output: '', template: readFileSync(templateFile, 'utf8') };
}

beforeAll(() => {
  copy = copyService('no-local-values');
});

afterAll(() => rmSync(copy.workDir, { recursive: true, force: true }));

test('a dev package from a shell holding the local values names the stack resources instead', async () => {
  const { ok, output, template } = await packageWith(LOCAL_SHELL);
  expect(output).toBe('');
  expect(ok).toBe(true);
  for (const [name, value] of Object.entries(LOCAL_SHELL)) {
    expect({ name, leaked: template!.includes(value) }).toEqual({ name, leaked: false });
  }
  const functions = Object.values(JSON.parse(template!).Resources as Record<string, { Type: string; Properties: { Environment?: { Variables: Record<string, unknown> } } }>)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function');
  const variables = Object.assign({}, ...functions.map((fn) => fn.Properties.Environment?.Variables ?? {}));
  expect(variables.FEEDBACK_QUEUE_URL).toEqual({ Ref: 'FeedbackQueue' });
  expect(variables.ALERT_TOPIC_ARN).toEqual({ Ref: 'AlertTopic' });
  expect(variables.SIGN_IN_CLIENT_ID).toEqual({ Ref: 'TeamDashboardClient' });
}, 180_000);

test('the local stage is never packaged', async () => {
  const { ok, output } = await packageWith(LOCAL_SHELL, ['--stage', 'local']);
  expect(ok).toBe(false);
  expect(output).toContain('belongs to the local stack');
}, 180_000);

test('the guard finds a local value in a function setting, and only there', () => {
  const template = {
    Resources: {
      ListFeedbackLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { Environment: { Variables: { FEEDBACK_TABLE: { Ref: 'FeedbackTable' }, QUEUE: LOCAL_SHELL.FEEDBACK_QUEUE_URL, LANGUAGE: 'en' } } },
      },
      StoreFeedbackLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { Environment: { Variables: { TOPIC: LOCAL_SHELL.ALERT_TOPIC_ARN, PAGE: 'https://team.example.org/dashboard' } } },
      },
      // A stage may point its dashboard at localhost on purpose (the default dashboardUrls): not a function's own string.
      Client: { Type: 'AWS::Cognito::UserPoolClient', Properties: { CallbackURLs: ['http://localhost:3000/dashboard'] } },
    },
  };
  expect(guard.localValuesIn(template)).toEqual([
    `ListFeedbackLambdaFunction QUEUE=${LOCAL_SHELL.FEEDBACK_QUEUE_URL}`,
    `StoreFeedbackLambdaFunction TOPIC=${LOCAL_SHELL.ALERT_TOPIC_ARN}`,
  ]);
});

test('a topic whose only subscription is switched off by an empty email parameter has no subscriber', () => {
  const subscription = (topic: string, condition: string) => ({ Type: 'AWS::SNS::Subscription', Condition: condition, Properties: { TopicArn: { Ref: topic } } });
  const template = {
    Conditions: {
      HasAlertEmail: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
      HasOpsEmail: { 'Fn::Not': [{ 'Fn::Equals': ['ops@example.org', ''] }] },
    },
    Resources: {
      AlertTopic: { Type: 'AWS::SNS::Topic' },
      OperationsTopic: { Type: 'AWS::SNS::Topic' },
      AlertEmailSubscription: subscription('AlertTopic', 'HasAlertEmail'),
      OperationsEmailSubscription: subscription('OperationsTopic', 'HasOpsEmail'),
    },
  };
  expect(guard.topicsWithoutSubscriber(template)).toEqual(['AlertTopic']);
});
