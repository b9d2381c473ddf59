import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { drawWindfall, legacyWindfallDraw } from '../../../core/earning/domain';
import { toBreakdownLine } from '../../../core/earning/domain/earn-plan';
import { earn, engage, eventRule, item, WINDFALL_KEY, windfallRule } from './fixtures';

const draw = (subjectId: string, probability = '0.1', version = 1, key = WINDFALL_KEY) =>
  drawWindfall({
    programId: 'prog-1',
    subjectId,
    ruleId: 'windfall',
    version,
    probability,
    minPoints: 10,
    maxPoints: 100,
    key,
  });

const otherKey = { id: 'wk-other', secret: Buffer.alloc(32, 9).toString('base64url') };

describe('windfall', () => {
  it('the same order always draws the same result', () => {
    const rules = [windfallRule({ probability: '0.5' })];
    const first = earn({ rules, purchase: { orderId: 'order-42' } });
    const replay = earn({ rules, purchase: { orderId: 'order-42' } });
    expect(replay).toEqual(first);
  });

  it("the draw is an HMAC under the program's key, and the operator can recompute it from the line and the key", () => {
    const result = earn({ rules: [windfallRule()], purchase: { orderId: 'order-7' } });
    const line = result.breakdown[0]!;
    expect(line.draw?.input).toBe('windfall.v2|wk-test|prog-1|order-7|windfall|1');
    expect(line.draw?.key).toBe('wk-test');
    const digest = createHmac('sha256', Buffer.from(WINDFALL_KEY.secret, 'base64url'))
      .update(line.draw!.input)
      .digest();
    expect(line.draw?.hash).toBe(digest.toString('hex'));
    expect(line.draw?.roll).toBe(Number(digest.readBigUInt64BE(0) % 10_000n));
    expect(line.draw?.points).toBe(10 + Number(digest.readBigUInt64BE(8) % 91n));
    expect(line.points).toBe(line.draw?.points);
  });

  it('without the key the public inputs predict nothing: another key draws other winners', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `order-${i}`);
    const winners = (key: typeof WINDFALL_KEY) => ids.filter((id) => draw(id, '0.5', 1, key).won);
    const publicHash = (id: string) =>
      createHash('sha256').update(`windfall.v1|prog-1|${id}|windfall|1`).digest().readBigUInt64BE(0) % 10_000n;

    const mine = winners(WINDFALL_KEY);
    expect(mine).not.toEqual(winners(otherKey));
    // Picking the order ids a public hash favours wins no more often than chance (about 50% of 200).
    const picked = ids.filter((id) => publicHash(id) < 5_000n);
    const wonByPicking = picked.filter((id) => mine.includes(id)).length / picked.length;
    expect(wonByPicking).toBeGreaterThan(0.38);
    expect(wonByPicking).toBeLessThan(0.62);
  });

  it('a program without a windfall key does not draw at all', () => {
    const result = earn({ rules: [windfallRule()], program: { windfallKey: undefined } });

    expect(result.points).toBe(0);
    expect(result.skipped.map((s) => s.reason)).toEqual(['the program has no windfall key to draw with']);
  });

  it('what is stored and shown is the roll, the threshold, the outcome and the key id, never the key', () => {
    const line = earn({ rules: [windfallRule()], purchase: { orderId: 'order-7' } }).breakdown[0]!;

    const stored = toBreakdownLine(line);

    expect(stored.draw).toEqual({ roll: line.draw!.roll, threshold: line.draw!.threshold, won: true, key: 'wk-test' });
    expect(JSON.stringify(stored)).not.toContain(WINDFALL_KEY.secret);
  });

  it('a draw recorded before keyed draws can still be recomputed for audit', () => {
    const legacy = legacyWindfallDraw({
      programId: 'prog-1',
      subjectId: 'order-7',
      ruleId: 'windfall',
      version: 1,
      probability: '1',
      minPoints: 10,
      maxPoints: 100,
    });
    const digest = createHash('sha256').update('windfall.v1|prog-1|order-7|windfall|1').digest();

    expect(legacy.roll).toBe(Number(digest.readBigUInt64BE(0) % 10_000n));
    expect(legacy.points).toBe(10 + Number(digest.readBigUInt64BE(8) % 91n));
  });

  it('a new rule version draws afresh', () => {
    const versions = [1, 2, 3, 4, 5].map((v) => draw('order-1', '0.5', v).hash);
    expect(new Set(versions).size).toBe(5);
  });

  it('probability 1 always wins and probability 0 never does', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `order-${i}`);
    expect(ids.every((id) => draw(id, '1').won)).toBe(true);
    expect(ids.some((id) => draw(id, '0').won)).toBe(false);
  });

  it('wins about as often as its probability says over many orders', () => {
    const n = 20_000;
    const wins = Array.from({ length: n }, (_, i) => draw(`order-${i}`, '0.1')).filter((d) => d.won).length;
    // 10% of 20,000 is 2,000 with a standard deviation of about 42; 5 sigma either way.
    expect(wins).toBeGreaterThan(1_790);
    expect(wins).toBeLessThan(2_210);
  });

  it('draws points spread over the whole range, both ends included', () => {
    const points = Array.from({ length: 20_000 }, (_, i) => draw(`order-${i}`, '1').points);
    expect(Math.min(...points)).toBe(10);
    expect(Math.max(...points)).toBe(100);
    const mean = points.reduce((a, b) => a + b, 0) / points.length;
    expect(mean).toBeGreaterThan(53);
    expect(mean).toBeLessThan(57);
  });

  it('a lost draw stays on record as a 0-point line but is not an applied rule', () => {
    const rules = [windfallRule({ probability: '0' })];
    const result = earn({ rules });
    expect(result.breakdown).toMatchObject([{ ruleId: 'windfall', points: 0, draw: { won: false } }]);
    expect(result.appliedRules).toEqual([]);
  });

  it('a windfall can require a minimum spend', () => {
    const result = earn({
      rules: [windfallRule({ minSpend: { USD: 5_000 } })],
      purchase: { items: [item('a', 4_000)] },
    });
    expect(result.points).toBe(0);
    expect(result.breakdown).toEqual([]);
  });

  it('an event windfall draws on the eventId, after an event rule rewarded the event', () => {
    const rules = [eventRule(), windfallRule({ on: 'event' })];
    const result = engage({ rules, event: { eventId: 'evt-9' } });
    expect(result.breakdown.map((l) => l.rule)).toEqual(['event', 'windfall']);
    expect(result.breakdown[1]?.draw?.input).toBe('windfall.v2|wk-test|prog-1|evt-9|windfall|1');
  });

  it('an event windfall does not draw when the event was not rewarded', () => {
    const rules = [eventRule({ limits: [{ period: 'day', max: 1 }] }), windfallRule({ on: 'event' })];
    const result = engage({ rules, usage: { eventCounts: { 'review.posted': { 'day:2026-11-23': 1 } } } });
    expect(result.points).toBe(0);
    expect(result.skipped.map((s) => s.reason)).toContain('no event rule rewarded this event');
  });

  it('an event windfall limited to some event types ignores the others', () => {
    const rules = [
      eventRule({ eventType: 'social.share' }),
      windfallRule({ on: 'event', eventTypes: ['review.posted'] }),
    ];
    const result = engage({ rules, event: { type: 'social.share' } });
    expect(result.breakdown.map((l) => l.rule)).toEqual(['event']);
  });
});
