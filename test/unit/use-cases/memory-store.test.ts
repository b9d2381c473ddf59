// The memory stores' own contract: the conditions and tags of the DynamoDB adapter, all or nothing.
import { describe, expect, it } from 'vitest';
import { memoryStores } from '../../../adapters/memory/stores';
import { demoEarningRules } from '../../../core/earning/domain';
import type { OrderRecorded } from '../../../core/earning/ports';
import type { OutboxRecorded, ScheduleMoved, ScheduleSet } from '../../../core/jobs/ports';
import { fixedClock } from '../../../core/kernel/clock';
import { WriteConflict } from '../../../core/kernel/retry';
import { type MemberState, NEW_MEMBER } from '../../../core/ledger/domain/member-state';
import type { Lot, Transaction } from '../../../core/ledger/domain/types';
import type { LedgerWrite, WriteRecord } from '../../../core/ledger/ports';
import { ProgramExists, ProgramNotFound } from '../../../core/programs/errors';
import { createProgram } from '../../../core/programs/use-cases/manage-programs';
import { NOW, purchase } from './fixture';

const P = 'shop';

const lot = (lotId: string, over: Partial<Lot> = {}): Lot => ({
  lotId,
  amount: 10,
  remaining: 10,
  earnedAt: NOW,
  availableAt: NOW,
  expiresAt: null,
  source: 'purchase',
  reason: 'test',
  ...over,
});

const tx = (transactionId: string, memberId: string, points: number): Transaction => ({
  transactionId,
  memberId,
  type: points >= 0 ? 'earn' : 'redeem',
  points,
  reason: 'test',
  source: 'admin',
  status: points >= 0 ? 'credited' : 'debited',
  breakdown: [],
  lots: [],
  occurredAt: NOW,
  recordedAt: NOW,
});

const state = (over: Partial<MemberState> = {}): MemberState => ({ ...NEW_MEMBER, ...over });

const orderRecorded = (orderId: string, memberId = 'ann'): OrderRecorded => ({
  kind: 'order-recorded',
  order: {
    purchase: purchase({ orderId, memberId }),
    fingerprint: `fp-${orderId}`,
    result: { transactionId: `t-${orderId}`, orderId, memberId, points: 10, status: 'credited', breakdown: [] },
    itemPoints: [],
    lot: null,
    returned: { points: 0, amount: 0, quantities: {} },
    version: 0,
    recordedAt: NOW,
  },
});

/** Ann enrolled with one lot of 10 points, at version 1. */
async function annWithALot() {
  const stores = memoryStores();
  await stores.ledger.commit(
    {
      programId: P,
      members: [
        {
          memberId: 'ann',
          before: NEW_MEMBER,
          after: state({ exists: true, available: 10 }),
          enrol: { via: 'api', now: NOW },
        },
      ],
      lotPuts: [{ memberId: 'ann', lot: lot('L1') }],
      transactions: [tx('T1', 'ann', 10)],
    },
    NOW,
  );
  return { stores, ann: await stores.ledger.loadMember(P, 'ann') };
}

const conflictOf = async (p: Promise<unknown>): Promise<WriteConflict> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WriteConflict);
  return err as WriteConflict;
};

