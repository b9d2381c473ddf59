import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { dynamoKeyLookup, lookupCredentials } from '../adapters/dynamodb/key-lookup';
import { runtimeConfig } from '../adapters/runtime/config';
import { logger } from '../adapters/runtime/logger';
import { authenticate, usageIdentifierOf } from '../core/programs/use-cases/authenticate';

/** Allow the whole API (so a cached result serves every route); routes check scopes themselves. */
function apiWildcard(methodArn: string): string {
  // arn:aws:execute-api:region:account:apiId/stage/METHOD/path...
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*/*`;
}

// Only the key lookup, on two GetItems without the AWS SDK (adapters/aws): the authorizer is on the
// path of every uncached request, so its cold start is kept small (docs/benchmarks.md).
let programs: ReturnType<typeof dynamoKeyLookup> | undefined;

export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-api-key')?.[1];
  if (!programs) {
    const { tableName, region, dynamodbEndpoint } = runtimeConfig();
    programs = dynamoKeyLookup({
      tableName,
      region,
      endpoint: dynamodbEndpoint,
      credentials: lookupCredentials(dynamodbEndpoint),
    });
  }
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
