// Wraps a handler body with middy and the Powertools logger, the same way for every function.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { TransientDependencyError } from './errors.js';
import { logger } from './logger.js';

/** Middy gives up this long before Lambda would kill the function, so the failure has a name we retry. */
const GIVE_UP_BEFORE_TIMEOUT_MS = 50;

export function lambdaHandler<TEvent, TResult>(body: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy(body, {
    timeoutEarlyInMillis: GIVE_UP_BEFORE_TIMEOUT_MS,
    timeoutEarlyResponse: () => {
      throw new TransientDependencyError('the function ran out of time waiting for a dependency');
    },
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
