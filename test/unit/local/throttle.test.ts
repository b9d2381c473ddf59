import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Bucket,
  count,
  createMeter,
  periodStart,
  type QuotaCount,
  type ThrottleSettings,
  take,
  type UsagePlanLimits,
} from '../../../local/throttle';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const limitsArb = fc
  .record({ rateLimit: fc.integer({ min: 1, max: 200 }), extra: fc.integer({ min: 0, max: 200 }) })
  .map(({ rateLimit, extra }): ThrottleSettings => ({ rateLimit, burstLimit: rateLimit + extra }));
/** Arrival times: non-decreasing offsets from T0, up to ten seconds in all. */
const arrivalsArb = fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 400 }).map((gaps) => {
  // A quarter of them arrive together; the rest up to 25 ms apart.
  let at = T0;
  return gaps.map((gap) => (at += gap % 4 === 0 ? 0 : gap / 8));
});

function admittedOf(arrivals: number[], limits: ThrottleSettings): number[] {
  let bucket: Bucket | undefined;
  const admitted: number[] = [];
  for (const at of arrivals) {
    const r = take(bucket, limits, at);
    bucket = r.bucket;
    if (r.admitted) admitted.push(at);
  }
  return admitted;
}

describe('the token bucket (a usage plan or the stage throttle)', () => {
  it('admits exactly the burst at once, then one more per 1/rate seconds', () => {
    const limits = { rateLimit: 5, burstLimit: 10 };
    expect(admittedOf(Array(25).fill(T0), limits)).toHaveLength(10);
    expect(admittedOf([...Array(10).fill(T0), T0 + 199, T0 + 200, T0 + 201], limits)).toEqual([
      ...Array(10).fill(T0),
      T0 + 200,
    ]);
  });

  it('never admits more than burst + rate x elapsed over any window', () => {
    fc.assert(
      fc.property(limitsArb, arrivalsArb, (limits, arrivals) => {
        const admitted = admittedOf(arrivals, limits);
        const over: string[] = [];
        for (let i = 0; i < admitted.length; i++)
          for (let j = i; j < admitted.length; j++) {
            const allowed = limits.burstLimit + (limits.rateLimit * (admitted[j]! - admitted[i]!)) / 1000;
            if (j - i + 1 > Math.floor(allowed + 1e-9)) over.push(`${j - i + 1} in ${admitted[j]! - admitted[i]!} ms`);
          }
        expect(over).toEqual([]);
      }),
    );
  });

  it('a client that keeps to the rate is never refused, whatever it did a full burst earlier', () => {
    fc.assert(
      fc.property(limitsArb, fc.integer({ min: 1, max: 300 }), (limits, n) => {
        const gap = 1000 / limits.rateLimit;
        const steady = Array.from(
          { length: n },
          (_, i) => T0 + (limits.burstLimit / limits.rateLimit) * 1000 + i * gap,
        );
        expect(admittedOf([...Array(limits.burstLimit).fill(T0), ...steady], limits)).toHaveLength(
          limits.burstLimit + n,
        );
      }),
    );
  });

  it('holds between 0 and the burst tokens, and a clock that goes back adds none', () => {
    fc.assert(
      fc.property(limitsArb, fc.array(fc.integer({ min: -5_000, max: 5_000 }), { maxLength: 200 }), (limits, steps) => {
        let bucket: Bucket | undefined;
        let at = T0;
        for (const step of steps) {
          at += step;
          const before = bucket?.tokens;
          bucket = take(bucket, limits, at).bucket;
          expect(bucket.tokens).toBeGreaterThanOrEqual(0);
          expect(bucket.tokens).toBeLessThanOrEqual(limits.burstLimit);
          if (step <= 0 && before !== undefined) expect(bucket.tokens).toBeLessThanOrEqual(before);
        }
      }),
    );
  });
});

