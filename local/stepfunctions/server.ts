/**
 * Local AWS Step Functions endpoint: the public entry. Wires the machine registry, the execution
 * store, the Task runner, the execution launcher and the operation handlers behind the JSON 1.0 HTTP
 * front, on 127.0.0.1. Point the real AWS SDK at it with `AWS_ENDPOINT_URL_SFN` (and
 * `disableHostPrefix: true` for StartSyncExecution). See README.md in this folder.
 */
import { ExecutionStore } from './executions.js';
import * as executionOps from './execution-operations.js';
import { startHttpFront, type Operation } from './http.js';
import { createInspector } from './inspector.js';
import { createLauncher } from './launcher.js';
import * as machineOps from './machine-operations.js';
import { MachineRegistry } from './machines.js';
import { PageTokens, type RequestBody } from './protocol.js';
import { createTaskRunner } from './tasks.js';
import type { StepFunctionsServer, StepFunctionsServerOptions } from './types.js';

export { EXECUTION_STATUSES } from './execution-operations.js';
export type { ExecutionInfo, ExecutionsInspector, MachineInfo } from './inspector.js';
export type { HistoryEvent } from './history.js';
export type {
  ExecutionStatus,
  ExecutionSummary,
  InvokeLambda,
  StateMachineType,
  StepFunctionsServer,
  StepFunctionsServerOptions,
  StepFunctionsServerStats,
} from './types.js';

export async function startStepFunctionsServer(options: StepFunctionsServerOptions): Promise<StepFunctionsServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const retryIntervalScale = options.retryIntervalScale ?? 1;
  const timeoutScale = options.timeoutScale ?? 1;
  const maxFinished = options.maxFinishedExecutions ?? 10_000;
  const maxExpress = options.maxExpressExecutions ?? 2_000;
  const expressBytes = options.expressExecutionBytes ?? 32 * 1024 * 1024;
  const maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
  for (const [key, value] of Object.entries({ retryIntervalScale, timeoutScale, maxFinished, maxExpress, expressBytes, maxRequestBytes })) {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`startStepFunctionsServer: ${key} must be a finite number >= 0`);
  }
  if (timeoutScale === 0) throw new TypeError('startStepFunctionsServer: timeoutScale must be > 0');

  const machines = new MachineRegistry({ region, accountId, retryIntervalScale, timeoutScale });
  const store = new ExecutionStore({ maxFinished, maxExpress, expressBytes });
  const runTask = createTaskRunner({
    invokeLambda: options.invokeLambda,
    lambdaErrorCause: options.lambdaErrorCause ?? 'message',
    region,
    accountId,
    onInvoke: () => store.counters.taskInvocations++,
  });
  const launch = createLauncher({ store, runTask, onExecutionFinished: options.onExecutionFinished });
  const tokens = new PageTokens();
  const machineCtx: machineOps.MachineOperationsContext = { machines, tokens };
  const executionCtx: executionOps.ExecutionOperationsContext = { machines, store, launch, tokens, region, accountId };

  const bind =
    <C>(ctx: C, op: (ctx: C, body: RequestBody) => unknown): Operation =>
    (body) =>
      op(ctx, body);
  const operations: Record<string, Operation> = {
    CreateStateMachine: bind(machineCtx, machineOps.createStateMachine),
    DescribeStateMachine: bind(machineCtx, machineOps.describeStateMachine),
    ListStateMachines: bind(machineCtx, machineOps.listStateMachines),
    UpdateStateMachine: bind(machineCtx, machineOps.updateStateMachine),
    DeleteStateMachine: bind(machineCtx, machineOps.deleteStateMachine),
    StartSyncExecution: bind(executionCtx, executionOps.startSyncExecution),
    StartExecution: bind(executionCtx, executionOps.startExecution),
    DescribeExecution: bind(executionCtx, executionOps.describeExecution),
    ListExecutions: bind(executionCtx, executionOps.listExecutions),
    GetExecutionHistory: bind(executionCtx, executionOps.getExecutionHistory),
    StopExecution: bind(executionCtx, executionOps.stopExecution),
  };

  const front = await startHttpFront({ port: options.port ?? 0, maxRequestBytes, operations });

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${front.port}`,
    port: front.port,
    stats: () => ({ stateMachines: machines.size, ...store.counters, executions: { ...store.counters.executions } }),
    inspector: createInspector(machines, store),
    close() {
      closing ??= (async () => {
        for (const rec of store.runningNow()) rec.stop?.('States.Aborted', 'Local Step Functions server closed');
        await front.close();
      })();
      return closing;
    },
  };
}
