import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../core/jobs/use-cases/run-job';
import { ValidationFailed } from '../../core/kernel/errors';
import { type JobsFixture, jobsFixture } from '../support/jobs';

// A run as of a future date would expire points and make pending points spendable ahead of
// their time, and that cannot be undone: it is refused unless it is a dry run or allowed on purpose.
describe('jobs as of a future date', () => {
  let f: JobsFixture;
  const TODAY = '2026-03-01T12:00:00.000Z';
  const EXPIRED_BY = '2027-04-30T00:00:00.000Z';

  beforeAll(async () => {
    f = await jobsFixture(TODAY);
    await f.program('shop', { expiry: { kind: 'after-earning', months: 12 } });
    await f.earn('shop', 'ann', 100, TODAY);
    await f.program('held', { pendingDays: 14 });
    await f.earn('held', 'bob', 40, TODAY);
    f.clock.set(TODAY);
  });
  afterAll(() => f.drop());

  it('refuses a run as of a future instant and writes nothing', async () => {
    const before = await f.scanAll();
    await expect(runJob({ job: 'expire', asOf: EXPIRED_BY }, f.deps)).rejects.toThrow(ValidationFailed);
    await expect(runJob({ job: 'activate', asOf: '2026-03-20' }, f.deps)).rejects.toThrow(/asOf: is in the future/);
    expect(await f.scanAll()).toEqual(before);
  });

  it('a dry run as of that date says what would change and writes nothing', async () => {
    const before = await f.scanAll();
    const run = await runJob({ job: 'expire', asOf: EXPIRED_BY, dryRun: true, since: '2027-02-01' }, f.deps);
    expect(run.totals).toMatchObject({ members: 1, points: 100, errors: 0 });
    expect(run.checkpoint.saved).toBe(false);
    expect(await f.scanAll()).toEqual(before);
    expect(f.published('Points Expired')).toHaveLength(0);
    expect((await f.audit('shop', 'ann')).balances).toMatchObject({ available: 100 });
  });

  it('allowed on purpose (a test table), it runs for real', async () => {
    const run = await runJob({ job: 'activate', asOf: '2026-03-20', allowFuture: true }, f.deps);
    expect(run.totals.points).toBe(40);
    expect((await f.audit('held', 'bob')).balances).toMatchObject({ pending: 0, available: 40 });
  });
});
