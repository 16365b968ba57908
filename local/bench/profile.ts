// Where the stack's CPU goes: a V8 CPU profile of a run, each sample charged to the component whose code
// was running (a Node internal, such as a socket write, is charged to the nearest caller of ours or of a
// library), then divided by the messages triaged.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuShare {
  component: string;
  msPerMessage: number;
  share: number;
}

const COMPONENTS: Array<[RegExp, string]> = [
  [/node_modules\/(dynalite|memory-level|abstract-level|level-|functional-red-black-tree|lock|async|big\.js|lazy)|dynalite/, 'DynamoDB emulator (dynalite)'],
  [/node_modules\/(fauxqs|fastify|@fastify|avvio|find-my-way|light-my-request|pino|fast-json|secure-json|ajv|toad-cache|rfdc|abstract-logging|process-warning|fast-querystring|fast-uri)/, 'SQS and SNS emulator (fauxqs)'],
  [/local\/comprehend|node_modules\/(vader-sentiment|wink)/, 'Comprehend emulator'],
  [/node_modules\/(aws-local-stepfunctions|jsonpath-plus|asl-validator)|local\/stepfunctions/, 'Step Functions front (local/stepfunctions + aws-local-stepfunctions)'],
  [/node_modules\/(@smithy|@aws-sdk|@aws-crypto|@aws\/|fast-xml-parser|strnum|tslib|bowser|uuid|mnemonist|obliterator)/, 'AWS SDK clients (handlers and stack)'],
  [/node_modules\/(@middy|@aws-lambda-powertools)/, 'middy and Powertools logger'],
  [/\/functions\//, 'handlers (functions/)'],
  [/local\/lambda-runtime/, 'local Lambda runtime'],
  [/local\/event-source/, 'local SQS event source'],
  [/local\/http-api/, 'local HTTP API'],
  [/local\/(bench|triage-ledger|stack|execution-mode)/, 'benchmark harness'],
];

function componentOf(url: string): string | undefined {
  if (!url || url.startsWith('node:')) return undefined;
  for (const [pattern, name] of COMPONENTS) if (pattern.test(url)) return name;
  return url.includes('node_modules/') ? `other: ${url.replace(/.*node_modules\//, '').split('/')[0]}` : undefined;
}

export function cpuBreakdown(profile: CpuProfile, messages: number): CpuShare[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, index) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const totals = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfTime) {
    total += micros;
    const leaf = nodes.get(id)?.callFrame.functionName;
    let component: string | undefined =
      leaf === '(garbage collector)' ? 'garbage collection' : leaf === '(idle)' ? 'idle (event loop waiting)' : leaf === '(program)' ? 'V8 and Node internals' : undefined;
    for (let cursor: number | undefined = id; !component && cursor !== undefined; cursor = parent.get(cursor)) {
      component = componentOf(nodes.get(cursor)?.callFrame.url ?? '');
    }
    component ??= 'Node I/O with no JS caller (sockets, HTTP parsing, timers)';
    totals.set(component, (totals.get(component) ?? 0) + micros);
  }
  return [...totals]
    .map(([component, micros]) => ({ component, msPerMessage: micros / 1000 / Math.max(1, messages), share: micros / Math.max(1, total) }))
    .sort((a, b) => b.msPerMessage - a.msPerMessage);
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}
