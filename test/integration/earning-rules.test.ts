import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collections, keys } from '../../adapters/dynamodb/keys';
import { RuleExists } from '../../core/earning/errors';
import { earnForPurchase } from '../../core/earning/use-cases/earn-for-purchase';
import {
  backtest,
  createRule,
  deactivateRule,
  getRule,
  listRules,
  simulate,
  updateRule,
} from '../../core/earning/use-cases/manage-rules';
import { recordEngagement } from '../../core/earning/use-cases/record-engagement';
import { ConcurrentChange, IdempotencyConflict, ValidationFailed } from '../../core/kernel/errors';
import { ledgerViolations } from '../../core/ledger/domain/ledger';
import { enrolOrUpdateMember, getMember, listMemberTransactions } from '../../core/ledger/use-cases/members';
import { ledgerFixture, purchase } from '../support/ledger';

const NOW_ISO = '2026-11-23T12:00:00.000Z';

/** Earning rules managed through the admin use cases, applied by real earns on DynamoDB Local. */
describe('earning rules (DynamoDB Local)', () => {
  let f: Awaited<ReturnType<typeof ledgerFixture>>;
  let n = 0;
  const fresh = () => `p${++n}`;
  const rule = (programId: string, body: Record<string, unknown>) => createRule(programId, body, 'admin-key', f.deps);

  beforeAll(async () => {
    f = await ledgerFixture('2026-11-23T12:00:00.000Z'); // a Monday
  });
  afterAll(() => f.drop());

  it('a base rule replaces the flat rate: points per unit per currency, excluded categories earn nothing', async () => {
    const p = fresh();
    await f.program(p, { currency: 'USD' });
    await rule(p, {
      ruleId: 'base',
      kind: 'base',
      name: 'Base',
      pointsPerUnit: { USD: '2' },
      exclude: { categories: ['gift-card'] },
    });
    const { result } = await earnForPurchase(
      p,
      purchase({
        orderId: 'o1',
        amount: 70_00,
        items: [
          { sku: 'mug', quantity: 2, unitPrice: 10_00 },
          { sku: 'gc', quantity: 1, unitPrice: 50_00, category: 'gift-card' },
        ],
      }),
      f.deps,
    );
    expect(result.points).toBe(40);
    expect(result.breakdown).toEqual([
      expect.objectContaining({ rule: 'base', ruleId: 'base', version: 1, points: 40 }),
    ]);
  });

  it('an inactive rule never switches default earning off: no base rule in force, pointsPerUnit earns', async () => {
    const p = fresh();
    await f.program(p, { currency: 'USD', pointsPerUnit: 1 });
    await rule(p, { ruleId: 'welcome', kind: 'first-purchase', name: 'Welcome', points: 100, active: false });

    const { result } = await earnForPurchase(p, purchase({ orderId: 'o1', amount: 100_00 }), f.deps);

    expect(result.points).toBe(100);
    expect(result.breakdown).toEqual([expect.objectContaining({ rule: 'base', ruleId: 'program-base', points: 100 })]);
  });

  it('stacks base, multipliers and bonuses, records each rule and version in the breakdown', async () => {
    const p = fresh();
    await f.program(p);
    await rule(p, { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } });
    await rule(p, {
      ruleId: 'coffee',
      kind: 'multiplier',
      name: 'Coffee x2',
      target: { by: 'category', categories: ['coffee'] },
      factor: '2',
    });
    await rule(p, {
      ruleId: 'app',
      kind: 'multiplier',
      name: 'App x1.5',
      target: { by: 'channel', channels: ['app'] },
      factor: '1.5',
    });
    await rule(p, { ruleId: 'welcome', kind: 'first-purchase', name: 'Welcome', points: 100 });
    await rule(p, {
      ruleId: 'big',
      kind: 'order-threshold',
      name: 'Big basket',
      points: 50,
      minSpend: { USD: 100_00 },
    });
    const { result } = await earnForPurchase(
      p,
      purchase({
        orderId: 'o1',
        amount: 120_00,
        channel: 'app',
        items: [
          { sku: 'beans', quantity: 1, unitPrice: 20_00, category: 'coffee' },
          { sku: 'grinder', quantity: 1, unitPrice: 100_00 },
        ],
      }),
      f.deps,
    );
    // base 120, app +60 (0.5 x 120), coffee +20, welcome 100, big basket 50; same-priority rules run in id order
    expect(result.points).toBe(350);
    expect(result.breakdown.map((l) => [l.ruleId, l.points])).toEqual([
      ['base', 120],
      ['app', 60],
      ['coffee', 20],
      ['welcome', 100],
      ['big', 50],
    ]);
    const second = await earnForPurchase(p, purchase({ orderId: 'o2', amount: 10_00 }), f.deps);
    expect(second.result.breakdown.map((l) => l.ruleId)).not.toContain('welcome');
  });

  it('a campaign applies only inside its window, days and hours in the program time zone', async () => {
    const p = fresh();
    await f.program(p, { currency: 'USD' });
    await f.deps.programs.updateProgram(p, { timeZone: 'America/New_York' }, '2026-11-23T12:00:00Z');
    await rule(p, { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } });
    await rule(p, {
      ruleId: 'happy',
      kind: 'multiplier',
      name: 'Happy hour',
      target: { by: 'order' },
      factor: '3',
      schedule: { daysOfWeek: ['mon'], hours: { start: '17:00', end: '19:00' } },
    });
    // 22:30 UTC on Monday = 17:30 in New York: inside; 16:30 UTC = 11:30 in New York: outside.
    const inside = await earnForPurchase(
      p,
      purchase({ orderId: 'in', amount: 10_00, occurredAt: '2026-11-16T22:30:00Z' }),
      f.deps,
    );
    const outside = await earnForPurchase(
      p,
      purchase({ orderId: 'out', amount: 10_00, occurredAt: '2026-11-16T16:30:00Z' }),
      f.deps,
    );
    expect(inside.result.points).toBe(30);
    expect(outside.result.points).toBe(10);
  });

  it("multipliers by SKU, and by tier from the program's tier set, apply to the matching base points", async () => {
    const p = fresh();
    await f.program(p);
    await f.deps.programs.updateProgram(
      p,
      {
        tierSet: {
          metric: 'points',
          window: { kind: 'calendar', period: 'year' },
          review: { graceUntilEndOfNextPeriod: true, dropMode: 'one-tier' },
          tiers: [
            { id: 'base', name: 'Base', threshold: 0, multiplier: 1, attributes: {} },
            { id: 'vip', name: 'VIP', threshold: 100, multiplier: 2, attributes: {} },
          ],
        },
      },
      NOW_ISO,
    );
    await rule(p, { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } });
    await rule(p, {
      ruleId: 'mug-x3',
      kind: 'multiplier',
      name: 'Mugs x3',
      target: { by: 'sku', skus: ['mug'] },
      factor: '3',
    });
    const first = await earnForPurchase(
      p,
      purchase({
        orderId: 't1',
        amount: 150_00,
        items: [
          { sku: 'mug', quantity: 1, unitPrice: 10_00 },
          { sku: 'lamp', quantity: 1, unitPrice: 140_00 },
        ],
      }),
      f.deps,
    );
    expect(first.result.points).toBe(170); // 150 base + 20 (mug x3); this earn lifts the member to VIP
    expect((await getMember(p, 'alice', f.deps)).tier).toBe('vip');
    const second = await earnForPurchase(p, purchase({ orderId: 't2', amount: 50_00 }), f.deps);
    expect(second.result.breakdown.map((l) => [l.ruleId, l.points])).toEqual([
      ['base', 50],
      ['tier-vip', 50],
    ]);
  });

  it('an exclusive rule stops the chain after it', async () => {
    const p = fresh();
    await f.program(p);
    await rule(p, { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } });
    await rule(p, {
      ruleId: 'mega',
      kind: 'multiplier',
      name: 'Mega x5',
      target: { by: 'order' },
      factor: '5',
      exclusive: true,
      priority: 100,
    });
    await rule(p, { ruleId: 'small', kind: 'multiplier', name: 'Small x2', target: { by: 'order' }, factor: '2' });
    await rule(p, { ruleId: 'welcome', kind: 'first-purchase', name: 'Welcome', points: 100 });
    const { result } = await earnForPurchase(p, purchase({ orderId: 'o', amount: 10_00 }), f.deps);
    expect(result.breakdown.map((l) => l.ruleId)).toEqual(['base', 'mega']);
    expect(result.points).toBe(50);
  });

  it('caps cut per transaction and per member per day, and say so in the breakdown', async () => {
    const p = fresh();
    await f.program(p);
    await rule(p, { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } });
    await rule(p, { ruleId: 'tx-cap', kind: 'cap', name: 'Per order', per: 'transaction', maxPoints: 500 });
    await rule(p, { ruleId: 'day-cap', kind: 'cap', name: 'Per day', per: 'day', maxPoints: 800 });
    const first = await earnForPurchase(p, purchase({ orderId: 'a', amount: 1_000_00 }), f.deps);
    expect(first.result.points).toBe(500);
    expect(first.result.breakdown.slice(-2)).toMatchObject([
      { ruleId: 'day-cap', points: -200, capped: true },
      { ruleId: 'tx-cap', points: -300, capped: true },
    ]);
    const second = await earnForPurchase(p, purchase({ orderId: 'b', amount: 1_000_00 }), f.deps);
    expect(second.result.points).toBe(300);
    const third = await earnForPurchase(p, purchase({ orderId: 'c', amount: 10_00 }), f.deps);
    expect(third.result.points).toBe(0);
    f.clock.advance(86_400_000);
    const nextDay = await earnForPurchase(
      p,
      purchase({ orderId: 'd', amount: 10_00, occurredAt: '2026-11-24T11:00:00Z' }),
      f.deps,
    );
    expect(nextDay.result.points).toBe(10);
    f.clock.set('2026-11-23T12:00:00.000Z');
  });

  it('a per-day cap holds under concurrent purchases by the same member', async () => {
    const p = fresh();
    await f.program(p);
    await rule(p, { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } });
    await rule(p, { ruleId: 'day-cap', kind: 'cap', name: 'Per day', per: 'day', maxPoints: 250 });
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => earnForPurchase(p, purchase({ orderId: `c${i}`, amount: 100_00 }), f.deps)),
    );
    expect((await getMember(p, 'alice', f.deps)).points.available).toBe(250);
  });

  it('the windfall draw is keyed by the program secret: replays never re-roll, simulations never tell', async () => {
    const p = fresh();
    await f.program(p);
    await rule(p, { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } });
    await rule(p, {
      ruleId: 'lucky',
      kind: 'windfall',
      name: 'Lucky',
      probability: '1',
      minPoints: 10,
      maxPoints: 500,
    });
    const first = await earnForPurchase(p, purchase({ orderId: 'w', amount: 10_00 }), f.deps);
    const line = first.result.breakdown.find((l) => l.ruleId === 'lucky')!;
    expect(line.points).toBeGreaterThanOrEqual(10);
    const keys = (await f.deps.programs.getProgram(p))!.windfallKeys!;
    expect(line.draw).toMatchObject({ won: true, key: keys.current });
    const sim = await simulate(p, { purchase: { ...purchase({ orderId: 'w', amount: 10_00 }) } as never }, f.deps);
    expect(sim.breakdown.find((l) => l.ruleId === 'lucky')!.draw?.key).not.toBe(keys.current);
    const stored = JSON.stringify(await f.scanAll());
    expect(stored.split(keys.keys[keys.current]!).length - 1).toBe(1); // on the program item, nowhere else
    const replay = await earnForPurchase(p, purchase({ orderId: 'w', amount: 10_00 }), f.deps);
    expect(replay.result).toEqual(first.result);
  });

  it('a program stored before keyed draws gets one key at its first draws, even concurrent ones', async () => {
    const p = fresh();
    await f.program(p);
    await f.ddb.send(
      new UpdateCommand({ TableName: f.tableName, Key: keys.program(p), UpdateExpression: 'REMOVE windfallKeys' }),
    );
    await rule(p, { ruleId: 'lucky', kind: 'windfall', name: 'Lucky', probability: '1', minPoints: 1, maxPoints: 9 });

    const earns = await Promise.all(
      ['a', 'b', 'c', 'd'].map((m) => earnForPurchase(p, purchase({ orderId: `k-${m}`, memberId: m }), f.deps)),
    );

    const stored = (await f.deps.programs.getProgram(p))!.windfallKeys!;
    expect(Object.keys(stored.keys)).toEqual([stored.current]);
    expect(earns.map((e) => e.result.breakdown.find((l) => l.draw)?.draw?.key)).toEqual(Array(4).fill(stored.current));
  });

  it(
    'rules are versioned: an update is a new version, the transaction records the version applied, history keeps ' +
      'every version',
    async () => {
      const p = fresh();
      await f.program(p);
      await rule(p, { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } });
      const v1 = await earnForPurchase(p, purchase({ orderId: 'v1', amount: 10_00 }), f.deps);
      const updated = await updateRule(
        p,
        'base',
        { kind: 'base', name: 'Base x3', pointsPerUnit: { USD: '3' } },
        'admin-key',
        f.deps,
      );
      expect(updated.version).toBe(2);
      const v2 = await earnForPurchase(p, purchase({ orderId: 'v2', amount: 10_00 }), f.deps);
      expect(v1.result.breakdown[0]).toMatchObject({ ruleId: 'base', version: 1, points: 10 });
      expect(v2.result.breakdown[0]).toMatchObject({ ruleId: 'base', version: 2, points: 30 });
      await deactivateRule(p, 'base', 'admin-key', f.deps);
      const { rule: current, history } = await getRule(p, 'base', f.deps);
      expect(current).toMatchObject({ version: 3, active: false });
      expect(history.map((h) => [h.version, h.change])).toEqual([
        [1, 'created'],
        [2, 'updated'],
        [3, 'deactivated'],
      ]);
      // No active base rule: the program's flat rate (1 per dollar) earns again.
      const v3 = await earnForPurchase(p, purchase({ orderId: 'v3', amount: 10_00 }), f.deps);
      expect(v3.result.breakdown).toEqual([expect.objectContaining({ ruleId: 'program-base', points: 10 })]);
      expect((await listRules(p, f.deps)).items).toHaveLength(1);
    },
  );

  it('rejects an invalid rule naming each bad field, a duplicate id, and concurrent edits never lose one', async () => {
    const p = fresh();
    await f.program(p);
    const bad = await rule(p, { kind: 'multiplier', name: '', factor: '0.5', target: { by: 'planet' } }).catch(
      (e) => e,
    );
    expect(bad).toBeInstanceOf(ValidationFailed);
    expect((bad as ValidationFailed).errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['name', 'factor', 'target.by']),
    );
    await rule(p, { ruleId: 'x', kind: 'first-purchase', name: 'X', points: 1 });
    await expect(rule(p, { ruleId: 'x', kind: 'first-purchase', name: 'X', points: 1 })).rejects.toBeInstanceOf(
      RuleExists,
    );
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => rule(p, { ruleId: `r${i}`, kind: 'first-purchase', name: 'R', points: i })),
    );
    const saved = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrentChange);
    expect((await listRules(p, f.deps)).items).toHaveLength(1 + saved);
  });

  it('simulate evaluates a proposed rule set for a purchase or an event and writes nothing', async () => {
    const p = fresh();
    await f.program(p);
    const before = await f.scanAll();
    const sim = await simulate(
      p,
      {
        purchase: purchase({ orderId: 'sim', amount: 40_00 }) as never,
        rules: [
          { ruleId: 'b', kind: 'base', name: 'B', pointsPerUnit: { USD: '10' } },
          { ruleId: 'c', kind: 'cap', name: 'C', per: 'transaction', maxPoints: 100 },
        ],
      },
      f.deps,
    );
    expect(sim).toMatchObject({ rules: 'proposed', points: 100 });
    const ev = await simulate(
      p,
      {
        event: { eventId: 'e', memberId: 'm', type: 'review.posted', occurredAt: '2026-11-23T10:00:00Z' },
        rules: [{ ruleId: 'rv', kind: 'event', name: 'Review', eventType: 'review.posted', points: 25 }],
      },
      f.deps,
    );
    expect(ev.points).toBe(25);
    expect(await f.scanAll()).toEqual(before);
  });

  it('backtest compares a proposed rule set with what stored purchases of a date range were awarded', async () => {
    const p = fresh();
    await f.program(p);
    // Months of history: recorded as a backfill (the live path accepts 30 days late).
    const history = { backfill: true };
    await earnForPurchase(
      p,
      purchase({ orderId: 'h1', memberId: 'ann', amount: 10_00, occurredAt: '2026-10-05T10:00:00Z' }),
      f.deps,
      undefined,
      history,
    );
    await earnForPurchase(
      p,
      purchase({ orderId: 'h2', memberId: 'bob', amount: 30_00, occurredAt: '2026-11-02T10:00:00Z' }),
      f.deps,
      undefined,
      history,
    );
    await earnForPurchase(
      p,
      purchase({ orderId: 'h3', memberId: 'bob', amount: 5_00, occurredAt: '2026-08-01T10:00:00Z' }),
      f.deps,
      undefined,
      history,
    );
    const report = await backtest(
      p,
      {
        from: '2026-10-01T00:00:00Z',
        to: '2026-11-30T00:00:00Z',
        top: 10,
        rules: [{ ruleId: 'b2', kind: 'base', name: 'Double', pointsPerUnit: { USD: '2' } }],
      },
      f.deps,
    );
    expect(report).toMatchObject({ purchases: 2, awarded: 40, proposed: 80, delta: 40 });
    expect(report.perRule).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ruleId: 'b2', awarded: 0, proposed: 80 }),
        expect.objectContaining({ ruleId: 'program-base', awarded: 40, proposed: 0 }),
      ]),
    );
    expect(report.mostAffectedMembers[0]).toMatchObject({ memberId: 'bob', awarded: 30, proposed: 60, delta: 30 });
  });
});

