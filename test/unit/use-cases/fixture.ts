// The use cases' dependencies on the memory stores: a fixed clock, the events their writes announce,
// counted metrics.
import { type MemoryStoreOptions, memoryStores } from '../../../adapters/memory/stores';
import type { PurchaseFacts } from '../../../core/earning/domain/purchase';
import type { ReturnInput } from '../../../core/earning/schemas';
import { createRule } from '../../../core/earning/use-cases/manage-rules';
import { fixedClock } from '../../../core/kernel/clock';
import { ulid } from '../../../core/kernel/ids';
import { ledgerViolations } from '../../../core/ledger/domain/ledger';
import { allocateDebit, settle } from '../../../core/ledger/domain/member-state';
import type { Transaction } from '../../../core/ledger/domain/types';
import { getMember } from '../../../core/ledger/use-cases/members';
import { type CreateProgramInput, createProgram } from '../../../core/programs/use-cases/manage-programs';

/** A Monday: no weekend multiplier of the demo rules applies. */
export const NOW = '2026-11-23T12:00:00.000Z';
export const DAY_MS = 86_400_000;

export function memoryFixture(seed?: MemoryStoreOptions) {
  const stores = memoryStores(seed);
  const clock = fixedClock(NOW);
  // What the stream consumer would publish: the events the committed writes announce.
  let cleared = 0;
  const events = {
    get events() {
      return stores.announced().slice(cleared);
    },
    /** Forgets what was announced so far. */
    clear() {
      cleared = stores.announced().length;
    },
  };
  const counted = new Map<string, number>();
  const metrics = { count: (name: string, value = 1) => void counted.set(name, (counted.get(name) ?? 0) + value) };
  const deps = { ...stores, clock, metrics };

  async function transactions(programId: string, memberId: string): Promise<Transaction[]> {
    const all: Transaction[] = [];
    let cursor: string | null = null;
    do {
      const page = await stores.ledger.listTransactions(programId, memberId, 100, cursor);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  return {
    stores,
    deps,
    clock,
    events,
    /** How often each business metric was counted (LedgerWriteRetried: a write lost and was decided again). */
    counted: (name: string) => counted.get(name) ?? 0,
    async program(programId: string, opts: Omit<CreateProgramInput, 'programId'> = {}, rules: readonly unknown[] = []) {
      await createProgram({ programId, ...opts }, deps);
      for (const rule of rules) await createRule(programId, rule, 'test-admin', deps);
    },
    async balance(programId: string, memberId: string) {
      return (await getMember(programId, memberId, deps)).points;
    },
    transactions,
    /** What `ledgerViolations` finds in the member's stored balances, lots and transactions. */
    async violations(programId: string, memberId: string): Promise<string[]> {
      const state = await stores.ledger.loadMember(programId, memberId);
      const lots = await stores.ledger.listLots(programId, memberId);
      return ledgerViolations(state, lots, await transactions(programId, memberId));
    },
    /** Spends points the way a redemption does (nearest expiry first, never below zero), through the ledger port. */
    async spend(programId: string, memberId: string, points: number) {
      const at = clock.now().toISOString();
      const before = await stores.ledger.loadMember(programId, memberId);
      const { state } = settle(before, at);
      const { allocations, shortfall } = allocateDebit(await stores.ledger.listLots(programId, memberId), points, at);
      if (state.available < points || shortfall) throw new Error(`${memberId} cannot spend ${points} points`);
      const lots = allocations.map((a) => ({ lotId: a.lot.lotId, points: -a.points }));
      await stores.ledger.commit(
        {
          programId,
          members: [{ memberId, before, after: { ...state, available: state.available - points } }],
          lotUpdates: allocations.map((a) => ({ memberId, lot: a.lot, take: a.points })),
          transactions: [
            {
              transactionId: ulid(),
              memberId,
              type: 'redeem',
              points: -points,
              reason: 'test spend',
              source: 'redemption',
              status: 'debited',
              breakdown: [],
              lots,
              occurredAt: at,
              recordedAt: at,
            },
          ],
        },
        at,
      );
    },
  };
}

export type MemoryFixture = ReturnType<typeof memoryFixture>;

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

export function returnOf(returnId: string, extra: Partial<ReturnInput> = {}): ReturnInput {
  return { returnId, occurredAt: '2026-11-23T11:30:00Z', ...extra };
}

/** Three shirts at 20.00 and shoes at 80.00: 60 + 80 base points, and 40 more on the shoes with SHOE_BONUS. */
export const BASKET = [
  { sku: 'shirt', quantity: 3, unitPrice: 20_00 },
  { sku: 'shoes', quantity: 1, unitPrice: 80_00 },
];

export const BASE_RULE = { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } };
export const SHOE_BONUS = {
  ruleId: 'shoe-bonus',
  kind: 'product-bonus',
  name: 'Shoes bonus',
  skus: ['shoes'],
  points: 40,
};
