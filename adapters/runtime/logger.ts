import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact';

/**
 * Structured JSON logs (secrets and emails redacted), one instance per cold start. Apart from the
 * metrics (observability.ts) so the authorizer, which records none, carries no metrics library.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'loyalty',
  jsonReplacerFn: redactingReplacer,
});
