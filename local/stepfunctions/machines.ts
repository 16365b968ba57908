/**
 * The state machine registry: validates a definition once, builds its reusable runner, and keeps the
 * machines by ARN. Each runner is constructed once because validation is the expensive part (~100 ms).
 */
import './polyfills.js';

import { StateMachine } from 'aws-local-stepfunctions';

import { DefinitionError, MAX_TIMER_SECONDS, parseDefinition, prepareDefinition, type PreparedDefinition } from './asl.js';
import { ROLE_ARN, STATE_MACHINE_ARN, ServiceError, invalidArn, notNull } from './protocol.js';
import type { StateMachineType } from './types.js';

/** AWS: an Express execution lasts at most 5 minutes. */
export const EXPRESS_MAX_DURATION_SECONDS = 300;

export interface MachineRecord {
  arn: string;
  name: string;
  type: StateMachineType;
  roleArn: string;
  definition: string;
  creationDate: number;
  prepared: PreparedDefinition;
  /** Constructed once and reused by every execution. */
  runner: StateMachine;
}

export interface MachineSettings {
  region: string;
  accountId: string;
  retryIntervalScale: number;
  timeoutScale: number;
}

export class MachineRegistry {
  private readonly machines = new Map<string, MachineRecord>();

  constructor(private readonly settings: MachineSettings) {}

  get size(): number {
    return this.machines.size;
  }

  arnFor(name: string): string {
    return `arn:aws:states:${this.settings.region}:${this.settings.accountId}:stateMachine:${name}`;
  }

  /** The machine named by `arn`, or the AWS error for a missing, malformed or unknown ARN. */
  get(arn: string | undefined): MachineRecord {
    if (arn === undefined) throw notNull('stateMachineArn');
    if (!STATE_MACHINE_ARN.test(arn)) throw invalidArn(arn);
    const machine = this.machines.get(arn);
    if (!machine) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  find(arn: string): MachineRecord | undefined {
    return this.machines.get(arn);
  }

  all(): MachineRecord[] {
    return [...this.machines.values()];
  }

  put(machine: MachineRecord): void {
    this.machines.set(machine.arn, machine);
  }

  delete(arn: string): void {
    this.machines.delete(arn);
  }

  checkRoleArn(roleArn: string): void {
    if (!ROLE_ARN.test(roleArn)) throw invalidArn(roleArn);
  }

  /** Validates the definition as written and builds the runner from its transformed copy. */
  build(name: string, type: StateMachineType, roleArn: string, definition: string, creationDate: number): MachineRecord {
    try {
      const parsed = parseDefinition(definition);
      const prepared = prepareDefinition(parsed, {
        retryIntervalScale: this.settings.retryIntervalScale,
        timeoutScale: this.settings.timeoutScale,
        // An Express execution never outlives 5 minutes; a Standard Task has no default timeout in AWS.
        taskDefaultTimeoutSeconds: type === 'EXPRESS' ? EXPRESS_MAX_DURATION_SECONDS + 1 : MAX_TIMER_SECONDS,
      });
      // asl-validator runs once on the definition as written; the transformed copy is not validated again.
      new StateMachine(parsed as never);
      const runner = new StateMachine(prepared.runtimeDefinition as never, { validationOptions: { noValidate: true } });
      return { arn: this.arnFor(name), name, type, roleArn, definition, creationDate, prepared, runner };
    } catch (err) {
      if (err instanceof DefinitionError) throw new ServiceError('InvalidDefinition', err.message);
      const message = (err as Error).message.replace(/^State machine definition is invalid, see error\(s\) below:\s*/, '');
      throw new ServiceError('InvalidDefinition', `Invalid State Machine Definition: '${message.trim()}'`);
    }
  }
}
