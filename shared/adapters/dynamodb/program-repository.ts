import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { ProgramSettings, Scope } from '../../domain/types';
import { ProgramExists } from '../../errors';
import { keys } from './keys';

export interface StoredApiKey {
  keyId: string;
  programId: string;
  scopes: Scope[];
  label?: string;
  createdAt: string;
}

export interface ProgramRepository {
  getProgram(programId: string): Promise<ProgramSettings | null>;
  createProgram(settings: ProgramSettings): Promise<void>;
  putApiKey(keyHash: string, key: StoredApiKey): Promise<void>;
  getApiKey(keyHash: string): Promise<StoredApiKey | null>;
}

export function dynamoProgramRepository(ddb: DynamoDBDocumentClient, tableName: string): ProgramRepository {
  return {
    async getProgram(programId) {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.program(programId) }));
      if (!Item) return null;
      const { programId: id, name, currency, pointsPerUnit, autoEnrol, createdAt } = Item;
      return { programId: id, name, currency, pointsPerUnit, autoEnrol, createdAt };
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
      await ddb.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.apiKey(keyHash), entity: 'apiKey', ...key },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async getApiKey(keyHash) {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.apiKey(keyHash) }));
      if (!Item) return null;
      const { keyId, programId, scopes, label, createdAt } = Item;
      return { keyId, programId, scopes, label, createdAt };
    },
  };
}

/**
 * Program settings change rarely and are read on every earn: keep them in memory for a short
 * while, so an earn costs no read for them. A settings change takes effect within `ttlMs`.
 */
export function cachedPrograms(repo: ProgramRepository, ttlMs = 60_000, now: () => number = Date.now): ProgramRepository {
  const cache = new Map<string, { value: ProgramSettings | null; until: number }>();
  return {
    ...repo,
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
