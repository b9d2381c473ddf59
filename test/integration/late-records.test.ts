import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooLate } from '../../core/earning/errors';
import { earnForPurchase } from '../../core/earning/use-cases/earn-for-purchase';
import { createRule } from '../../core/earning/use-cases/manage-rules';
import { recordEngagement } from '../../core/earning/use-cases/record-engagement';
import { recordReturn } from '../../core/earning/use-cases/record-return';
import { Unprocessable, ValidationFailed } from '../../core/kernel/errors';
import { enrolOrUpdateMember, getMember } from '../../core/ledger/use-cases/members';
import { ledgerFixture, purchase } from '../support/ledger';

const DAY_MS = 86_400_000;

/** The backdating attacks, on DynamoDB Local: each limit and cap pays what it allows, no more. */
describe('late records (DynamoDB Local)', () => {
  let f: Awaited<ReturnType<typeof ledgerFixture>>;
  let n = 0;
  const fresh = () => `late${++n}`;
  const rule = (p: string, body: Record<string, unknown>) => createRule(p, body, 'admin', f.deps);
  const event = (eventId: string, type: string, occurredAt: string) => ({ eventId, memberId: 'eve', type, occurredAt });
  const ago = (days: number) => new Date(f.clock.now().getTime() - days * DAY_MS).toISOString();

  beforeAll(async () => {
    f = await ledgerFixture('2026-01-10T12:00:00.000Z');
  });
  afterAll(() => f.drop());

  async function program(opts: { latenessDays?: number } = {}) {
    const p = fresh();
    await f.program(p, opts);
    await rule(p, {
      ruleId: 'birthday',
      kind: 'event',
      name: 'B',
      eventType: 'birthday',
      points: 200,
      limits: [{ period: 'year', max: 1 }],
    });
    await rule(p, { ruleId: 'cap', kind: 'cap', name: 'Daily cap', per: 'day', maxPoints: 10_000 });
    await enrolOrUpdateMember(p, 'eve', { email: 'eve@example.com' }, `enrol-${p}`, f.deps);
    return p;
  }

  it('year 0001 is a TooLate naming occurredAt, and nothing is written', async () => {
    const p = await program();
    const before = await f.scanAll();

    const earn = earnForPurchase(
      p,
      purchase({ orderId: 'o0', memberId: 'eve', occurredAt: '0001-01-01T00:00:00Z' }),
      f.deps,
    );

    await expect(earn).rejects.toBeInstanceOf(TooLate);
    await expect(earn).rejects.toMatchObject({ errors: [{ field: 'occurredAt' }] });
    expect(await f.scanAll()).toEqual(before);
  });

  it('a once-a-year birthday sent 10 times with alternating 2024/2025 dates pays once', async () => {
    const p = await program();
    const dates = ['2024-12-20', '2025-12-20'];

    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 10; i++) {
      const occurredAt = `${dates[i % 2]}T10:00:00Z`;
      outcomes.push(
        await recordEngagement(p, event(`b${i}`, 'birthday', occurredAt), f.deps).then(
          ({ result }) => result.points,
          (err) => (err instanceof TooLate ? 'too-late' : Promise.reject(err)),
        ),
      );
      f.clock.advance(60_000);
    }

    expect(outcomes.filter((o) => o === 200)).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'too-late')).toHaveLength(5);
    expect((await getMember(p, 'eve', f.deps)).points.available).toBe(200);
  });

  it('a 10,000-point daily cap lets 10,000 through for a day, however the purchases are dated', async () => {
    const p = await program({ latenessDays: 7 });
    const day = ago(2);
    let credited = 0;
    for (let i = 0; i < 5; i++) {
      const { result } = await earnForPurchase(
        p,
        purchase({ orderId: `big-${i}`, memberId: 'eve', amount: 10_000_00, occurredAt: day }),
        f.deps,
      );
      credited += result.points;
      f.clock.advance(3 * 3_600_000); // the member's next write comes on another real day
    }

    expect(credited).toBe(10_000);
  });

  it('the member item keeps the counters of every period inside the window, and only those', async () => {
    const p = await program({ latenessDays: 7 });
    await earnForPurchase(p, purchase({ orderId: 'c1', memberId: 'eve', amount: 5_00, occurredAt: ago(6) }), f.deps);
    f.clock.advance(3 * DAY_MS);
    await earnForPurchase(p, purchase({ orderId: 'c2', memberId: 'eve', amount: 7_00, occurredAt: ago(0) }), f.deps);

    const counters = (await f.deps.ledger.loadMember(p, 'eve')).counters;
    const days = Object.keys(counters).filter((k) => k.startsWith('u#day:'));

    expect(days).toEqual([`u#day:${ago(0).slice(0, 10)}`]); // six days before the first write is now 9 days ago
  });

  it('a return is refused before its purchase (422), in the future (400) or too late (422 too-late)', async () => {
    const p = await program();
    await earnForPurchase(p, purchase({ orderId: 'r-o', memberId: 'eve', amount: 50_00, occurredAt: ago(1) }), f.deps);
    const before = await f.scanAll();
    const back = (returnId: string, occurredAt: string) =>
      recordReturn(p, 'r-o', { returnId, occurredAt, amount: 10_00 }, f.deps);

    await expect(back('r1', ago(2))).rejects.toBeInstanceOf(Unprocessable);
    await expect(back('r2', '9999-01-01T00:00:00Z')).rejects.toBeInstanceOf(ValidationFailed);
    f.clock.advance(40 * DAY_MS);
    await expect(back('r3', ago(35))).rejects.toBeInstanceOf(TooLate);
    expect(await f.scanAll()).toEqual(before);
  });
});