describe('engagement events (DynamoDB Local)', () => {
  let f: Awaited<ReturnType<typeof ledgerFixture>>;
  const ev = (eventId: string, type = 'review.posted', occurredAt = '2026-11-23T10:00:00Z') => ({
    eventId,
    memberId: 'eve',
    type,
    occurredAt,
  });

  beforeAll(async () => {
    f = await ledgerFixture('2026-11-23T12:00:00.000Z');
    await f.program('eng');
    await createRule(
      'eng',
      {
        ruleId: 'review',
        kind: 'event',
        name: 'Review',
        eventType: 'review.posted',
        points: 25,
        limits: [
          { period: 'day', max: 1 },
          { period: 'month', max: 2 },
        ],
      },
      'k',
      f.deps,
    );
    await createRule(
      'eng',
      { ruleId: 'custom', kind: 'event', name: 'Quiz', eventType: 'quiz.completed', points: 5 },
      'k',
      f.deps,
    );
    await enrolOrUpdateMember('eng', 'eve', { email: 'eve@example.com' }, 'r', f.deps);
  });
  afterAll(() => f.drop());

  it('credits an event exactly once by event id; a different event under the same id is a conflict', async () => {
    const first = await recordEngagement('eng', ev('e1'), f.deps);
    expect(first).toMatchObject({ replayed: false, result: { points: 25 } });
    const again = await recordEngagement('eng', ev('e1'), f.deps);
    expect(again).toEqual({ replayed: true, result: first.result });
    await expect(recordEngagement('eng', ev('e1', 'quiz.completed'), f.deps)).rejects.toBeInstanceOf(
      IdempotencyConflict,
    );
  });

  it('limits per member per day and per month apply, and the result says why nothing was earned', async () => {
    const sameDay = await recordEngagement('eng', ev('e2'), f.deps);
    expect(sameDay.result.points).toBe(0);
    expect(sameDay.result.notRewarded[0]).toMatchObject({ ruleId: 'review' });
    f.clock.set('2026-11-24T12:00:00.000Z');
    expect(
      (await recordEngagement('eng', ev('e3', 'review.posted', '2026-11-24T10:00:00Z'), f.deps)).result.points,
    ).toBe(25);
    f.clock.set('2026-11-25T12:00:00.000Z');
    expect(
      (await recordEngagement('eng', ev('e4', 'review.posted', '2026-11-25T10:00:00Z'), f.deps)).result.points,
    ).toBe(0); // month max 2
  });

  it('custom event types earn by their own rule; concurrent duplicates credit once', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        recordEngagement('eng', ev('q1', 'quiz.completed', '2026-11-25T10:00:00Z'), f.deps),
      ),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const txs = await listMemberTransactions('eng', 'eve', { limit: 100 }, f.deps);
    expect(txs.items.filter((t) => t.eventId === 'q1')).toHaveLength(1);
  });
});

