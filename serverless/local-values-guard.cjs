// A local plugin that keeps the local stack's values out of deployments and says loudly when a deploy would leave an
// SNS topic (alerts, operations) with nobody subscribed. serverless.yml lists it under `plugins`.
'use strict';
/* global process, module -- a CommonJS module the framework loads in Node */

/** The local stack's stage: params.local reads the shell there, so it is never packaged for AWS. */
const LOCAL_STAGE = 'local';

/**
 * What only the local stack hands out: addresses on this machine (its endpoints, fauxqs's sqs.<region>.localhost
 * queue URLs) and its account id in ARNs (local/stack.ts, LOCAL_ACCOUNT_ID).
 */
const LOCAL_VALUE = /\/\/(127\.0\.0\.1|\[::1\]|[\w.-]*localhost)(:\d+)?(\/|$)|:000000000000:/;

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every function environment variable of a compiled template whose value is a local stack's value. */
function localValuesIn(template) {
  const found = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    for (const [name, value] of Object.entries(resource.Properties?.Environment?.Variables ?? {})) {
      if (typeof value === 'string' && LOCAL_VALUE.test(value)) found.push(`${logicalId} ${name}=${value}`);
    }
  }
  return found;
}

/** A condition's value when it compares literals only (a param against ''), else undefined. */
function evaluate(condition, conditions) {
  if (typeof condition === 'string' || typeof condition === 'number') return condition;
  if (!isObject(condition)) return undefined;
  if ('Condition' in condition) return evaluate(conditions[condition.Condition], conditions);
  const [fn] = Object.keys(condition);
  const args = [condition[fn]].flat().map((arg) => evaluate(arg, conditions));
  if (args.some((arg) => arg === undefined)) return undefined;
  if (fn === 'Fn::Equals') return String(args[0]) === String(args[1]);
  if (fn === 'Fn::Not') return !args[0];
  if (fn === 'Fn::And') return args.every(Boolean);
  if (fn === 'Fn::Or') return args.some(Boolean);
  return undefined;
}

/** The logical ids of the template's SNS topics that no subscription of the template can reach. */
function topicsWithoutSubscriber(template) {
  const resources = template.Resources ?? {};
  const conditions = template.Conditions ?? {};
  const subscribed = new Set();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::SNS::Subscription') continue;
    // A condition that cannot be decided here (it names a resource or a pseudo parameter) counts as a subscriber.
    if (resource.Condition && evaluate(conditions[resource.Condition], conditions) === false) continue;
    const topic = resource.Properties?.TopicArn;
    if (isObject(topic) && typeof topic.Ref === 'string') subscribed.add(topic.Ref);
  }
  return Object.entries(resources)
    .filter(([logicalId, resource]) => resource.Type === 'AWS::SNS::Topic' && !subscribed.has(logicalId))
    .map(([logicalId]) => logicalId);
}

class LocalValuesGuard {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.options = options;
    // The framework's writer for plugins: its warnings print however the CLI is run.
    this.log = utils.log;
    this.hooks = {
      initialize: () => this.giveInvokeLocalTheShellsResources(),
      // Before anything is built: the local stage is refused outright.
      'before:package:initialize': () => this.refuseLocalStage(),
      // Before the template is written; the stack's own resources join it during package:finalize.
      'before:package:finalize': () => this.refuseLocalValues(),
      'after:package:finalize': () => this.warnOfTopicsWithoutSubscriber(),
    };
  }

  /**
   * `serverless invoke local` runs on this machine: where an environment value is a resource of the stack (a !Ref it
   * cannot resolve without AWS), it takes the shell's value of the same name, as `.local-stack.env` sets it.
   * Packaging and deploying never do.
   */
  giveInvokeLocalTheShellsResources() {
    const commands = this.serverless.processedInput?.commands ?? [];
    if (commands[0] !== 'invoke' || commands[1] !== 'local') return;
    const fromShell = (environment) => {
      for (const [name, value] of Object.entries(environment ?? {})) {
        if (isObject(value) && process.env[name] !== undefined) environment[name] = process.env[name];
      }
    };
    fromShell(this.serverless.service.provider.environment);
    for (const fn of Object.values(this.serverless.service.functions ?? {})) fromShell(fn.environment);
  }

  refuseLocalStage() {
    if (this.serverless.getProvider('aws').getStage() !== LOCAL_STAGE) return;
    throw new this.serverless.classes.Error(
      `The "${LOCAL_STAGE}" stage belongs to the local stack (npm start) and takes its values from the shell: it is never packaged or deployed. Give another --stage.`,
      'LOCAL_STAGE_NOT_DEPLOYABLE',
    );
  }

  refuseLocalValues() {
    const ServerlessError = this.serverless.classes.Error;
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const leaks = localValuesIn(template);
    if (leaks.length > 0) {
      throw new ServerlessError(
        `Refusing to package: these function settings hold the local stack's values (a shell that loaded .local-stack.env?):\n  ${leaks.join('\n  ')}\nName them \${self:custom.shellValues.\${sls:stage}.NAME, self:custom.refs.X} (serverless.yml), never \${env:NAME, ...}.`,
        'LOCAL_VALUES_IN_TEMPLATE',
      );
    }
  }

  warnOfTopicsWithoutSubscriber() {
    const stage = this.serverless.getProvider('aws').getStage();
    for (const topic of topicsWithoutSubscriber(this.serverless.service.provider.compiledCloudFormationTemplate)) {
      this.log.warning(
        `NO SUBSCRIBER: nobody receives what ${topic} publishes on stage "${stage}" (alerts or alarms would go unread). Give its email parameter, e.g. --param="alertEmail=...", --param="documentAlertEmail=..." or --param="opsEmail=...".`,
      );
    }
  }
}

module.exports = LocalValuesGuard;
module.exports.localValuesIn = localValuesIn;
module.exports.topicsWithoutSubscriber = topicsWithoutSubscriber;