describe('memory stores: member versions', () => {
  it('a committed member write moves the version on by one', async () => {
    const { stores, ann } = await annWithALot();

    await stores.ledger.commit({ programId: P, members: [{ memberId: 'ann', before: ann, after: ann }] }, NOW);

    expect([ann.version, (await stores.ledger.loadMember(P, 'ann')).version]).toEqual([1, 2]);
  });

  it('a write under a version that is no longer stored is a conflict tagged member:<id>', async () => {
    const { stores, ann } = await annWithALot();
    await stores.ledger.commit({ programId: P, members: [{ memberId: 'ann', before: ann, after: ann }] }, NOW);

    const stale = stores.ledger.commit({ programId: P, members: [{ memberId: 'ann', before: ann, after: ann }] }, NOW);

    expect((await conflictOf(stale)).tags).toEqual(['member:ann']);
  });

  it('enrolling a member who already exists is a conflict', async () => {
    const { stores } = await annWithALot();

    const again = stores.ledger.commit(
      { programId: P, members: [{ memberId: 'ann', before: NEW_MEMBER, after: state() }] },
      NOW,
    );

    expect((await conflictOf(again)).tags).toEqual(['member:ann']);
  });

  it('a member only a profile update wrote is at version 0 and takes a write under it once', async () => {
    const stores = memoryStores();
    await stores.ledger.upsertMember(P, 'bob', { name: 'Bob' }, 'req-1', NOW);
    const bob = await stores.ledger.loadMember(P, 'bob');
    const write: LedgerWrite = {
      programId: P,
      members: [{ memberId: 'bob', before: bob, after: { ...bob, available: 5 } }],
    };

    await stores.ledger.commit(write, NOW);

    expect([bob.exists, bob.version]).toEqual([true, 0]);
    expect((await conflictOf(stores.ledger.commit(write, NOW))).tags).toEqual(['member:bob']);
  });

  it('a member write keeps the profile: a referrer set meanwhile by a profile update survives it', async () => {
    const { stores, ann } = await annWithALot();
    await stores.ledger.upsertMember(P, 'ann', { referredBy: 'rita' }, 'req-1', NOW);

    await stores.ledger.commit({ programId: P, members: [{ memberId: 'ann', before: ann, after: ann }] }, NOW);

    expect((await stores.ledger.loadMember(P, 'ann')).referredBy).toBe('rita');
  });

  it('counters are written by difference: one dropped from the state is gone, the others stay', async () => {
    const { stores, ann } = await annWithALot();
    const counted = { ...ann, counters: { 'u#day:2026-11-23': 10, 'u#ever': 10 } };
    await stores.ledger.commit({ programId: P, members: [{ memberId: 'ann', before: ann, after: counted }] }, NOW);
    const before = await stores.ledger.loadMember(P, 'ann');

    await stores.ledger.commit(
      { programId: P, members: [{ memberId: 'ann', before, after: { ...before, counters: { 'u#ever': 20 } } }] },
      NOW,
    );

    expect((await stores.ledger.loadMember(P, 'ann')).counters).toEqual({ 'u#ever': 20 });
  });
});

describe('memory stores: lots', () => {
  const take = (ann: MemberState, updates: { lotId: string; take: number; activated?: boolean }[]): LedgerWrite => ({
    programId: P,
    members: [{ memberId: 'ann', before: ann, after: ann }],
    lotUpdates: updates.map((u) => ({ memberId: 'ann', lot: lot(u.lotId), take: u.take, activated: u.activated })),
  });

  it('a lot gives up to what it holds: taking all of it leaves it empty and out of the listed lots', async () => {
    const { stores, ann } = await annWithALot();

    await stores.ledger.commit(take(ann, [{ lotId: 'L1', take: 10 }]), NOW);

    expect(await stores.ledger.listLots(P, 'ann')).toEqual([]);
  });

  it('taking more than a lot holds is a conflict tagged lot:<id>', async () => {
    const { stores, ann } = await annWithALot();

    const overdraw = stores.ledger.commit(take(ann, [{ lotId: 'L1', take: 11 }]), NOW);

    expect((await conflictOf(overdraw)).tags).toEqual(['lot:L1']);
    expect((await stores.ledger.listLots(P, 'ann'))[0]!.remaining).toBe(10);
  });

  it('a lot that was never written cannot be taken from', async () => {
    const { stores, ann } = await annWithALot();

    expect((await conflictOf(stores.ledger.commit(take(ann, [{ lotId: 'L9', take: 0 }]), NOW))).tags).toEqual([
      'lot:L9',
    ]);
  });

  it('two updates of the same lot in one write are merged: their takes add up against what it holds', async () => {
    const { stores, ann } = await annWithALot();

    const both = stores.ledger.commit(
      take(ann, [
        { lotId: 'L1', take: 6, activated: true },
        { lotId: 'L1', take: 6 },
      ]),
      NOW,
    );

    expect((await conflictOf(both)).tags).toEqual(['lot:L1']);
    await stores.ledger.commit(
      take(ann, [
        { lotId: 'L1', take: 4, activated: true },
        { lotId: 'L1', take: 6 },
      ]),
      NOW,
    );
    expect(await stores.ledger.listLots(P, 'ann')).toEqual([]);
  });

  it('a new lot must not exist yet', async () => {
    const { stores, ann } = await annWithALot();

    const again = stores.ledger.commit(
      {
        programId: P,
        members: [{ memberId: 'ann', before: ann, after: ann }],
        lotPuts: [{ memberId: 'ann', lot: lot('L1') }],
      },
      NOW,
    );

    expect((await conflictOf(again)).tags).toEqual(['lot:L1']);
  });

  it('lots list nearest expiry first, never-expiring last; lotsExpiringBy stops at its instant', async () => {
    const { stores, ann } = await annWithALot();
    const lotPuts = [
      { memberId: 'ann', lot: lot('L3', { expiresAt: '2027-03-01T00:00:00.000Z' }) },
      { memberId: 'ann', lot: lot('L2', { expiresAt: '2027-01-01T00:00:00.000Z' }) },
    ];
    await stores.ledger.commit({ programId: P, members: [{ memberId: 'ann', before: ann, after: ann }], lotPuts }, NOW);

    expect((await stores.ledger.listLots(P, 'ann')).map((l) => l.lotId)).toEqual(['L2', 'L3', 'L1']);
    expect((await stores.ledger.lotsExpiringBy(P, 'ann', '2027-01-01T00:00:00.000Z')).map((l) => l.lotId)).toEqual([
      'L2',
    ]);
    expect((await stores.ledger.memberWithLots(P, 'ann')).lots.map((l) => l.lotId)).toEqual(['L2', 'L3', 'L1']);
  });
});

