// The rule set the local stack seeds, so a fresh `npm start` earns like a real program does.
import { type EarningRule, EarningRuleSetSchema } from '../rule-schemas';

/**
 * 1 point per USD (gift cards excluded), double points on coffee, 1.5x on weekends in the
 * program's time zone, 100 points on a first purchase, a 5% chance of 10-200 surprise points,
 * 25 points per review (1 a day, 5 a month), 200 on a birthday (once a year), at most 10,000
 * points a day.
 */
export function demoEarningRules(): EarningRule[] {
  return EarningRuleSetSchema.parse([
    {
      kind: 'base',
      ruleId: 'base-spend',
      version: 1,
      name: '1 point per dollar',
      pointsPerUnit: { USD: '1' },
      rounding: 'floor',
      exclude: { categories: ['gift-card'] },
    },
    {
      kind: 'multiplier',
      ruleId: 'coffee-double',
      version: 1,
      name: 'Double points on coffee',
      target: { by: 'category', categories: ['coffee'] },
      factor: '2',
      priority: 10,
    },
    {
      kind: 'multiplier',
      ruleId: 'weekend-boost',
      version: 1,
      name: 'Weekend 1.5x points',
      target: { by: 'order' },
      factor: '1.5',
      schedule: { daysOfWeek: ['sat', 'sun'] },
    },
    {
      kind: 'first-purchase',
      ruleId: 'welcome-bonus',
      version: 1,
      name: 'Welcome bonus',
      points: 100,
    },
    {
      kind: 'windfall',
      ruleId: 'lucky-receipt',
      version: 1,
      name: 'Lucky receipt',
      probability: '0.05',
      minPoints: 10,
      maxPoints: 200,
      minSpend: { USD: 500 },
    },
    {
      kind: 'event',
      ruleId: 'review-posted',
      version: 1,
      name: 'Review a product',
      eventType: 'review.posted',
      points: 25,
      limits: [
        { period: 'day', max: 1 },
        { period: 'month', max: 5 },
      ],
    },
    {
      kind: 'event',
      ruleId: 'birthday',
      version: 1,
      name: 'Birthday treat',
      eventType: 'birthday',
      points: 200,
      limits: [{ period: 'year', max: 1 }],
    },
    {
      kind: 'cap',
      ruleId: 'daily-cap',
      version: 1,
      name: 'At most 10,000 points a day',
      per: 'day',
      maxPoints: 10_000,
    },
  ]);
}
