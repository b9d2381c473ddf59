import { describe, expect, it } from 'vitest';
import { memoryUsagePlans } from '../../../adapters/memory/usage-plans';
import { ValidationFailed } from '../../../core/kernel/errors';
import { validate } from '../../../core/kernel/validation';
import { DEFAULT_THROTTLE } from '../../../core/programs/domain/throttle';
import { ProgramNotFound } from '../../../core/programs/errors';
import { ProgramSettingsInput } from '../../../core/programs/schemas';
import { usageIdentifierOf } from '../../../core/programs/use-cases/authenticate';
import { createProgram } from '../../../core/programs/use-cases/manage-programs';
import { getProgramSettings } from '../../../core/programs/use-cases/program-settings';
import { parseQuota, setThrottleLimits, syncUsagePlan } from '../../../core/programs/use-cases/throttle-limits';
import { memoryFixture } from './fixture';

/** The field errors a call was refused with. */
async function refusal(call: () => Promise<unknown>): Promise<{ field: string; message: string }[]> {
  const err = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationFailed);
  return (err as ValidationFailed).errors;
}

describe('throttle limits of a program', () => {
  it('a program created without limits gets the documented defaults: 50 rps, burst 100, no quota', async () => {
    const f = memoryFixture();
    await f.program('shop');
    expect((await f.stores.programs.getProgram('shop'))?.throttle).toEqual({
      rateLimit: 50,
      burstLimit: 100,
      quota: null,
    });
    expect(DEFAULT_THROTTLE).toEqual({ rateLimit: 50, burstLimit: 100, quota: null });
  });

  it('a program created with limits keeps them, and its admin reads them (never its API Gateway key)', async () => {
    const f = memoryFixture();
    await f.program('shop', { throttle: { rateLimit: 10, burstLimit: 25, quota: { limit: 5000, period: 'WEEK' } } });
    await syncUsagePlan('shop', { ...f.deps, usagePlans: memoryUsagePlans() });

    const view = await getProgramSettings('shop', f.deps as never);

    expect(view.throttle).toEqual({ rateLimit: 10, burstLimit: 25, quota: { limit: 5000, period: 'WEEK' } });
    expect(view).not.toHaveProperty('usagePlan');
  });

  it('refuses hostile limits at creation, naming every field, and creates nothing', async () => {
    const f = memoryFixture();
    const errors = await refusal(() =>
      createProgram(
        {
          programId: 'shop',
          throttle: { rateLimit: 0, burstLimit: 1.5, quota: { limit: -1, period: 'YEAR' as never } },
        },
        f.deps,
      ),
    );
    expect(errors.map((e) => e.field).sort()).toEqual(['burstLimit', 'quota.limit', 'quota.period', 'rateLimit']);
    expect(await f.stores.programs.getProgram('shop')).toBeNull();
  });

  it('refuses a burst below the rate, and limits above what API Gateway allows an account', async () => {
    const f = memoryFixture();
    expect(
      await refusal(() => createProgram({ programId: 'shop', throttle: { rateLimit: 200, burstLimit: 100 } }, f.deps)),
    ).toEqual([{ field: 'burstLimit', message: 'must be at least the rate limit (200), received 100' }]);
    expect(
      await refusal(() =>
        createProgram({ programId: 'shop', throttle: { rateLimit: 6000, burstLimit: 1e9, quota: null } }, f.deps),
      ),
    ).toEqual([
      { field: 'rateLimit', message: 'must be at most 5000' },
      { field: 'burstLimit', message: 'must be at most 5000' },
    ]);
    await expect(
      createProgram({ programId: 'shop', throttle: { rateLimit: Number('abc') } }, f.deps),
    ).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('changes only what is given, checks the result as a whole, and keeps the old limits when refused', async () => {
    const f = memoryFixture();
    await f.program('shop');

    const raised = await setThrottleLimits('shop', { rateLimit: 80 }, f.deps);
    expect(raised.throttle).toEqual({ rateLimit: 80, burstLimit: 100, quota: null });

    expect(await refusal(() => setThrottleLimits('shop', { rateLimit: 150 }, f.deps))).toEqual([
      { field: 'burstLimit', message: 'must be at least the rate limit (150), received 100' },
    ]);
    const withQuota = await setThrottleLimits('shop', { quota: { limit: 10, period: 'DAY' } }, f.deps);
    expect(withQuota.throttle).toEqual({ rateLimit: 80, burstLimit: 100, quota: { limit: 10, period: 'DAY' } });
    expect((await setThrottleLimits('shop', { quota: null }, f.deps)).throttle?.quota).toBeNull();
    await expect(setThrottleLimits('nope', { rateLimit: 1 }, f.deps)).rejects.toBeInstanceOf(ProgramNotFound);
  });

  it('cannot be changed through the admin API: the settings body has no such field', () => {
    expect(() => validate(ProgramSettingsInput, { throttle: { rateLimit: 5000, burstLimit: 5000 } })).toThrow(
      'throttle: is not a known field',
    );
  });

  it('parses the CLI quota flag: N/day, N/week, N/month or none; anything else names the field', () => {
    expect(parseQuota('10000/day')).toEqual({ limit: 10000, period: 'DAY' });
    expect(parseQuota('5/Week')).toEqual({ limit: 5, period: 'WEEK' });
    expect(parseQuota('250000/month')).toEqual({ limit: 250000, period: 'MONTH' });
    expect(parseQuota('none')).toBeNull();
    for (const bad of ['', '10/year', '-1/day', '1.5/day', 'day', '10']) {
      expect(() => parseQuota(bad), bad).toThrow(ValidationFailed);
    }
    expect(() => parseQuota('10/year')).toThrow('quota: must be N/day, N/week, N/month or none (received "10/year")');
  });
});

describe('syncing a program to API Gateway', () => {
  it('creates its key, plan and link once, stores the binding, and a second run changes nothing', async () => {
    const f = memoryFixture();
    const usagePlans = memoryUsagePlans('dev');
    await f.program('shop');

    const first = await syncUsagePlan('shop', { ...f.deps, usagePlans });
    f.clock.advance(60_000);
    const second = await syncUsagePlan('shop', { ...f.deps, usagePlans });

    expect(first.usagePlan).toEqual({ apiKeyId: 'key1', usageKey: expect.any(String), usagePlanId: 'plan2' });
    expect(second).toEqual(first);
    expect((await f.stores.programs.getProgram('shop'))?.updatedAt).toBe(first.updatedAt);
    expect([...usagePlans.keys.values()].map((k) => k.name)).toEqual(['loyalty-dev-shop']);
    expect([...usagePlans.plans.values()].map((p) => [p.name, p.limits])).toEqual([
      ['loyalty-dev-shop', DEFAULT_THROTTLE],
    ]);
    expect([...usagePlans.links]).toEqual(['plan2/key1']);
  });

  it('brings the plan to new limits on the next run', async () => {
    const f = memoryFixture();
    const usagePlans = memoryUsagePlans('dev');
    await f.program('shop');
    const synced = await syncUsagePlan('shop', { ...f.deps, usagePlans });
    await setThrottleLimits('shop', { rateLimit: 5, burstLimit: 5, quota: { limit: 100, period: 'MONTH' } }, f.deps);

    const resynced = await syncUsagePlan('shop', { ...f.deps, usagePlans });

    expect(resynced.usagePlan).toEqual(synced.usagePlan);
    expect(usagePlans.plans.get(synced.usagePlan!.usagePlanId)?.limits).toEqual({
      rateLimit: 5,
      burstLimit: 5,
      quota: { limit: 100, period: 'MONTH' },
    });
  });

  it('reuses the key and plan found by name when an earlier run made them but did not store the binding', async () => {
    const f = memoryFixture();
    const usagePlans = memoryUsagePlans('dev');
    await f.program('shop');
    const orphan = await usagePlans.ensure('shop', DEFAULT_THROTTLE);
    expect((await f.stores.programs.getProgram('shop'))?.usagePlan).toBeUndefined();

    const synced = await syncUsagePlan('shop', { ...f.deps, usagePlans });

    expect(synced.usagePlan).toEqual(orphan);
    expect([usagePlans.keys.size, usagePlans.plans.size, usagePlans.links.size]).toEqual([1, 1, 1]);
  });

  it('the authorizer meters a program by its API Gateway key once synced, by its id before', async () => {
    const f = memoryFixture();
    await f.program('shop');
    expect(await usageIdentifierOf('shop', f.deps)).toBe('shop');

    const { usagePlan } = await syncUsagePlan('shop', { ...f.deps, usagePlans: memoryUsagePlans() });

    expect(await usageIdentifierOf('shop', f.deps)).toBe(usagePlan?.usageKey);
    expect(usagePlan?.usageKey).not.toBe('shop');
  });
});