describe('memory stores: records', () => {
  const withRecords = (ann: MemberState, records: WriteRecord[]): LedgerWrite => ({
    programId: P,
    members: [{ memberId: 'ann', before: ann, after: ann }],
    records,
  });

  it('an order is recorded once: a second record of it is a conflict tagged order', async () => {
    const { stores, ann } = await annWithALot();
    await stores.ledger.commit(withRecords(ann, [orderRecorded('o1')]), NOW);
    const now = await stores.ledger.loadMember(P, 'ann');

    const again = stores.ledger.commit(withRecords(now, [orderRecorded('o1')]), NOW);

    expect((await conflictOf(again)).tags).toEqual(['order']);
    expect(await stores.orders.getOrder(P, 'o1')).toMatchObject({ fingerprint: 'fp-o1', version: 0 });
  });

  it("an order's returned totals change only at the version they were read at", async () => {
    const { stores, ann } = await annWithALot();
    await stores.ledger.commit(withRecords(ann, [orderRecorded('o1')]), NOW);
    const returned = {
      kind: 'order-returned',
      orderId: 'o1',
      returned: { points: 5, amount: 5_00, quantities: {} },
      version: 0,
    };
    await stores.ledger.commit(withRecords(await stores.ledger.loadMember(P, 'ann'), [returned]), NOW);

    const stale = stores.ledger.commit(withRecords(await stores.ledger.loadMember(P, 'ann'), [returned]), NOW);

    expect((await conflictOf(stale)).tags).toEqual(['order']);
    expect(await stores.orders.getOrder(P, 'o1')).toMatchObject({ returned: { points: 5 }, version: 1 });
  });

  it('return and event guards are written once (tags return, event) and read back with their result', async () => {
    const { stores, ann } = await annWithALot();
    const guards = [
      {
        kind: 'return-recorded',
        returnId: 'r1',
        orderId: 'o1',
        input: { returnId: 'r1', occurredAt: NOW },
        fingerprint: 'fr',
        result: { n: 1 },
      },
      {
        kind: 'event-recorded',
        eventId: 'e1',
        event: { eventId: 'e1', memberId: 'ann', type: 'x', occurredAt: NOW },
        fingerprint: 'fe',
        result: { n: 2 },
      },
    ];
    await stores.ledger.commit(withRecords(ann, guards), NOW);

    const again = stores.ledger.commit(withRecords(await stores.ledger.loadMember(P, 'ann'), guards), NOW);

    expect((await conflictOf(again)).tags).toEqual(['return', 'event']);
    expect((await stores.orders.loadForReturn(P, 'ann', 'r1')).recorded).toEqual({
      fingerprint: 'fr',
      result: { n: 1 },
    });
    expect((await stores.orders.loadForEvent(P, 'ann', 'e1')).recorded).toEqual({
      fingerprint: 'fe',
      result: { n: 2 },
    });
  });

  it('a schedule is set unconditionally and moved only while still due where it was seen', async () => {
    const { stores, ann } = await annWithALot();
    const set: ScheduleSet = {
      kind: 'schedule-set',
      memberId: 'ann',
      schedule: 'REVIEW',
      dueAt: '2027-01-01T00:00:00.000Z',
    };
    const move = (seen: string): ScheduleMoved => ({
      kind: 'schedule-moved',
      memberId: 'ann',
      schedule: 'REVIEW',
      seen,
      next: '2027-02-01T00:00:00.000Z',
    });
    await stores.ledger.commit(withRecords(ann, [set]), NOW);

    const stale = stores.ledger.commit(
      withRecords(await stores.ledger.loadMember(P, 'ann'), [move('2026-12-01T00:00:00.000Z')]),
      NOW,
    );

    expect((await conflictOf(stale)).tags).toEqual(['schedule:review']);
    await stores.ledger.commit(withRecords(await stores.ledger.loadMember(P, 'ann'), [move(set.dueAt)]), NOW);
    expect(stores.schedules.get('shop/ann/REVIEW')).toMatchObject({ dueAt: '2027-02-01T00:00:00.000Z' });
  });

  it('an outbox entry is written once (tag outbox) and can be inspected', async () => {
    const { stores, ann } = await annWithALot();
    const entry: OutboxRecorded = {
      kind: 'outbox-recorded',
      record: { kind: 'outbox', programId: P, memberId: 'ann', id: 'x1', job: 'expire', events: [], createdAt: NOW },
    };
    await stores.ledger.commit(withRecords(ann, [entry]), NOW);

    const again = stores.ledger.commit(withRecords(await stores.ledger.loadMember(P, 'ann'), [entry]), NOW);

    expect((await conflictOf(again)).tags).toEqual(['outbox']);
    expect([...stores.outbox.keys()]).toEqual(['shop/ann/x1']);
  });

  it('a referral code is unique per program (tag refcode)', async () => {
    const stores = memoryStores();
    const enrol = (programId: string, memberId: string): LedgerWrite => ({
      programId,
      members: [
        {
          memberId,
          before: NEW_MEMBER,
          after: state({ exists: true }),
          enrol: { via: 'purchase', now: NOW },
          referralCode: 'CODE0001',
        },
      ],
    });
    await stores.ledger.commit(enrol(P, 'ann'), NOW);

    const taken = stores.ledger.commit(enrol(P, 'bob'), NOW);

    expect((await conflictOf(taken)).tags).toEqual(['refcode']);
    await stores.ledger.commit(enrol('other', 'bob'), NOW);
    expect(await stores.ledger.findReferralCode('other', 'CODE0001')).toBe('bob');
  });

  it('records of the rewards context are refused with an error that says so, and nothing is written', async () => {
    const { stores, ann } = await annWithALot();
    const before = stores.snapshot();

    const rewards = stores.ledger.commit(withRecords(ann, [{ kind: 'redemption-reserved' }]), NOW);

    await expect(rewards).rejects.toThrow(/memory stores do not handle "redemption-reserved"/);
    expect(stores.snapshot()).toEqual(before);
  });

  it('a record of no known kind is refused', async () => {
    const { stores, ann } = await annWithALot();

    await expect(stores.ledger.commit(withRecords(ann, [{ kind: 'mystery' }]), NOW)).rejects.toThrow(
      /No writer for a "mystery" record/,
    );
  });
});

