import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_DELAYS_MS,
  DISABLE_AFTER_MS,
  delayBefore,
  JITTER,
  nextAttemptAt,
  parseDisableAfter,
  parseRetryDelays,
  shouldDisable,
} from '../../../core/webhooks/domain/schedule';

const HOUR = 3_600_000;
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('retry schedule', () => {
  it('tries at least 8 times over at least 24 hours, whatever the jitter draws', () => {
    fc.assert(
      fc.property(fc.array(random, { minLength: 8, maxLength: 8 }), (draws) => {
        const waits = DEFAULT_RETRY_DELAYS_MS.map((_, i) => delayBefore(DEFAULT_RETRY_DELAYS_MS, i + 1, draws[i]!));
        expect(waits).toHaveLength(8);
        expect(waits.every((w) => w !== null)).toBe(true);
        expect((waits as number[]).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * HOUR);
      }),
    );
  });

  it('keeps each wait within ±10 % of its base, and the first attempt immediate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), random, (attempt, r) => {
        const base = DEFAULT_RETRY_DELAYS_MS[attempt - 1]!;
        const wait = delayBefore(DEFAULT_RETRY_DELAYS_MS, attempt, r)!;
        expect(wait).toBeGreaterThanOrEqual(Math.floor(base * (1 - JITTER)));
        expect(wait).toBeLessThanOrEqual(Math.ceil(base * (1 + JITTER)));
      }),
    );
    expect(delayBefore(DEFAULT_RETRY_DELAYS_MS, 1, 0.99)).toBe(0);
  });

  it('spreads endpoints that failed together: different draws, different times', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const a = nextAttemptAt(DEFAULT_RETRY_DELAYS_MS, 3, now, 0.1)!;
    const b = nextAttemptAt(DEFAULT_RETRY_DELAYS_MS, 3, now, 0.9)!;
    expect(b.getTime() - a.getTime()).toBeGreaterThan(0);
  });

  it('has no next attempt once the schedule is spent', () => {
    expect(nextAttemptAt(DEFAULT_RETRY_DELAYS_MS, 8, new Date(), 0.5)).toBeNull();
    expect(nextAttemptAt([0, 100], 1, new Date(0), 0.5)).toEqual(new Date(100));
  });

  it('reads WEBHOOK_RETRY_DELAYS_MS as the whole schedule, and refuses anything else', () => {
    expect(parseRetryDelays(undefined)).toBe(DEFAULT_RETRY_DELAYS_MS);
    expect(parseRetryDelays(' ')).toBe(DEFAULT_RETRY_DELAYS_MS);
    expect(parseRetryDelays('0, 200,500')).toEqual([0, 200, 500]);
    for (const bad of ['1,-2', '1,,2', 'abc', '1.5'])
      expect(() => parseRetryDelays(bad), bad).toThrow(/WEBHOOK_RETRY_DELAYS_MS/);
  });
});

describe('disabling a failing endpoint', () => {
  const now = new Date('2026-12-10T00:00:00Z');
  it('disables after five days of failures only', () => {
    expect(parseDisableAfter(undefined)).toBe(DISABLE_AFTER_MS);
    expect(shouldDisable(null, now, DISABLE_AFTER_MS)).toBe(false);
    expect(shouldDisable('2026-12-05T00:00:01Z', now, DISABLE_AFTER_MS)).toBe(false);
    expect(shouldDisable('2026-12-05T00:00:00Z', now, DISABLE_AFTER_MS)).toBe(true);
    expect(() => parseDisableAfter('soon')).toThrow(/WEBHOOK_DISABLE_AFTER_MS/);
  });
});
