// The authorizer's reads (an API key by its hash, then its program's settings) without the AWS SDK:
// two GetItems through adapters/aws/aws-json.ts, and at most once a day per key an UpdateItem of the
// day it was last used. Same keys, item mappers and expressions as program-store.ts.
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ProgramStore } from '../../core/programs/ports';
import { type AwsJsonOptions, awsJsonClient, environmentCredentials } from '../aws/aws-json';
import type { AwsCredentials } from '../aws/sigv4';
import { TOUCH_KEY, toProgram, toStoredApiKey } from './entities/program';
import { type ItemKey, keys } from './keys';

type KeyLookup = Pick<ProgramStore, 'getApiKey' | 'getProgram' | 'touchApiKey'>;

export function dynamoKeyLookup(opts: {
  tableName: string;
  region: string;
  endpoint?: string;
  credentials?: () => AwsCredentials;
  client?: Partial<AwsJsonOptions>;
}): KeyLookup {
  const client = awsJsonClient({
    service: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    region: opts.region,
    endpoint: opts.endpoint,
    credentials: opts.credentials,
    ...opts.client,
  });
  const get = async (key: ItemKey) => {
    const out = await client.call<{ Item?: Record<string, any> }>('GetItem', {
      TableName: opts.tableName,
      Key: { pk: { S: key.pk }, sk: { S: key.sk } },
    });
    return out.Item ? unmarshall(out.Item) : null;
  };
  return {
    async getApiKey(keyHash) {
      const item = await get(keys.apiKey(keyHash));
      return item ? toStoredApiKey(item) : null;
    },
    async getProgram(programId) {
      const item = await get(keys.program(programId));
      return item ? toProgram(item) : null;
    },
    async touchApiKey(keyHash, day) {
      const key = keys.apiKey(keyHash);
      try {
        await client.call('UpdateItem', {
          TableName: opts.tableName,
          Key: { pk: { S: key.pk }, sk: { S: key.sk } },
          ...TOUCH_KEY,
          ExpressionAttributeValues: { ':d': { S: day } },
        });
      } catch (err) {
        if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      }
    },
  };
}

/** Local engines take any credentials; on AWS the environment holds the function role's. */
export function lookupCredentials(endpoint: string | undefined): () => AwsCredentials {
  return endpoint && !process.env.AWS_ACCESS_KEY_ID
    ? () => ({ accessKeyId: 'local', secretAccessKey: 'local' })
    : environmentCredentials;
}
