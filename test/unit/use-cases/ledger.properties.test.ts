import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoEarningRules } from '../../../core/earning/domain';
import type { PurchaseFacts } from '../../../core/earning/domain/purchase';
import { OrderConflict, OrderNotFound } from '../../../core/earning/errors';
import type { EarnResult, ReturnResult } from '../../../core/earning/ports';
import type { ReturnInput } from '../../../core/earning/schemas';
import { earnForPurchase } from '../../../core/earning/use-cases/earn-for-purchase';
import { recordReturn } from '../../../core/earning/use-cases/record-return';
import { IdempotencyConflict, Unprocessable } from '../../../core/kernel/errors';
import type { ReturnPolicy } from '../../../core/programs/domain/program';
import { type MemoryFixture, memoryFixture } from './fixture';

const MEMBERS = ['ann', 'bob', 'cat'];
const ORDERS = ['o0', 'o1', 'o2', 'o3', 'o4'];
const SKUS = ['tea', 'mug', 'pot'];

type Item = { sku: string; quantity: number; unitPrice: number };
type Buy = { op: 'buy'; order: number; member: number; amount: number; items: Item[] | undefined };
type Return = { op: 'return'; order: number; id: number; amount: number | undefined; sku: string | undefined };
type Spend = { op: 'spend'; member: number; points: number };
/** Sends again, exactly, a purchase sent before. */
type Replay = { op: 'replay'; pick: number };
type Later = { op: 'later'; hours: number };
type Single = Buy | Return | Spend | Replay;
/** Two operations at once: each may lose a condition to the other and decide again. */
type Race = { op: 'race'; ops: [Single, Single] };

const item: fc.Arbitrary<Item> = fc.record({
  sku: fc.constantFrom(...SKUS),
  quantity: fc.integer({ min: 1, max: 3 }),
  unitPrice: fc.nat(5_000),
});
const buy: fc.Arbitrary<Buy> = fc.record({
  op: fc.constant('buy'),
  order: fc.nat(ORDERS.length - 1),
  member: fc.nat(MEMBERS.length - 1),
  amount: fc.nat(20_000),
  items: fc.option(fc.uniqueArray(item, { minLength: 1, maxLength: 3, selector: (i) => i.sku }), { nil: undefined }),
});
const ret: fc.Arbitrary<Return> = fc.record({
  op: fc.constant('return'),
  order: fc.nat(ORDERS.length - 1),
  id: fc.nat(3),
  amount: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
  sku: fc.option(fc.constantFrom(...SKUS), { nil: undefined }),
});
const spend: fc.Arbitrary<Spend> = fc.record({
  op: fc.constant('spend'),
  member: fc.nat(MEMBERS.length - 1),
  points: fc.integer({ min: 1, max: 150 }),
});
const replay: fc.Arbitrary<Replay> = fc.record({ op: fc.constant('replay'), pick: fc.nat() });
const later: fc.Arbitrary<Later> = fc.record({ op: fc.constant('later'), hours: fc.integer({ min: 1, max: 72 }) });
const single: fc.Arbitrary<Single> = fc.oneof(buy, ret, spend, replay);
const race: fc.Arbitrary<Race> = fc.record({ op: fc.constant('race'), ops: fc.tuple(single, single) });

/** What was sent and what came back, to check every replay against. */
interface Sent {
  purchases: { facts: PurchaseFacts; result: EarnResult }[];
  returns: Map<string, { input: ReturnInput; result: ReturnResult }>;
  /** Outcomes that said "credited" (not replayed), by order. */
  credited: Map<string, number>;
}

/** Rejections the operation may meet (a reused id, too much returned, an order not bought); anything else fails. */
const only =
  (...types: (abstract new (...args: never[]) => Error)[]) =>
  (e: unknown): undefined => {
    if (!types.some((t) => e instanceof t)) throw e;
    return undefined;
  };

function purchaseOf(op: Buy, occurredAt: string): PurchaseFacts {
  const amount = op.items ? op.items.reduce((s, i) => s + i.quantity * i.unitPrice, 0) : op.amount;
  const ids = { orderId: ORDERS[op.order]!, memberId: MEMBERS[op.member]! };
  return { ...ids, occurredAt, currency: 'USD', amount, ...(op.items ? { items: op.items } : {}) };
}

