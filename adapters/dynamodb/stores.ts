import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoAuditStore } from './audit-store';
import { dynamoCatalogStore } from './catalog-store';
import { dynamoConnectorStore } from './connector-store';
import { dynamoCouponStore } from './coupon-store';
import { dynamoDonationStore } from './donation-store';
import { dynamoDueWork } from './due-work-store';
import { dynamoLedgerStore } from './ledger-store';
import { dynamoAdjustmentStore, dynamoMemberDirectory } from './operator-store';
import { dynamoOrderStore } from './order-store';
import { cachedProducers, dynamoProducerStore } from './producer-store';
import { cachedPrograms, dynamoProgramStore } from './program-store';
import { dynamoRedemptionStore } from './redemption-store';
import { cachedRules, dynamoRuleStore } from './rule-store';

/**
 * Every store on one table. In Lambdas program settings and rules are cached; tools that must
 * see writes at once pass cache: false.
 */
export function dynamoStores(ddb: DynamoDBDocumentClient, tableName: string, opts: { cache?: boolean } = {}) {
  const cache = opts.cache ?? true;
  const programs = dynamoProgramStore(ddb, tableName);
  const rules = dynamoRuleStore(ddb, tableName);
  const producers = dynamoProducerStore(ddb, tableName);
  return {
    ledger: dynamoLedgerStore(ddb, tableName),
    orders: dynamoOrderStore(ddb, tableName),
    programs: cache ? cachedPrograms(programs) : programs,
    producers: cache ? cachedProducers(producers) : producers,
    rules: cache ? cachedRules(rules) : rules,
    due: dynamoDueWork(ddb, tableName),
    catalog: dynamoCatalogStore(ddb, tableName),
    redemptions: dynamoRedemptionStore(ddb, tableName),
    coupons: dynamoCouponStore(ddb, tableName),
    donations: dynamoDonationStore(ddb, tableName),
    adjustments: dynamoAdjustmentStore(ddb, tableName),
    directory: dynamoMemberDirectory(ddb, tableName),
    audit: dynamoAuditStore(ddb, tableName),
    connectors: dynamoConnectorStore(ddb, tableName),
  };
}

export type Stores = ReturnType<typeof dynamoStores>;
