// Reading a dashboard request's query string, with a 400 that names the parameter for each way it can be wrong.
import { SENTIMENTS, type Sentiment } from '../../shared/feedback.js';
import { BadRequestError, parameter, type QueryParameters } from '../../shared/query.js';

export function sentimentParameter(query: QueryParameters, name = 'sentiment'): Sentiment {
  const value = parameter(query, name);
  if (value === undefined) throw new BadRequestError(`${name} is required: one of ${SENTIMENTS.join(', ')}`, name);
  if (!(SENTIMENTS as readonly string[]).includes(value)) {
    throw new BadRequestError(`${name} must be one of ${SENTIMENTS.join(', ')}`, name);
  }
  return value as Sentiment;
}