describe('referrals (DynamoDB Local)', () => {
  let f: Awaited<ReturnType<typeof ledgerFixture>>;

  beforeAll(async () => {
    f = await ledgerFixture('2026-11-23T12:00:00.000Z');
    await f.program('ref');
    await createRule('ref', { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } }, 'k', f.deps);
    await createRule(
      'ref',
      {
        ruleId: 'refer',
        kind: 'referral',
        name: 'Refer a friend',
        referrerPoints: 500,
        refereePoints: 200,
        minSpend: { USD: 20_00 },
        maxRewardsPerReferrer: 1,
      },
      'k',
      f.deps,
    );
  });
  afterAll(() => f.drop());

  it("a referred member's first qualifying purchase credits both sides, once, up to the referrer cap", async () => {
    const { member: rita } = await enrolOrUpdateMember('ref', 'rita', { name: 'Rita' }, 'r1', f.deps);
    expect(rita.referralCode).toMatch(/^[0-9A-Z]{8}$/);
    await enrolOrUpdateMember('ref', 'sam', { referralCode: rita.referralCode! }, 'r2', f.deps);
    await enrolOrUpdateMember('ref', 'tom', { referralCode: rita.referralCode! }, 'r3', f.deps);

    const small = await earnForPurchase('ref', purchase({ orderId: 's0', memberId: 'sam', amount: 5_00 }), f.deps);
    expect(small.result.breakdown.map((l) => l.ruleId)).not.toContain('refer'); // below the minimum: not yet
    const qualifying = await earnForPurchase(
      'ref',
      purchase({ orderId: 's1', memberId: 'sam', amount: 30_00 }),
      f.deps,
    );
    expect(qualifying.result.breakdown.find((l) => l.ruleId === 'refer')).toMatchObject({ points: 200 });
    expect((await getMember('ref', 'rita', f.deps)).points.available).toBe(500);
    const again = await earnForPurchase('ref', purchase({ orderId: 's2', memberId: 'sam', amount: 30_00 }), f.deps);
    expect(again.result.breakdown.map((l) => l.ruleId)).not.toContain('refer');
    // Tom qualifies too, but Rita has reached the cap of one referral reward.
    const tom = await earnForPurchase('ref', purchase({ orderId: 't1', memberId: 'tom', amount: 30_00 }), f.deps);
    expect(tom.result.breakdown.map((l) => l.ruleId)).not.toContain('refer');
    expect((await getMember('ref', 'rita', f.deps)).points.available).toBe(500);
  });

  it('crediting a referrer also activates their matured pending points, in the same write', async () => {
    await f.program('ref-held', { pendingDays: 1 });
    await createRule(
      'ref-held',
      { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } },
      'k',
      f.deps,
    );
    await createRule(
      'ref-held',
      { ruleId: 'refer', kind: 'referral', name: 'Refer', referrerPoints: 50, refereePoints: 0 },
      'k',
      f.deps,
    );
    const { member: ref } = await enrolOrUpdateMember('ref-held', 'ria', {}, 'h1', f.deps);
    await earnForPurchase('ref-held', purchase({ orderId: 'h-ria', memberId: 'ria', amount: 20_00 }), f.deps);
    await enrolOrUpdateMember('ref-held', 'ned', { referralCode: ref.referralCode! }, 'h2', f.deps);
    f.clock.advance(2 * 86_400_000);
    await earnForPurchase(
      'ref-held',
      purchase({ orderId: 'h-ned', memberId: 'ned', amount: 10_00, occurredAt: '2026-11-25T10:00:00Z' }),
      f.deps,
    );
    const items = (await f.scanAll()).filter((i) => i.pk === collections.member('ref-held', 'ria'));
    const profile = items.find((i) => i.sk === 'PROFILE')!;
    expect(profile).toMatchObject({ available: 70, pending: 0, pendingLots: [] });
    const lots = items.filter((i) => i.entity === 'lot');
    expect(lots.every((l) => !String(l.gsi1pk ?? '').startsWith('DUE#ACTIVATE#'))).toBe(true);
    expect(
      ledgerViolations(
        { ...profile, debt: profile.debt ?? 0 } as never,
        lots as never,
        items.filter((i) => i.entity === 'tx') as never,
      ),
    ).toEqual([]);
    f.clock.set(NOW_ISO);
  });

  it('no self-referral, and a code is set only before the first purchase', async () => {
    const { member: una } = await enrolOrUpdateMember('ref', 'una', {}, 'r4', f.deps);
    await expect(
      enrolOrUpdateMember('ref', 'una', { referralCode: una.referralCode! }, 'r5', f.deps),
    ).rejects.toBeInstanceOf(ValidationFailed);
    await earnForPurchase('ref', purchase({ orderId: 'v1', memberId: 'vic', amount: 1_00 }), f.deps);
    await expect(
      enrolOrUpdateMember('ref', 'vic', { referralCode: una.referralCode! }, 'r6', f.deps),
    ).rejects.toBeInstanceOf(ValidationFailed);
    await expect(enrolOrUpdateMember('ref', 'wes', { referralCode: 'ZZZZZZZZ' }, 'r7', f.deps)).rejects.toBeInstanceOf(
      ValidationFailed,
    );
  });
});
