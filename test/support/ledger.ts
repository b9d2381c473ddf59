import { fixedClock } from '../../core/kernel/clock';
import { repositories } from '../../adapters/dynamodb/repositories';
import { memoryPublisher } from '../../adapters/eventbridge/publisher';
import { createProgram, createApiKey, type CreateProgramInput } from '../../core/programs/use-cases/manage-programs';
import type { PurchaseFacts } from '../../core/ledger/domain/ledger';
import type { Scope } from '../../core/ledger/domain/types';
import { createTestTable } from './table';

/** Real repositories on a fresh DynamoDB Local table, a fixed clock and an in-memory event log. */
export async function ledgerFixture(now = '2026-11-23T12:00:00.000Z') {
  const table = await createTestTable('ledger');
  const clock = fixedClock(now);
  const events = memoryPublisher();
  const deps = {
    ...repositories(table.ddb, table.tableName, { cache: false }),
    events,
    clock,
  };
  return {
    ...table,
    deps,
    clock,
    events,
    async program(programId: string, opts: Omit<CreateProgramInput, 'programId'> = {}) {
      return createProgram({ programId, ...opts }, deps);
    },
    async key(programId: string, scopes: Scope[]) {
      return (await createApiKey(programId, scopes, deps)).apiKey;
    },
  };
}

export function purchase(overrides: Partial<PurchaseFacts> = {}): PurchaseFacts {
  return { orderId: 'order-1', memberId: 'alice', occurredAt: '2026-11-23T11:00:00Z', currency: 'USD', amount: 12_99, ...overrides };
}
