import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authenticate } from '../core/programs/use-cases/manage-programs';
import { documentClient } from '../adapters/runtime/clients';
import { runtimeConfig } from '../adapters/runtime/config';
import { dynamoProgramRepository, type ProgramRepository } from '../adapters/dynamodb/program-repository';
import { logger } from '../adapters/runtime/observability';

/** Allow the whole API (so a cached result serves every route); routes check scopes themselves. */
function apiWildcard(methodArn: string): string {
  // arn:aws:execute-api:region:account:apiId/stage/METHOD/path...
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*/*`;
}

// Only the key lookup: the authorizer stays small (no validation or event libraries) for fast cold starts.
let programs: ProgramRepository | undefined;

export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-api-key')?.[1];
  programs ??= dynamoProgramRepository(documentClient(), runtimeConfig().tableName);
  const key = header ? await authenticate(header, { programs }) : null;
  // API Gateway turns exactly this message into a 401.
  if (!key) throw new Error('Unauthorized');
  logger.debug('authorized', { programId: key.programId, keyId: key.keyId });
  return {
    principalId: `${key.programId}/${key.keyId}`,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiWildcard(event.methodArn) }],
    },
    context: { programId: key.programId, scopes: key.scopes.join(','), keyId: key.keyId },
  };
};
