// Switches a running local stack between the consumer's two execution modes (custom.triage.executionMode):
// creates every state machine serverless.yml declares and points the consumer at the mode's machine.
// The handlers read TRIAGE_MODE and STATE_MACHINE_ARN on each batch, so the switch applies from the next batch on.
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { executionModeEnvironment, localFunctionArn, localStateMachines, type ExecutionMode } from './service-definition.js';
import { LOCAL_REGION, type LocalStack } from './stack.js';

export async function createLocalStateMachines(stack: LocalStack): Promise<Map<string, string>> {
  const arns = new Map<string, string>();
  for (const machine of localStateMachines(stack.service, (fn) => localFunctionArn(fn, stack.service.service, LOCAL_REGION))) {
    // CreateStateMachine answers the existing ARN for the same name and definition.
    const { stateMachineArn } = await stack.clients.sfn.send(
      new CreateStateMachineCommand({
        name: machine.name,
        type: machine.type as 'EXPRESS',
        roleArn: 'arn:aws:iam::000000000000:role/local-triage-workflow',
        definition: machine.definition,
      }),
    );
    arns.set(machine.logicalId, stateMachineArn as string);
  }
  return arns;
}

/** Points the local consumer at `mode`; returns the environment it set. */
export async function useExecutionMode(stack: LocalStack, mode: ExecutionMode): Promise<{ TRIAGE_MODE: ExecutionMode; STATE_MACHINE_ARN: string }> {
  const arns = await createLocalStateMachines(stack);
  const environment = executionModeEnvironment(stack.service, mode, (logicalId) => arns.get(logicalId));
  await stack.runtime.setEnvironment(environment);
  Object.assign(stack.environment, environment);
  return environment;
}
