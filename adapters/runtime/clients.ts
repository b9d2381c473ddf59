import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { runtimeConfig } from './config';

/** SDK clients, created once per cold start and reused by every invocation. */
let ddb: DynamoDBDocumentClient | undefined;
let eventBridge: EventBridgeClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  if (!ddb) {
    const { region, dynamodbEndpoint } = runtimeConfig();
    ddb = createDocumentClient({ region, endpoint: dynamodbEndpoint });
  }
  return ddb;
}

export function eventBridgeClient(): EventBridgeClient {
  if (!eventBridge) {
    const { region, eventBridgeEndpoint } = runtimeConfig();
    eventBridge = new EventBridgeClient({ region, endpoint: eventBridgeEndpoint, maxAttempts: 3, ...localCredentials(eventBridgeEndpoint) });
  }
  return eventBridge;
}

export function createDocumentClient(opts: { region?: string; endpoint?: string }): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: opts.region ?? 'us-east-1',
    endpoint: opts.endpoint,
    ...localCredentials(opts.endpoint),
    maxAttempts: 5,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Local engines accept any credentials; real AWS uses the default provider chain. */
function localCredentials(endpoint: string | undefined) {
  return endpoint && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
}
