import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cachedProducers } from '../../adapters/dynamodb/producer-store';
import { memoryStores } from '../../adapters/memory/stores';
import { fixedClock } from '../../core/kernel/clock';
import { ValidationFailed } from '../../core/kernel/errors';
import { isRegisteredProducer, type Producer } from '../../core/programs/domain/producers';
import {
  DEFAULT_AMOUNT_TOLERANCE_PER_LINE,
  DEFAULT_EARN_ON,
  DEFAULT_LATENESS_DAYS,
  DEFAULT_MAX_POINTS_PER_TRANSACTION,
  DEFAULT_MAX_PURCHASE_AMOUNT,
} from '../../core/programs/domain/program';
import { ProgramNotFound, UnregisteredProducer } from '../../core/programs/errors';
import { addProducer, checkProducer, listProducers, removeProducer } from '../../core/programs/use-cases/producers';

const OWN = '000000000000';
const at = '2026-12-01T00:00:00.000Z';
const p = (source: string, account: string | null = null): Producer => ({ source, account, addedAt: at });

describe('isRegisteredProducer', () => {
  it('matches source and account; without an account, only the platform’s own', () => {
    const list = [p('shop.checkout'), p('partner.pos', '111122223333')];
    expect(isRegisteredProducer(list, { source: 'shop.checkout', account: OWN }, OWN)).toBe(true);
    expect(isRegisteredProducer(list, { source: 'shop.checkout', account: '111122223333' }, OWN)).toBe(false);
    expect(isRegisteredProducer(list, { source: 'partner.pos', account: '111122223333' }, OWN)).toBe(true);
    expect(isRegisteredProducer(list, { source: 'partner.pos', account: OWN }, OWN)).toBe(false);
    expect(isRegisteredProducer(list, { source: 'Shop.Checkout', account: OWN }, OWN)).toBe(false);
  });

  it('nothing registered: nothing credits, whatever the event says', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        (source, account) => !isRegisteredProducer([], { source, account }, account),
      ),
    );
  });
});

describe('producer use cases (memory stores)', () => {
  const setup = () => {
    const stores = memoryStores({
      programs: [
        {
          programId: 'shop',
          name: 'Shop',
          currency: 'USD',
          timeZone: 'UTC',
          pointsPerUnit: 1,
          autoEnrol: true,
          pendingDays: 0,
          latenessDays: DEFAULT_LATENESS_DAYS,
          earnOn: DEFAULT_EARN_ON,
          amountTolerancePerLine: DEFAULT_AMOUNT_TOLERANCE_PER_LINE,
          maxPurchaseAmount: DEFAULT_MAX_PURCHASE_AMOUNT,
          maxPointsPerTransaction: DEFAULT_MAX_POINTS_PER_TRANSACTION,
          returnPolicy: 'cap-at-balance',
          expiryPolicy: { kind: 'none' },
          tierSet: null,
          createdAt: at,
        },
      ],
    });
    return { ...stores, clock: fixedClock(at) };
  };

  it('adds once, lists, removes; the check follows', async () => {
    const deps = setup();
    expect((await addProducer('shop', { source: 'shop.checkout' }, deps)).added).toBe(true);
    expect((await addProducer('shop', { source: 'shop.checkout' }, deps)).added).toBe(false);
    await addProducer('shop', { source: 'shop.checkout', account: '111122223333' }, deps);
    expect(await listProducers('shop', deps)).toHaveLength(2);
    await expect(checkProducer('shop', { source: 'shop.checkout', account: OWN }, OWN, deps)).resolves.toBeUndefined();
    expect(await removeProducer('shop', { source: 'shop.checkout' }, deps)).toBe(true);
    expect(await removeProducer('shop', { source: 'shop.checkout' }, deps)).toBe(false);
    await expect(checkProducer('shop', { source: 'shop.checkout', account: OWN }, OWN, deps)).rejects.toBeInstanceOf(
      UnregisteredProducer,
    );
    await expect(
      checkProducer('shop', { source: 'shop.checkout', account: '111122223333' }, OWN, deps),
    ).resolves.toBeUndefined();
  });

  it('refuses a bad source or account naming the field, and an unknown program', async () => {
    const deps = setup();
    const bad = await addProducer('shop', { source: 'a#b', account: '12' }, deps).catch((e) => e);
    expect(bad).toBeInstanceOf(ValidationFailed);
    expect(bad.extensions.errors.map((e: { field: string }) => e.field)).toEqual(['source', 'account']);
    await expect(addProducer('nope', { source: 'shop.checkout' }, deps)).rejects.toBeInstanceOf(ProgramNotFound);
    expect(await listProducers('shop', deps)).toEqual([]);
  });
});

describe('cachedProducers', () => {
  it('serves the list for 30 s; a fresh read, once per second per reason', async () => {
    let reads = 0;
    let list: Producer[] = [];
    const store = {
      listProducers: async () => {
        reads++;
        return list;
      },
      addProducer: async () => true,
      removeProducer: async () => true,
    };
    let t = 0;
    const cached = cachedProducers(store, 30_000, 1_000, () => t);
    await cached.listProducers('shop');
    list = [p('shop.checkout')];
    expect(await cached.listProducers('shop')).toEqual([]); // cached
    // Registered meanwhile: the first fresh read for this source sees it at once.
    expect(await cached.listProducers('shop', { freshFor: 'shop.checkout 0' })).toEqual([p('shop.checkout')]);
    expect(reads).toBe(2);
    // A source that stays unregistered, sent in a loop: one read per second.
    for (let i = 0; i < 100; i++) await cached.listProducers('shop', { freshFor: 'rogue 0' });
    expect(reads).toBe(3);
    t = 1_000;
    await cached.listProducers('shop', { freshFor: 'rogue 0' });
    expect(reads).toBe(4);
    await cached.listProducers('shop');
    expect(reads).toBe(4); // the fresh read refreshed the cache
    t = 40_000;
    await cached.listProducers('shop');
    expect(reads).toBe(5);
  });
});