describe('memory stores: one write, all or nothing', () => {
  it('a failing record leaves nothing of the write applied', async () => {
    const { stores, ann } = await annWithALot();
    await stores.ledger.commit(
      { programId: P, members: [{ memberId: 'ann', before: ann, after: ann }], records: [orderRecorded('o1')] },
      NOW,
    );
    const now = await stores.ledger.loadMember(P, 'ann');
    const before = stores.snapshot();

    const write = stores.ledger.commit(
      {
        programId: P,
        members: [{ memberId: 'ann', before: now, after: { ...now, available: 20 } }],
        lotPuts: [{ memberId: 'ann', lot: lot('L2') }],
        transactions: [tx('T2', 'ann', 10)],
        records: [orderRecorded('o1')],
      },
      NOW,
    );

    expect((await conflictOf(write)).tags).toEqual(['order']);
    expect(stores.snapshot()).toEqual(before);
  });

  it('every failing condition is reported, in write order: records, members, lots', async () => {
    const { stores, ann } = await annWithALot();
    await stores.ledger.commit(
      { programId: P, members: [{ memberId: 'ann', before: ann, after: ann }], records: [orderRecorded('o1')] },
      NOW,
    );

    const write = stores.ledger.commit(
      {
        programId: P,
        members: [{ memberId: 'ann', before: ann, after: ann }],
        lotPuts: [{ memberId: 'ann', lot: lot('L1') }],
        transactions: [tx('T2', 'ann', 10)],
        records: [orderRecorded('o1'), orderRecorded('o2')],
      },
      NOW,
    );

    expect((await conflictOf(write)).tags).toEqual(['order', 'member:ann', 'lot:L1']);
  });

  it('a write touching one item twice is refused as a bad request, not a conflict', async () => {
    const { stores, ann } = await annWithALot();
    const twice = { memberId: 'ann', before: ann, after: ann };

    const write = stores.ledger.commit({ programId: P, members: [twice, twice] }, NOW);

    await expect(write).rejects.toThrow(/multiple operations on one item/);
  });

  it('beforeCommit runs once, before the next commit checks its conditions', async () => {
    const { stores, ann } = await annWithALot();
    let runs = 0;
    stores.beforeCommit(() =>
      stores.ledger
        .commit({ programId: P, members: [{ memberId: 'ann', before: ann, after: ann }] }, NOW)
        .then(() => runs++),
    );
    const write: LedgerWrite = { programId: P, members: [{ memberId: 'ann', before: ann, after: ann }] };

    const first = stores.ledger.commit(write, NOW);

    expect((await conflictOf(first)).tags).toEqual(['member:ann']);
    const now = await stores.ledger.loadMember(P, 'ann');
    await stores.ledger.commit({ ...write, members: [{ memberId: 'ann', before: now, after: now }] }, NOW);
    expect(runs).toBe(1);
  });
});

