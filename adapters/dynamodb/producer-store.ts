import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Producer } from '../../core/programs/domain/producers';
import type { ProducerStore } from '../../core/programs/ports';
import { collections, keys } from './keys';
import { queryPrefix } from './query';

/** The account part of the key: a registration without an account means the platform's own. */
const OWN = 'OWN';

export function dynamoProducerStore(ddb: DynamoDBDocumentClient, tableName: string): ProducerStore {
  return {
    async listProducers(programId) {
      const { pk, prefix } = collections.producers(programId);
      const items = await queryPrefix(ddb, tableName, pk, prefix, { ConsistentRead: true });
      return items.map((i) => ({ source: i.source, account: i.account ?? null, addedAt: i.addedAt }));
    },
    async addProducer(programId, producer: Producer) {
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...keys.producer(programId, producer.source, producer.account ?? OWN),
              entity: 'producer',
              programId,
              ...producer,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },
    async removeProducer(programId, source, account) {
      try {
        await ddb.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.producer(programId, source, account ?? OWN),
            ConditionExpression: 'attribute_exists(pk)',
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },
  };
}

/**
 * The consumer checks producers on every event: keep each program's list for `ttlMs`. A fresh
 * read (the check does one before refusing an event) goes to the table at most once per
 * `freshMs` per program and reason (source and account), so a registration takes effect at once
 * while an unregistered producer sending in a loop costs one read per `freshMs`, not one per event.
 */
export function cachedProducers(
  store: ProducerStore,
  ttlMs = 30_000,
  freshMs = 1_000,
  now: () => number = Date.now,
): ProducerStore {
  const cache = new Map<string, { value: Producer[]; readAt: number }>();
  const freshReads = new Map<string, number>();
  return {
    ...store,
    async listProducers(programId, opts) {
      const hit = cache.get(programId);
      if (opts?.freshFor === undefined) {
        if (hit && now() - hit.readAt < ttlMs) return hit.value;
      } else {
        const reason = `${programId} ${opts.freshFor}`;
        const last = freshReads.get(reason);
        if (hit && last !== undefined && now() - last < freshMs) return hit.value;
        freshReads.set(reason, now());
        if (freshReads.size > 10_000) freshReads.clear(); // a flood of made-up sources cannot grow it
      }
      const value = await store.listProducers(programId);
      cache.set(programId, { value, readAt: now() });
      return value;
    },
    async addProducer(programId, producer) {
      cache.delete(programId);
      return store.addProducer(programId, producer);
    },
    async removeProducer(programId, source, account) {
      cache.delete(programId);
      return store.removeProducer(programId, source, account);
    },
  };
}
