/** The state machine operations of the API: one function per operation, over the machine registry. */
import type { MachineRegistry } from './machines.js';
import { PageTokens, STATE_MACHINE_ARN, ServiceError, epochSeconds, invalidArn, readEnum, readMaxResults, readString, validName, type RequestBody } from './protocol.js';
import type { StateMachineType } from './types.js';

export interface MachineOperationsContext {
  machines: MachineRegistry;
  tokens: PageTokens;
}

const MACHINE_TYPES: readonly StateMachineType[] = ['STANDARD', 'EXPRESS'];

export function createStateMachine({ machines }: MachineOperationsContext, body: RequestBody): unknown {
  const name = readString(body, 'name', true);
  const definition = readString(body, 'definition', true);
  const roleArn = readString(body, 'roleArn', true);
  const type = readEnum(body, 'type', MACHINE_TYPES) ?? 'STANDARD';
  if (!validName(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
  machines.checkRoleArn(roleArn);
  const arn = machines.arnFor(name);
  const existing = machines.find(arn);
  if (existing) {
    // Idempotent like AWS: same name and same configuration returns the existing machine.
    if (existing.definition === definition && existing.type === type && existing.roleArn === roleArn) {
      return { stateMachineArn: existing.arn, creationDate: epochSeconds(existing.creationDate) };
    }
    throw new ServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
  }
  const machine = machines.build(name, type, roleArn, definition, Date.now());
  machines.put(machine);
  return { stateMachineArn: machine.arn, creationDate: epochSeconds(machine.creationDate) };
}

export function describeStateMachine({ machines }: MachineOperationsContext, body: RequestBody): unknown {
  const machine = machines.get(readString(body, 'stateMachineArn', false));
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: epochSeconds(machine.creationDate),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

export function listStateMachines({ machines, tokens }: MachineOperationsContext, body: RequestBody): unknown {
  const maxResults = readMaxResults(body);
  const start = tokens.read(readString(body, 'nextToken', false), 'ListStateMachines') ?? 0;
  const all = machines.all();
  const page = all.slice(start, start + maxResults).map((m) => ({
    stateMachineArn: m.arn,
    name: m.name,
    type: m.type,
    creationDate: epochSeconds(m.creationDate),
  }));
  const more = start + maxResults < all.length;
  return { stateMachines: page, ...(more ? { nextToken: tokens.issue('ListStateMachines', start + maxResults) } : {}) };
}

export function updateStateMachine({ machines }: MachineOperationsContext, body: RequestBody): unknown {
  const machine = machines.get(readString(body, 'stateMachineArn', false));
  const definition = readString(body, 'definition', false);
  const roleArn = readString(body, 'roleArn', false);
  if (definition === undefined && roleArn === undefined) {
    throw new ServiceError('MissingRequiredParameter', 'Either the definition or the roleArn must be specified');
  }
  if (roleArn !== undefined) machines.checkRoleArn(roleArn);
  // Running executions keep the runner they started with.
  machines.put(machines.build(machine.name, machine.type, roleArn ?? machine.roleArn, definition ?? machine.definition, machine.creationDate));
  return { updateDate: epochSeconds(Date.now()) };
}

export function deleteStateMachine({ machines }: MachineOperationsContext, body: RequestBody): unknown {
  const arn = readString(body, 'stateMachineArn', true);
  if (!STATE_MACHINE_ARN.test(arn)) throw invalidArn(arn);
  machines.delete(arn);
  return {};
}
