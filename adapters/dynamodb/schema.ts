/**
 * The table's attribute and index names: the stateful stack creates the table from them, the key
 * builders (keys.ts) fill them. Indexes are named after the access patterns they serve.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  indexes: {
    /** Time-based due work (pending activation, expiry, tier review, notices), sharded by date. */
    byDueDate: { name: 'byDueDate', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** A program's history by date (its purchases, for backtests), one partition per month. */
    byProgramDate: { name: 'byProgramDate', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

export const INDEX_NAMES: readonly string[] = Object.values(TABLE_SCHEMA.indexes).map((index) => index.name);
