import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { documentClient } from '../adapters/dynamodb/client';
import { dynamoProgramStore } from '../adapters/dynamodb/program-store';
import { runtimeConfig } from '../adapters/runtime/config';
import { logger } from '../adapters/runtime/observability';
import { authenticate, usageIdentifierOf } from '../core/programs/use-cases/authenticate';

/** Allow the whole API (so a cached result serves every route); routes check scopes themselves. */
function apiWildcard(methodArn: string): string {
  // arn:aws:execute-api:region:account:apiId/stage/METHOD/path...
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*/*`;
}

// Only the key lookup: the authorizer stays small (no validation or event libraries) for fast cold starts.
let programs: ReturnType<typeof dynamoProgramStore> | undefined;

export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-api-key')?.[1];
  programs ??= dynamoProgramStore(documentClient(), runtimeConfig().tableName);
  const key = header ? await authenticate(header, { programs }) : null;
  // API Gateway turns exactly this message into a 401.
  if (!key) throw new Error('Unauthorized');
  // The API's methods require an API key taken from here: API Gateway meters the program's usage plan by it.
  const usageIdentifierKey = await usageIdentifierOf(key.programId, { programs });
  logger.debug('authorized', { programId: key.programId, keyId: key.keyId });
  return {
    principalId: `${key.programId}/${key.keyId}`,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiWildcard(event.methodArn) }],
    },
    context: { programId: key.programId, scopes: key.scopes.join(','), keyId: key.keyId },
    usageIdentifierKey,
  };
};
