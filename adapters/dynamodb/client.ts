import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEPENDENCY_TIMEOUTS, localCredentials, runtimeConfig } from '../runtime/config';

let ddb: DynamoDBDocumentClient | undefined;

/** The function's client: created once per cold start and reused by every invocation. */
export function documentClient(): DynamoDBDocumentClient {
  if (!ddb) {
    const { region, dynamodbEndpoint } = runtimeConfig();
    ddb = createDocumentClient({ region, endpoint: dynamodbEndpoint });
  }
  return ddb;
}

export function createDocumentClient(opts: { region?: string; endpoint?: string }): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: opts.region ?? 'us-east-1',
    endpoint: opts.endpoint,
    ...localCredentials(opts.endpoint),
    ...DEPENDENCY_TIMEOUTS,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
