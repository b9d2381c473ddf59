import { describe, expect, it } from 'vitest';
import { EarningRuleSchema, EarningRuleSetSchema, PurchaseFactsSchema } from '../../../core/earning/domain';

const issuesOf = (input: unknown) => {
  const result = EarningRuleSchema.safeParse(input);
  if (result.success) throw new Error('expected the rule to be rejected');
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

const base = { kind: 'base', ruleId: 'base', version: 1, name: 'Base', pointsPerUnit: { USD: '1' } };

describe('earning rule schemas', () => {
  it('fill in the documented defaults', () => {
    expect(EarningRuleSchema.parse(base)).toMatchObject({
      active: true,
      priority: 0,
      exclusive: false,
      rounding: 'floor',
      exclude: { skus: [], categories: [] },
    });
  });

  it('name the allowed kinds when the kind is unknown', () => {
    expect(issuesOf({ ...base, kind: 'cashback' })).toEqual([
      {
        path: 'kind',
        message:
          'kind must be one of "base", "multiplier", "first-purchase", "order-threshold", "product-bonus", ' +
          '"windfall", "event", "referral", "cap"',
      },
    ]);
  });

  it('name every bad field of a rule with what a good value looks like', () => {
    const issues = issuesOf({ ...base, version: 0, pointsPerUnit: { usd: '1.5', EUR: 2 }, rounding: 'bankers' });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'version', message: 'must be at least 1' },
        { path: 'pointsPerUnit.usd', message: 'must be keyed by ISO 4217 currency codes such as "USD"' },
        { path: 'pointsPerUnit.EUR', message: 'must be a decimal string such as "1" or "1.5"' },
        { path: 'rounding', message: 'must be "floor", "round-half-up" or "ceil"' },
      ]),
    );
  });

  it('reject a rate with more than four decimal places', () => {
    expect(issuesOf({ ...base, pointsPerUnit: { USD: '0.12345' } })).toEqual([
      {
        path: 'pointsPerUnit.USD',
        message: 'must be a decimal string such as "1" or "1.5" with at most 4 decimal places',
      },
    ]);
  });

  it('reject unknown fields so a typo does not silently do nothing', () => {
    expect(issuesOf({ ...base, exlusive: true })[0]?.path).toBe('');
  });

  it('reject a multiplier factor below 1 and an empty target list', () => {
    const issues = issuesOf({
      kind: 'multiplier',
      ruleId: 'm',
      version: 1,
      name: 'M',
      factor: '0.5',
      target: { by: 'sku', skus: [] },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'factor', message: 'must be at least "1"' },
        { path: 'target.skus', message: 'must list at least one of the SKUs' },
      ]),
    );
  });

  it('reject a windfall whose range is upside down or whose probability exceeds 1', () => {
    const issues = issuesOf({
      kind: 'windfall',
      ruleId: 'w',
      version: 1,
      name: 'W',
      probability: '1.5',
      minPoints: 50,
      maxPoints: 10,
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'probability', message: 'must be between "0" and "1"' },
        { path: 'maxPoints', message: 'must be at least minPoints' },
      ]),
    );
  });

  it('reject a factor or probability with more than 4 decimals as a field error, not a crash', () => {
    const windfall = { kind: 'windfall', ruleId: 'w', version: 1, name: 'W', minPoints: 1, maxPoints: 10 };
    const message = 'must be a decimal string such as "1" or "1.5" with at most 4 decimal places';
    expect(issuesOf({ ...windfall, probability: '0.00001' })).toEqual([{ path: 'probability', message }]);
    const multiplier = { kind: 'multiplier', ruleId: 'm', version: 1, name: 'M', target: { by: 'order' } };
    expect(issuesOf({ ...multiplier, factor: '1.00001' })).toEqual([{ path: 'factor', message }]);
  });

  it('reject a schedule that ends before it starts, a bad zone and a bad weekday', () => {
    const issues = issuesOf({
      ...base,
      schedule: {
        from: '2026-12-01T00:00:00Z',
        until: '2026-11-01T00:00:00Z',
        timeZone: 'Mars/Base',
        daysOfWeek: ['saturday'],
      },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'schedule.timeZone', message: 'must be an IANA time zone such as "Europe/Paris"' },
        { path: 'schedule.daysOfWeek.0', message: 'must be one of "mon", "tue", "wed", "thu", "fri", "sat", "sun"' },
      ]),
    );
    expect(issuesOf({ ...base, schedule: { from: '2026-12-01T00:00:00Z', until: '2026-11-01T00:00:00Z' } })).toEqual([
      { path: 'schedule.until', message: 'must be after from' },
    ]);
  });

  it('reject hours that are not HH:MM or that start and end together', () => {
    expect(issuesOf({ ...base, schedule: { hours: { start: '9:00', end: '17:00' } } })).toEqual([
      { path: 'schedule.hours.start', message: 'must be a local time "HH:MM" between 00:00 and 24:00' },
    ]);
    expect(issuesOf({ ...base, schedule: { hours: { start: '09:00', end: '09:00' } } })).toEqual([
      { path: 'schedule.hours.end', message: 'start and end must differ' },
    ]);
  });

  it('reject an event rule that names a limit period twice', () => {
    const issues = issuesOf({
      kind: 'event',
      ruleId: 'e',
      version: 1,
      name: 'E',
      eventType: 'review.posted',
      points: 10,
      limits: [
        { period: 'day', max: 1 },
        { period: 'day', max: 2 },
      ],
    });
    expect(issues).toEqual([{ path: 'limits', message: 'must name each period once' }]);
  });

  it('reject fractional points and negative amounts', () => {
    expect(
      issuesOf({ kind: 'first-purchase', ruleId: 'f', version: 1, name: 'F', points: 2.5, minSpend: { USD: -1 } }),
    ).toEqual(
      expect.arrayContaining([
        { path: 'points', message: 'must be a whole number of points' },
        { path: 'minSpend.USD', message: 'must not be negative' },
      ]),
    );
  });

  it('reject the same rule version twice in one rule set', () => {
    const result = EarningRuleSetSchema.safeParse([base, { ...base }]);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['1.version', 'duplicates rule base version 1'],
    ]);
  });

  it('reject a purchase whose prices are not integer minor units', () => {
    const result = PurchaseFactsSchema.safeParse({
      orderId: 'o',
      amount: 12.5,
      currency: 'USD',
      items: [{ sku: 'a', quantity: 1, unitPrice: 12.5 }],
      occurredAt: '2026-11-23T10:00:00Z',
    });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['amount', 'items.0.unitPrice']);
  });
});