async function earn(f: MemoryFixture, sent: Sent, facts: PurchaseFacts, isReplay: boolean) {
  const outcome = await earnForPurchase('p', facts, f.deps).catch(only(OrderConflict));
  if (!outcome) return;
  // A duplicate racing its original may finish first: whichever is seen first is the reference.
  const first = sent.purchases.find((s) => s.facts.orderId === facts.orderId);
  if (first) expect(outcome.result).toEqual(first.result);
  else sent.purchases.push({ facts, result: outcome.result });
  if (isReplay) expect(outcome.replayed).toBe(true);
  if (!outcome.replayed) sent.credited.set(facts.orderId, (sent.credited.get(facts.orderId) ?? 0) + 1);
}

async function giveBack(f: MemoryFixture, sent: Sent, op: Return, occurredAt: string) {
  const orderId = ORDERS[op.order]!;
  const returnId = `${orderId}-r${op.id}`;
  const earlier = sent.returns.get(returnId);
  const what = op.sku ? { items: [{ sku: op.sku, quantity: 1 }] } : op.amount ? { amount: op.amount } : {};
  const input: ReturnInput = earlier?.input ?? { returnId, occurredAt, ...what };
  const outcome = await recordReturn('p', orderId, input, f.deps).catch(
    only(Unprocessable, OrderNotFound, IdempotencyConflict),
  );
  if (!outcome) return;
  if (earlier) expect(outcome).toEqual({ replayed: true, result: earlier.result });
  else if (!outcome.replayed) sent.returns.set(returnId, { input, result: outcome.result });
}

async function run(f: MemoryFixture, sent: Sent, op: Single | Later): Promise<void> {
  const at = new Date(f.clock.now().getTime() - 60_000).toISOString();
  if (op.op === 'later') return void f.clock.advance(op.hours * 3_600_000);
  // A spend the member cannot afford, or that loses a race, is simply not made.
  if (op.op === 'spend') return f.spend('p', MEMBERS[op.member]!, op.points).catch(() => {});
  if (op.op === 'buy') return earn(f, sent, purchaseOf(op, at), false);
  if (op.op === 'replay') {
    const earlier = sent.purchases[op.pick % Math.max(1, sent.purchases.length)];
    return earlier && earn(f, sent, earlier.facts, true);
  }
  return giveBack(f, sent, op, at);
}

describe('the ledger under any sequence of purchases, returns, spends and replays', () => {
  it('stays sound for every member, credits each order once and never takes back more than it earned', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(single, later, race), { minLength: 1, maxLength: 16 }),
        fc.constantFrom<{ returnPolicy: ReturnPolicy; pendingDays: number }>(
          { returnPolicy: 'cap-at-balance', pendingDays: 0 },
          { returnPolicy: 'cap-at-balance', pendingDays: 2 },
          { returnPolicy: 'negative-balance', pendingDays: 0 },
          { returnPolicy: 'negative-balance', pendingDays: 2 },
        ),
        async (ops, settings) => {
          const f = memoryFixture({ rules: { p: demoEarningRules() } });
          await f.program('p', settings);
          const sent: Sent = { purchases: [], returns: new Map(), credited: new Map() };

          for (const op of ops) {
            if (op.op === 'race') await Promise.all(op.ops.map((o) => run(f, sent, o)));
            else await run(f, sent, op);
          }

          for (const memberId of MEMBERS) expect(await f.violations('p', memberId)).toEqual([]);
          const credits = (await Promise.all(MEMBERS.map((m) => f.transactions('p', m))))
            .flat()
            .filter((t) => t.type === 'earn' && t.source === 'purchase');
          for (const orderId of ORDERS) {
            const order = await f.stores.orders.getOrder('p', orderId);
            expect(credits.filter((t) => t.orderId === orderId)).toHaveLength(order ? 1 : 0);
            expect(sent.credited.get(orderId) ?? 0).toBe(order ? 1 : 0);
            if (order) expect(order.returned.points).toBeLessThanOrEqual(order.result.points);
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
