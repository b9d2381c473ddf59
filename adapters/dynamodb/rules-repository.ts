import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EarningRule } from '../../core/earning/domain';
import { failedConditions } from './errors';
import { keys } from './keys';

export interface RuleSet {
  rules: EarningRule[]; // the current version of every rule, active or not
  version: number; // bumps on every change: the optimistic lock of the set
}

export interface RuleChange {
  changedAt: string;
  changedBy: string; // key id of the admin key that made the change
  change: 'created' | 'updated' | 'deactivated';
}

export interface RulesRepository {
  getRuleSet(programId: string): Promise<RuleSet>;
  /** Writes the rule's new version and the new set together; false if the set changed meanwhile. */
  saveRule(programId: string, rule: EarningRule, set: RuleSet, meta: RuleChange): Promise<boolean>;
  history(programId: string, ruleId: string): Promise<(EarningRule & RuleChange)[]>;
}

export function dynamoRulesRepository(ddb: DynamoDBDocumentClient, tableName: string): RulesRepository {
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
                  Item: { ...keys.ruleVersion(programId, rule.ruleId, rule.version), entity: 'ruleVersion', programId, rule, ...meta },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.ruleSet(programId), entity: 'ruleSet', programId, rules, version: set.version + 1, updatedAt: meta.changedAt },
                  ConditionExpression: set.version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
                  ExpressionAttributeValues: set.version === 0 ? undefined : { ':v': set.version },
                },
              },
            ],
          }),
        );
        return true;
      } catch (err) {
        if (failedConditions(err)) return false;
        throw err;
      }
    },
    async history(programId, ruleId) {
      const out = await ddb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.ruleVersion(programId, ruleId, 0).pk, ':prefix': `RULE#${ruleId}#V#` },
        }),
      );
      return (out.Items ?? []).map((i) => ({ ...i.rule, changedAt: i.changedAt, changedBy: i.changedBy, change: i.change }));
    },
  };
}

/**
 * Rules are read on every earn; keep them in memory so an earn costs no read for them. A change
 * takes effect everywhere within `ttlMs` (and at once in the Lambda that made it).
 */
export function cachedRules(repo: RulesRepository, ttlMs = 30_000, now: () => number = Date.now): RulesRepository {
  const cache = new Map<string, { value: RuleSet; until: number }>();
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