describe('memory stores: copies in, copies out', () => {
  it('changing what a read returned changes nothing stored', async () => {
    const { stores } = await annWithALot();
    const member = (await stores.ledger.getMember(P, 'ann'))!;
    const [first] = await stores.ledger.listLots(P, 'ann');
    const page = await stores.ledger.listTransactions(P, 'ann', 10, null);

    member.points.available = 999;
    member.state!.counters.x = 1;
    first!.remaining = 0;
    page.items[0]!.points = 999;

    expect((await stores.ledger.getMember(P, 'ann'))!.points.available).toBe(10);
    expect((await stores.ledger.loadMember(P, 'ann')).counters).toEqual({});
    expect((await stores.ledger.listLots(P, 'ann'))[0]!.remaining).toBe(10);
    expect((await stores.ledger.listTransactions(P, 'ann', 10, null)).items[0]!.points).toBe(10);
  });

  it('changing a write after it committed changes nothing stored', async () => {
    const stores = memoryStores();
    const newLot = lot('L1');
    const after = state({ exists: true, available: 10, pendingLots: [] });

    await stores.ledger.commit(
      {
        programId: P,
        members: [{ memberId: 'ann', before: NEW_MEMBER, after }],
        lotPuts: [{ memberId: 'ann', lot: newLot }],
      },
      NOW,
    );
    newLot.remaining = 0;
    after.pendingLots.push({ lotId: 'x', points: 1, availableAt: NOW, expiresAt: null });

    expect((await stores.ledger.listLots(P, 'ann'))[0]!.remaining).toBe(10);
    expect((await stores.ledger.loadMember(P, 'ann')).pendingLots).toEqual([]);
  });
});