describe('quota periods (UTC, offset 0)', () => {
  it('start at midnight, on the Sunday of the week, on the first of the month', () => {
    const monday = Date.parse('2026-11-23T10:15:00Z');
    expect(new Date(periodStart('DAY', monday)).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(new Date(periodStart('WEEK', monday)).toISOString()).toBe('2026-11-22T00:00:00.000Z');
    expect(new Date(periodStart('WEEK', Date.parse('2026-11-22T00:00:00Z'))).toISOString()).toBe(
      '2026-11-22T00:00:00.000Z',
    );
    expect(new Date(periodStart('MONTH', monday)).toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('contain the instant, and the period one tick later is the same or starts after it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('DAY' as const, 'WEEK' as const, 'MONTH' as const),
        fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') }),
        (period, now) => {
          const start = periodStart(period, now);
          expect(start).toBeLessThanOrEqual(now);
          expect(now - start).toBeLessThan(31 * 86_400_000);
          expect(new Date(start).getUTCHours()).toBe(0);
          const next = periodStart(period, now + 1);
          expect(next === start || next === now + 1).toBe(true);
        },
      ),
    );
  });

  it('count up to the limit, refuse the rest of the period, and start again in the next', () => {
    const quota = { limit: 3, period: 'DAY' as const };
    let used: QuotaCount | undefined;
    const verdicts: boolean[] = [];
    for (const at of [
      T0,
      T0 + 1,
      T0 + 2,
      T0 + 3,
      Date.parse('2026-11-23T23:59:59Z'),
      Date.parse('2026-11-24T00:00:00Z'),
    ]) {
      const r = count(used, quota, at);
      used = r.count;
      verdicts.push(r.admitted);
    }
    expect(verdicts).toEqual([true, true, true, false, false, true]);
  });
});

describe('the meter: usage plan, stage throttle, quota', () => {
  const plan = (extra: Partial<UsagePlanLimits> = {}): UsagePlanLimits => ({
    rateLimit: 1,
    burstLimit: 2,
    quota: null,
    ...extra,
  });

  it("keeps each key's bucket apart: one key over its limit does not touch another's", () => {
    const meter = createMeter();
    const at = (apiKey: string) => meter.admit({ apiKey, plan: plan(), method: 'GET /x', stage: null }, T0);
    expect([at('noisy'), at('noisy'), at('noisy'), at('noisy')]).toEqual([
      'ADMITTED',
      'ADMITTED',
      'THROTTLED',
      'THROTTLED',
    ]);
    expect([at('quiet'), at('quiet')]).toEqual(['ADMITTED', 'ADMITTED']);
  });

  it('applies the stage throttle to every key together, per method', () => {
    const meter = createMeter();
    const stage = { rateLimit: 1, burstLimit: 3 };
    const big = plan({ rateLimit: 100, burstLimit: 100 });
    const at = (apiKey: string, method = 'GET /x') => meter.admit({ apiKey, plan: big, method, stage }, T0);
    expect([at('a'), at('b'), at('c'), at('d')]).toEqual(['ADMITTED', 'ADMITTED', 'ADMITTED', 'THROTTLED']);
    expect(at('d', 'PUT /x')).toBe('ADMITTED');
  });

  it('counts only admitted requests against the quota, and says QUOTA_EXCEEDED once it is used up', () => {
    const meter = createMeter();
    const limits = plan({ rateLimit: 1, burstLimit: 1, quota: { limit: 2, period: 'MONTH' } });
    const at = (ms: number) => meter.admit({ apiKey: 'k', plan: limits, method: 'GET /x', stage: null }, T0 + ms);
    expect([at(0), at(1), at(1000), at(2000), at(3000)]).toEqual([
      'ADMITTED',
      'THROTTLED',
      'ADMITTED',
      'QUOTA_EXCEEDED',
      'QUOTA_EXCEEDED',
    ]);
  });

  it('takes new limits as they come: a raised rate admits more from the next request on', () => {
    const meter = createMeter();
    const at = (limits: UsagePlanLimits, ms: number) =>
      meter.admit({ apiKey: 'k', plan: limits, method: 'GET /x', stage: null }, T0 + ms);
    expect([at(plan(), 0), at(plan(), 0), at(plan(), 0)]).toEqual(['ADMITTED', 'ADMITTED', 'THROTTLED']);
    const raised = plan({ rateLimit: 100, burstLimit: 100 });
    expect(at(raised, 100)).toBe('ADMITTED');
  });
});
