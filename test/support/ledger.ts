import { dynamoStores } from '../../adapters/dynamodb/stores';
import { memoryPublisher } from '../../adapters/memory/publisher';
import type { PurchaseFacts } from '../../core/earning/domain/purchase';
import { fixedClock } from '../../core/kernel/clock';
import type { Scope } from '../../core/programs/domain/program';
import { type CreateProgramInput, createApiKey, createProgram } from '../../core/programs/use-cases/manage-programs';
import { tableEvents } from './stream';
import { createTestTable } from './table';

/**
 * Real repositories on a fresh DynamoDB Local table, a fixed clock, and the events its stream
 * announces (`await events.drain()` reads what was committed since; `events.events` holds them all).
 */
export async function ledgerFixture(now = '2026-11-23T12:00:00.000Z') {
  const table = await createTestTable('ledger');
  const clock = fixedClock(now);
  const events = tableEvents(table);
  // The jobs' outbox job publishes what it finds in the index (entries older than the stream): here, to a log.
  const outbox = memoryPublisher();
  const deps = {
    ...dynamoStores(table.ddb, table.tableName, { cache: false }),
    events: outbox,
    clock,
  };
  return {
    ...table,
    deps,
    clock,
    events,
    outbox,
    async program(programId: string, opts: Omit<CreateProgramInput, 'programId'> = {}) {
      return createProgram({ programId, ...opts }, deps);
    },
    async key(programId: string, scopes: Scope[]) {
      return (await createApiKey(programId, scopes, deps)).apiKey;
    },
  };
}

export function purchase(overrides: Partial<PurchaseFacts> = {}): PurchaseFacts {
  return {
    orderId: 'order-1',
    memberId: 'alice',
    occurredAt: '2026-11-23T11:00:00Z',
    currency: 'USD',
    amount: 12_99,
    ...overrides,
  };
}
