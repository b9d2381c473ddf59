import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryStores } from '../../adapters/memory/stores';
import { fixedClock } from '../../core/kernel/clock';
import { ValidationFailed } from '../../core/kernel/errors';
import { graceExpiry, keyStatus } from '../../core/programs/domain/api-keys';
import { ApiKeyNotFound, KeyInUse } from '../../core/programs/errors';
import type { StoredApiKey } from '../../core/programs/ports';
import { createKey, listKeys, revokeKey, rotateKey } from '../../core/programs/use-cases/api-keys';
import { authenticate } from '../../core/programs/use-cases/authenticate';
import { createProgram } from '../../core/programs/use-cases/manage-programs';

const T0 = '2026-12-01T10:00:00.000Z';
const base: StoredApiKey = { keyId: 'K', programId: 'p', scopes: ['admin'], createdAt: T0 };

describe('when a key works (domain)', () => {
  it('is active until revoked or expired, from that very instant', () => {
    expect(keyStatus(base, T0)).toBe('active');
    expect(keyStatus({ ...base, expiresAt: '2026-12-02T00:00:00.000Z' }, '2026-12-01T23:59:59.999Z')).toBe('active');
    expect(keyStatus({ ...base, expiresAt: '2026-12-02T00:00:00.000Z' }, '2026-12-02T00:00:00.000Z')).toBe('expired');
    expect(keyStatus({ ...base, revokedAt: T0, expiresAt: '2020-01-01T00:00:00.000Z' }, T0)).toBe('revoked');
  });

  it('property: a rotation never extends a key, and ends it within the grace', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 30 * 86_400 })),
        fc.integer({ min: 0, max: 7 * 86_400 }),
        (ownSeconds, grace) => {
          const own = ownSeconds === null ? undefined : new Date(Date.parse(T0) + ownSeconds * 1000).toISOString();
          const end = graceExpiry({ ...base, expiresAt: own }, T0, grace);
          expect(Date.parse(end)).toBeLessThanOrEqual(Date.parse(T0) + grace * 1000);
          if (own) expect(end <= own).toBe(true);
        },
      ),
    );
  });
});

describe('managing keys (memory stores)', () => {
  const setup = async () => {
    const clock = fixedClock(T0);
    const stores = memoryStores();
    const deps = { ...stores, clock };
    const { adminKey } = await createProgram({ programId: 'shop' }, deps);
    const admin = (await authenticate(adminKey, { programs: stores.programs, now: clock.now }))!;
    return { clock, deps, stores, adminKey, admin };
  };

  it('creates a key shown once, lists it without its value, and records the day it is used', async () => {
    const { deps, stores, clock } = await setup();
    const key = await createKey('shop', { scopes: ['members:read'], label: 'app' }, deps);
    expect(key).toMatchObject({ scopes: ['members:read'], label: 'app', status: 'active', lastUsedOn: null });
    const listed = (await listKeys('shop', deps)).items;
    expect(listed.map((k) => k.keyId)).toContain(key.keyId);
    expect(JSON.stringify(listed)).not.toContain(key.apiKey);
    await authenticate(key.apiKey, { programs: stores.programs, now: clock.now });
    expect((await listKeys('shop', deps)).items.find((k) => k.keyId === key.keyId)?.lastUsedOn).toBe('2026-12-01');
  });

  it('refuses an expiry in the past or not a date, writing nothing', async () => {
    const { deps } = await setup();
    const before = (await listKeys('shop', deps)).items.length;
    await expect(createKey('shop', { scopes: ['admin'], expiresAt: '2026-11-30T00:00:00Z' }, deps)).rejects.toThrow(
      ValidationFailed,
    );
    await expect(createKey('shop', { scopes: ['admin'], expiresAt: 'soon' }, deps)).rejects.toThrow(/expiresAt/);
    expect((await listKeys('shop', deps)).items).toHaveLength(before);
  });

  it('a key with an expiry stops working at it', async () => {
    const { deps, stores, clock } = await setup();
    const key = await createKey('shop', { scopes: ['admin'], expiresAt: '2026-12-01T12:00:00+01:00' }, deps);
    expect(key.expiresAt).toBe('2026-12-01T11:00:00.000Z');
    clock.set('2026-12-01T10:59:59.999Z');
    expect(await authenticate(key.apiKey, { programs: stores.programs, now: clock.now })).not.toBeNull();
    clock.set('2026-12-01T11:00:00.000Z');
    expect(await authenticate(key.apiKey, { programs: stores.programs, now: clock.now })).toBeNull();
  });

  it('revokes from now, once; never the key making the request; an unknown id is not found', async () => {
    const { deps, stores, clock, admin } = await setup();
    const key = await createKey('shop', { scopes: ['purchases:write'] }, deps);
    await expect(revokeKey('shop', admin.keyId, admin.keyId, deps)).rejects.toThrow(KeyInUse);
    await expect(revokeKey('shop', 'NOPE', admin.keyId, deps)).rejects.toThrow(ApiKeyNotFound);
    await expect(revokeKey('other', key.keyId, admin.keyId, deps)).rejects.toThrow(ApiKeyNotFound);
    const revoked = await revokeKey('shop', key.keyId, admin.keyId, deps);
    expect(revoked).toMatchObject({ status: 'revoked', revokedAt: T0 });
    clock.advance(60_000);
    expect((await revokeKey('shop', key.keyId, admin.keyId, deps)).revokedAt).toBe(T0);
    expect(await authenticate(key.apiKey, { programs: stores.programs, now: clock.now })).toBeNull();
  });

  it('rotates: a new key with the same scopes at once, the old one for the grace only', async () => {
    const { deps, stores, clock, admin } = await setup();
    const old = await createKey('shop', { scopes: ['members:read', 'members:write'], label: 'crm' }, deps);
    const { key, previous } = await rotateKey('shop', old.keyId, { graceSeconds: 3600 }, admin.keyId, deps);
    expect(key).toMatchObject({ scopes: ['members:read', 'members:write'], label: 'crm', status: 'active' });
    expect(previous).toMatchObject({ keyId: old.keyId, status: 'active', expiresAt: '2026-12-01T11:00:00.000Z' });
    clock.set('2026-12-01T10:59:00.000Z');
    expect(await authenticate(old.apiKey, { programs: stores.programs, now: clock.now })).not.toBeNull();
    clock.set('2026-12-01T11:00:00.000Z');
    expect(await authenticate(old.apiKey, { programs: stores.programs, now: clock.now })).toBeNull();
    expect(await authenticate(key.apiKey, { programs: stores.programs, now: clock.now })).not.toBeNull();
    await expect(rotateKey('shop', old.keyId, {}, admin.keyId, deps)).rejects.toThrow(/is expired/);
    await expect(rotateKey('shop', key.keyId, { graceSeconds: 8 * 86_400 }, admin.keyId, deps)).rejects.toThrow(
      /graceSeconds/,
    );
  });
});
