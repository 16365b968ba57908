// Wraps a handler body with middy and the Powertools logger, the same way for every function.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './logger.js';

export function lambdaHandler<TEvent, TResult>(body: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy(body).use(injectLambdaContext(logger, { resetKeys: true }));
}
