import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoLedgerRepository } from './ledger-repository';
import { cachedPrograms, dynamoProgramRepository } from './program-repository';
import { cachedRules, dynamoRulesRepository } from './rules-repository';

/** Every repository on one table. In Lambdas program settings and rules are cached; tools that must see writes at once pass cache: false. */
export function repositories(ddb: DynamoDBDocumentClient, tableName: string, opts: { cache?: boolean } = {}) {
  const cache = opts.cache ?? true;
  const programs = dynamoProgramRepository(ddb, tableName);
  const rules = dynamoRulesRepository(ddb, tableName);
  return {
    ledger: dynamoLedgerRepository(ddb, tableName),
    programs: cache ? cachedPrograms(programs) : programs,
    rules: cache ? cachedRules(rules) : rules,
  };
}
