// One Powertools logger per function process: structured JSON with the service name.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'feedback-triage' });
