import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ProgramSettings } from '../../core/programs/domain/program';
import { ProgramExists, ProgramNotFound } from '../../core/programs/errors';
import type { ProgramStore, StoredApiKey } from '../../core/programs/ports';
import { TOUCH_KEY, toProgram, toStoredApiKey } from './entities/program';
import { collections, keys } from './keys';
import { batchGet, queryPrefix } from './query';

export function dynamoProgramStore(ddb: DynamoDBDocumentClient, tableName: string): ProgramStore {
  return {
    async getProgram(programId) {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.program(programId) }));
      return Item ? toProgram(Item) : null;
    },
    async updateProgram(programId, changes, now) {
      const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
      const names = Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k]));
      const values = Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v]));
      try {
        const { Attributes } = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.program(programId),
            UpdateExpression: `SET ${[...entries.map((_, i) => `#f${i} = :v${i}`), 'updatedAt = :now'].join(', ')}`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: entries.length ? names : undefined,
            ExpressionAttributeValues: { ...values, ':now': now },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toProgram(Attributes!);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) throw new ProgramNotFound(programId);
        throw err;
      }
    },
    async ensureWindfallKeys(programId, windfallKeys) {
      try {
        const { Attributes } = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.program(programId),
            UpdateExpression: 'SET windfallKeys = if_not_exists(windfallKeys, :keys)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':keys': windfallKeys },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toProgram(Attributes!);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) throw new ProgramNotFound(programId);
        throw err;
      }
    },
    async createProgram(settings) {
      try {
        await ddb.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.program(settings.programId), entity: 'program', ...settings },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) throw new ProgramExists(settings.programId);
        throw err;
      }
    },
    async putApiKey(keyHash, key) {
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.apiKey(keyHash), entity: 'apiKey', ...key },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...keys.programApiKey(key.programId, key.keyId),
                    entity: 'programApiKey',
                    programId: key.programId,
                    keyId: key.keyId,
                    keyHash,
                    createdAt: key.createdAt,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof TransactionCanceledException) return false;
        throw err;
      }
    },
    async listApiKeys(programId) {
      const { pk, prefix } = collections.apiKeys(programId);
      const listed = await queryPrefix(ddb, tableName, pk, prefix, { ConsistentRead: true });
      const keysOut: StoredApiKey[] = [];
      for (let i = 0; i < listed.length; i += 100) {
        const chunk = listed.slice(i, i + 100);
        const found = await batchGet(
          ddb,
          tableName,
          chunk.map((l) => keys.apiKey(l.keyHash)),
        );
        for (const l of chunk) {
          const item = found.get(keys.apiKey(l.keyHash));
          if (item) keysOut.push(toStoredApiKey(item));
        }
      }
      return keysOut.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
    },
    async endApiKey(programId, keyId, ending) {
      const { Item: listed } = await ddb.send(
        new GetCommand({ TableName: tableName, Key: keys.programApiKey(programId, keyId), ConsistentRead: true }),
      );
      if (!listed) return null;
      // An expiry never moves later than one already set; a revocation keeps the first instant.
      const [field, at] = 'revokedAt' in ending ? ['revokedAt', ending.revokedAt] : ['expiresAt', ending.expiresAt];
      try {
        const { Attributes } = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.apiKey(listed.keyHash),
            UpdateExpression: 'SET #f = :at',
            ConditionExpression: 'programId = :p AND (attribute_not_exists(#f) OR #f > :at)',
            ExpressionAttributeNames: { '#f': field },
            ExpressionAttributeValues: { ':at': at, ':p': programId },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes ? toStoredApiKey(Attributes) : null;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        const { Item } = await ddb.send(
          new GetCommand({ TableName: tableName, Key: keys.apiKey(listed.keyHash), ConsistentRead: true }),
        );
        return Item && Item.programId === programId ? toStoredApiKey(Item) : null;
      }
    },
    async touchApiKey(keyHash, day) {
      await touchKey(ddb, tableName, keyHash, day);
    },
    async getApiKey(keyHash) {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.apiKey(keyHash) }));
      return Item ? toStoredApiKey(Item) : null;
    },
  };
}

/**
 * Program settings change rarely and are read on every earn: keep them in memory for a short
 * while, so an earn costs no read for them. A settings change takes effect within `ttlMs`.
 */
export function cachedPrograms(repo: ProgramStore, ttlMs = 60_000, now: () => number = Date.now): ProgramStore {
  const cache = new Map<string, { value: ProgramSettings | null; until: number }>();
  return {
    ...repo,
    async updateProgram(programId, changes, at) {
      const updated = await repo.updateProgram(programId, changes, at);
      cache.set(programId, { value: updated, until: now() + ttlMs });
      return updated;
    },
    async ensureWindfallKeys(programId, keys) {
      const stored = await repo.ensureWindfallKeys(programId, keys);
      cache.set(programId, { value: stored, until: now() + ttlMs });
      return stored;
    },
    async getProgram(programId) {
      const hit = cache.get(programId);
      if (hit && hit.until > now()) return hit.value;
      const value = await repo.getProgram(programId);
      // Unknown programs are cached briefly too, so a bad producer cannot hammer the table.
      cache.set(programId, { value, until: now() + (value ? ttlMs : Math.min(ttlMs, 5_000)) });
      return value;
    },
  };
}

async function touchKey(ddb: DynamoDBDocumentClient, tableName: string, keyHash: string, day: string) {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.apiKey(keyHash),
        ...TOUCH_KEY,
        ExpressionAttributeValues: { ':d': day },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}