describe('memory stores: orders, programs, rules, codes', () => {
  it("purchasesBetween lists the program's purchases in the range, oldest first", async () => {
    const stores = memoryStores();
    const at = (orderId: string, occurredAt: string): OrderRecorded => {
      const r = orderRecorded(orderId);
      return { ...r, order: { ...r.order, purchase: { ...r.order.purchase, occurredAt } } };
    };
    const records = [
      at('late', '2026-12-02T00:00:00Z'),
      at('early', '2026-10-30T00:00:00Z'),
      at('out', '2027-01-05T00:00:00Z'),
    ];
    await stores.ledger.commit({ programId: P, members: [], records }, NOW);
    await stores.ledger.commit(
      { programId: 'other', members: [], records: [at('elsewhere', '2026-11-01T00:00:00Z')] },
      NOW,
    );

    const listed: string[] = [];
    for await (const o of stores.orders.purchasesBetween(P, '2026-10-01T00:00:00.000Z', '2026-12-31T00:00:00.000Z')) {
      listed.push(o.purchase.orderId);
    }

    expect(listed).toEqual(['early', 'late']);
  });

  it('programs and rule sets given at the start are stored as given', async () => {
    const rules = demoEarningRules();
    const settings = (
      await createProgram({ programId: P }, { programs: memoryStores().programs, clock: fixedClock(NOW) })
    ).settings;

    const stores = memoryStores({ programs: [settings], rules: { [P]: rules } });

    expect(await stores.programs.getProgram(P)).toEqual(settings);
    expect(await stores.rules.getRuleSet(P)).toEqual({ rules, version: 1 });
  });

  it('a program id is created once, and only an existing program can be updated', async () => {
    const stores = memoryStores();
    const deps = { programs: stores.programs, clock: fixedClock(NOW) };
    await createProgram({ programId: P }, deps);

    await expect(createProgram({ programId: P }, deps)).rejects.toBeInstanceOf(ProgramExists);
    await expect(stores.programs.updateProgram('nowhere', { pendingDays: 3 }, NOW)).rejects.toBeInstanceOf(
      ProgramNotFound,
    );
    expect(await stores.programs.updateProgram(P, { pendingDays: 3 }, NOW)).toMatchObject({
      pendingDays: 3,
      updatedAt: NOW,
    });
  });

  it('an API key hash is stored once', async () => {
    const stores = memoryStores();
    const key = { keyId: 'k1', programId: P, scopes: ['admin' as const], createdAt: NOW };

    expect([
      await stores.programs.putApiKey('h', key),
      await stores.programs.putApiKey('h', { ...key, keyId: 'k2' }),
    ]).toEqual([true, false]);
    expect((await stores.programs.getApiKey('h'))!.keyId).toBe('k1');
  });

  it('a rule is saved only against the rule set version it read, and every version is kept', async () => {
    const stores = memoryStores();
    const rule = demoEarningRules()[0]!;
    const meta = { changedAt: NOW, changedBy: 'k', change: 'created' as const };
    const empty = await stores.rules.getRuleSet(P);
    await stores.rules.saveRule(P, rule, empty, meta);

    const stale = await stores.rules.saveRule(P, { ...rule, version: 2 }, empty, meta);

    expect(stale).toBe(false);
    const current = await stores.rules.getRuleSet(P);
    await stores.rules.saveRule(P, { ...rule, version: 2, name: 'Renamed' }, current, { ...meta, change: 'updated' });
    const history = await stores.rules.history(P, rule.ruleId);
    expect(history.map((r) => [r.version, r.change])).toEqual([
      [1, 'created'],
      [2, 'updated'],
    ]);
    expect((await stores.rules.getRuleSet(P)).version).toBe(2);
  });

  it('a referral code is assigned only if it is free and the member has none', async () => {
    const stores = memoryStores();
    await stores.ledger.upsertMember(P, 'ann', {}, 'req-1', NOW);
    await stores.ledger.upsertMember(P, 'bob', {}, 'req-2', NOW);

    const first = await stores.ledger.assignReferralCode(P, 'ann', 'AAAA0001', NOW);
    const taken = await stores.ledger.assignReferralCode(P, 'bob', 'AAAA0001', NOW);
    const second = await stores.ledger.assignReferralCode(P, 'ann', 'AAAA0002', NOW);

    expect([first, taken, second]).toEqual([true, false, false]);
    expect(await stores.ledger.findReferralCode(P, 'AAAA0002')).toBeNull();
  });
});
