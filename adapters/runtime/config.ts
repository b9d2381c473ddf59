/** Environment read once per cold start; a missing variable fails fast with its name. */
export interface RuntimeConfig {
  tableName: string;
  eventBusName: string;
  region: string;
  /** Local runs only: DynamoDB Local and the local PutEvents endpoint. */
  dynamodbEndpoint?: string;
  eventBridgeEndpoint?: string;
}

let cached: RuntimeConfig | undefined;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

export function runtimeConfig(): RuntimeConfig {
  cached ??= {
    // Read when used: the stream consumer publishes and never touches the table.
    get tableName() {
      return required('TABLE_NAME');
    },
    eventBusName: process.env.EVENT_BUS_NAME ?? 'default',
    region: process.env.AWS_REGION ?? 'us-east-1',
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    eventBridgeEndpoint: process.env.EVENTBRIDGE_ENDPOINT || undefined,
  };
  return cached;
}

/**
 * How long an AWS client waits on a dependency: a connection that is not up in 1 s will not come
 * (in-region connects take milliseconds), a request that has not answered in 5 s is retried, and
 * 3 attempts in all, so a dependency that is down is known (and answered 503) within about a
 * second when it refuses connections, about 3 s when it does not answer at all.
 */
export const DEPENDENCY_TIMEOUTS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
} as const;

/** Local engines accept any credentials; real AWS uses the default provider chain. */
export function localCredentials(endpoint: string | undefined) {
  return endpoint && !process.env.AWS_ACCESS_KEY_ID
    ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {};
}
