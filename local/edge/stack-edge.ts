// Puts the local stack's servers behind its edge endpoint: dynalite and fauxqs (SQS, SNS, S3, STS) by their own
// request handlers in this process; the Step Functions, Comprehend and Rekognition fronts by theirs when they
// expose one (`handle`), by a kept-alive HTTP hop to their port until then. Requests whose body the edge has
// read (the query protocol's forms, SQS's translated) reach fauxqs by a kept-alive hop too: fastify's in-process
// inject loads an ESM-only package that jest's CommonJS require cannot.
import { Agent, type Server } from 'node:http';
import type { buildApp } from 'fauxqs';
import { executionsView } from '../executions-view/view.js';
import type { ExecutionsInspector } from '../stepfunctions/server.js';
import { forwardTo, inProcess, sendBuffered, startEdge, type Edge, type RequestListener } from './server.js';
import { sqsQueryTranslator } from './sqs-query.js';

type MessagingApp = ReturnType<typeof buildApp>;

/** A local server the edge can reach: its URL, and its request handler when it exposes one. */
export interface EdgeTarget {
  url: string;
  handle?: RequestListener;
}

export interface StackEdgeOptions {
  port: number;
  dynamodb: Server;
  messaging: MessagingApp;
  /** Where fauxqs listens, for the requests the edge has buffered. */
  messagingUrl: string;
  /** With its inspector, the edge also serves the Executions view at /_local/executions. */
  stepFunctions: EdgeTarget & { inspector?: ExecutionsInspector };
  comprehend: EdgeTarget;
  rekognition?: EdgeTarget;
}

export interface StackEdge extends Edge {
  /** The services reached through an HTTP hop rather than in-process. */
  forwarded: string[];
}

export async function startStackEdge(options: StackEdgeOptions): Promise<StackEdge> {
  const forwarded: string[] = [];
  const messagingAgent = new Agent({ keepAlive: true });
  const agents: Array<{ destroy(): void }> = [messagingAgent];
  const handlerOf = (name: string, target: EdgeTarget): RequestListener => {
    if (target.handle) return target.handle;
    forwarded.push(name);
    const forward = forwardTo(target.url);
    agents.push(forward.agent);
    return forward;
  };
  const messaging = inProcess(options.messaging.server);
  const rekognition: RequestListener = options.rekognition
    ? handlerOf('rekognition', options.rekognition)
    : (req, res) => {
        req.resume();
        const body = JSON.stringify({ __type: 'ServiceUnavailableException', Message: 'the local Rekognition stand-in (local/rekognition/server.ts) is not installed' });
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
  const edge = await startEdge({
    port: options.port,
    handlers: {
      sqs: messaging,
      sns: messaging,
      sts: messaging,
      s3: messaging,
      dynamodb: inProcess(options.dynamodb),
      states: handlerOf('states', options.stepFunctions),
      comprehend: handlerOf('comprehend', options.comprehend),
      rekognition,
    },
    ...(options.stepFunctions.inspector ? { localPages: executionsView(options.stepFunctions.inspector) } : {}),
    answerForm: (_service, request) => sendBuffered(options.messagingUrl, messagingAgent, request),
    sqsQuery: sqsQueryTranslator(async (operation, input, headers) => {
      const answer = await sendBuffered(options.messagingUrl, messagingAgent, {
        method: 'POST',
        url: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AmazonSQS.${operation}`,
          // The queue URLs fauxqs makes name the host the client called: the edge.
          ...(headers.host ? { host: headers.host } : {}),
          ...(headers.authorization ? { authorization: headers.authorization } : {}),
        },
        body: Buffer.from(JSON.stringify(input)),
      });
      const queryError = answer.headers['x-amzn-query-error'];
      return { statusCode: answer.statusCode, body: answer.body.toString('utf8'), ...(typeof queryError === 'string' ? { queryError } : {}) };
    }),
  });
  return {
    ...edge,
    forwarded,
    close: async () => {
      await edge.close();
      for (const agent of agents) agent.destroy();
    },
  };
}
