// Powertools Tracer for X-Ray: one per function process. Tracing switches itself off outside Lambda (the local
// stack, unit tests), so the same handlers run everywhere.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'feedback-triage' });

/** The handler's segment; answers stay out of the trace, since they carry reader text. */
export const traceHandler = () => captureLambdaHandler(tracer, { captureResponse: false });
