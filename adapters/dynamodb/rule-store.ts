import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { RuleStore } from '../../core/earning/ports';
import { WriteConflict } from '../../core/kernel/retry';
import { toWriteConflict } from './errors';
import { collections, keys } from './keys';
import { queryPrefix } from './query';

export function dynamoRuleStore(ddb: DynamoDBDocumentClient, tableName: string): RuleStore {
  return {
    async getRuleSet(programId) {
      const { Item } = await ddb.send(new GetCommand({ TableName: tableName, Key: keys.ruleSet(programId) }));
      return { rules: Item?.rules ?? [], version: Item?.version ?? 0 };
    },
    async saveRule(programId, rule, set, meta) {
      const rules = [...set.rules.filter((r) => r.ruleId !== rule.ruleId), rule];
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...keys.ruleVersion(programId, rule.ruleId, rule.version),
                    entity: 'ruleVersion',
                    programId,
                    rule,
                    ...meta,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...keys.ruleSet(programId),
                    entity: 'ruleSet',
                    programId,
                    rules,
                    version: set.version + 1,
                    updatedAt: meta.changedAt,
                  },
                  ConditionExpression: set.version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
                  ExpressionAttributeValues: set.version === 0 ? undefined : { ':v': set.version },
                },
              },
            ],
          }),
        );
        return true;
      } catch (err) {
        const conflict = toWriteConflict(err, ['rule', 'set']);
        if (conflict instanceof WriteConflict && !conflict.busy) return false;
        throw conflict;
      }
    },
    async history(programId, ruleId) {
      const { pk, prefix } = collections.ruleVersions(programId, ruleId);
      const items = await queryPrefix(ddb, tableName, pk, prefix);
      return items.map((i) => ({ ...i.rule, changedAt: i.changedAt, changedBy: i.changedBy, change: i.change }));
    },
  };
}

/**
 * Rules are read on every earn; keep them in memory so an earn costs no read for them. A change
 * takes effect everywhere within `ttlMs` (and at once in the Lambda that made it).
 */
export function cachedRules(repo: RuleStore, ttlMs = 30_000, now: () => number = Date.now): RuleStore {
  const cache = new Map<string, { value: Awaited<ReturnType<RuleStore['getRuleSet']>>; until: number }>();
  return {
    ...repo,
    async getRuleSet(programId) {
      const hit = cache.get(programId);
      if (hit && hit.until > now()) return hit.value;
      const value = await repo.getRuleSet(programId);
      cache.set(programId, { value, until: now() + ttlMs });
      return value;
    },
    async saveRule(programId, rule, set, meta) {
      const ok = await repo.saveRule(programId, rule, set, meta);
      cache.delete(programId);
      return ok;
    },
  };
}
