import { describe, expect, it } from 'vitest';
import { EarningRuleSchema } from '../../../core/earning/domain';
import { auditWindfall } from '../../../core/earning/use-cases/audit-windfall';
import { earnForPurchase } from '../../../core/earning/use-cases/earn-for-purchase';
import { simulate } from '../../../core/earning/use-cases/manage-rules';
import { rotateWindfallKey } from '../../../core/programs/use-cases/manage-programs';
import { programView } from '../../../core/programs/use-cases/program-settings';
import { memoryFixture, purchase } from './fixture';

const LUCKY = {
  ruleId: 'lucky',
  kind: 'windfall',
  name: 'Lucky receipt',
  probability: '1',
  minPoints: 10,
  maxPoints: 200,
};

const breakdownOf = async (f: ReturnType<typeof memoryFixture>, programId: string, orderId: string) =>
  (await f.stores.orders.getOrder(programId, orderId))!.result.breakdown;

describe('windfall draws keyed by a program secret', () => {
  it('a new program has a windfall key that no API answer shows', async () => {
    const f = memoryFixture();
    await f.program('shop', {}, [LUCKY]);
    const program = (await f.stores.programs.getProgram('shop'))!;
    const secret = Object.values(program.windfallKeys!.keys)[0]!;

    const { result } = await earnForPurchase('shop', purchase({ amount: 10_00 }), f.deps);

    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(result.breakdown.find((l) => l.ruleId === 'lucky')?.draw).toMatchObject({
      won: true,
      key: program.windfallKeys!.current,
    });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(programView(program))).not.toContain(secret);
  });

  it('a program created before keyed draws gets its key at its first draw, and keeps it', async () => {
    const f = memoryFixture();
    await f.program('shop');
    const { windfallKeys: _none, ...unkeyed } = (await f.stores.programs.getProgram('shop'))!;
    const legacy = memoryFixture({
      programs: [unkeyed],
      rules: { shop: [EarningRuleSchema.parse({ ...LUCKY, version: 1 })] },
    });

    await earnForPurchase('shop', purchase({ orderId: 'o-1', amount: 10_00 }), legacy.deps);
    const keys = (await legacy.stores.programs.getProgram('shop'))!.windfallKeys;
    await earnForPurchase('shop', purchase({ orderId: 'o-2', amount: 10_00 }), legacy.deps);

    expect(keys?.current).toMatch(/^wk-/);
    expect((await legacy.stores.programs.getProgram('shop'))!.windfallKeys).toEqual(keys);
    expect((await breakdownOf(legacy, 'shop', 'o-2')).find((l) => l.draw)?.draw?.key).toBe(keys?.current);
  });

  it('simulate draws with a one-off key, so it never tells which order ids would win', async () => {
    const f = memoryFixture();
    await f.program('shop', {}, [LUCKY]);
    const current = (await f.stores.programs.getProgram('shop'))!.windfallKeys!.current;
    const p = { ...purchase({ orderId: 'candidate', amount: 10_00 }), channel: undefined };

    const first = await simulate('shop', { purchase: p }, f.deps);
    const second = await simulate('shop', { purchase: p }, f.deps);

    const keyOf = (s: typeof first) => s.breakdown.find((l) => l.ruleId === 'lucky')?.draw?.key;
    expect(keyOf(first)).not.toBe(current);
    expect(keyOf(second)).not.toBe(keyOf(first));
  });

  it("the operator's audit recomputes a recorded draw with the key and finds it matches", async () => {
    const f = memoryFixture();
    await f.program('shop', {}, [{ ...LUCKY, probability: '0.5' }]);
    for (const orderId of ['o-1', 'o-2', 'o-3', 'o-4']) {
      await earnForPurchase('shop', purchase({ orderId, amount: 10_00 }), f.deps);
    }

    const audits = await Promise.all(
      ['o-1', 'o-2', 'o-3', 'o-4'].map((orderId) => auditWindfall('shop', { orderId }, f.deps)),
    );

    expect(audits.flatMap((a) => a.draws).map((d) => d.matches)).toEqual([true, true, true, true]);
    expect(audits[0]!.draws[0]!.recomputed?.input).toMatch(/^windfall\.v2\|wk-[0-9a-z]+\|shop\|o-1\|lucky\|1$/);
  });

  it('an audit flags a recorded draw that does not match its recomputation', async () => {
    const f = memoryFixture();
    await f.program('shop', {}, [LUCKY]);
    await earnForPurchase('shop', purchase({ orderId: 'o-1', amount: 10_00 }), f.deps);
    const tampered = (await breakdownOf(f, 'shop', 'o-1')).find((l) => l.draw)!;
    tampered.draw!.roll = 9_999;
    const orders = {
      ...f.stores.orders,
      getOrder: async () => ({
        ...(await f.stores.orders.getOrder('shop', 'o-1'))!,
        result: { ...(await f.stores.orders.getOrder('shop', 'o-1'))!.result, breakdown: [tampered] },
      }),
    };

    const audit = await auditWindfall('shop', { orderId: 'o-1' }, { ...f.deps, orders });

    expect(audit.draws[0]).toMatchObject({ matches: false, recorded: { roll: 9_999 } });
  });

  it('after a key rotation new draws use the new key and old draws still audit', async () => {
    const f = memoryFixture();
    await f.program('shop', {}, [LUCKY]);
    await earnForPurchase('shop', purchase({ orderId: 'before', amount: 10_00 }), f.deps);

    const { keyId } = await rotateWindfallKey('shop', f.deps);
    await earnForPurchase('shop', purchase({ orderId: 'after', amount: 10_00 }), f.deps);

    expect((await breakdownOf(f, 'shop', 'after')).find((l) => l.draw)?.draw?.key).toBe(keyId);
    expect((await auditWindfall('shop', { orderId: 'before' }, f.deps)).draws[0]?.matches).toBe(true);
    expect((await auditWindfall('shop', { orderId: 'after' }, f.deps)).draws[0]?.matches).toBe(true);
  });
});
