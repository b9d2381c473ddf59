import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Redemption, RedemptionStatus } from '../../core/rewards/domain/rewards';
import {
  AWAITING_DEADLINE_DAYS,
  awaitingSweepAt,
  PARTNER_EXECUTION_DAYS,
  PENDING_DEADLINE_MS,
  pendingSweepAt,
  sweepDecision,
} from '../../core/rewards/domain/sweep';

const CREATED = '2026-11-23T12:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(CREATED) + ms).toISOString();
const MIN = 60_000;
const DAY = 86_400_000;

type Facts = Pick<Redemption, 'status' | 'flow' | 'createdAt' | 'sweepAt' | 'fulfilment'>;
const pending = (flow: Facts['flow'] = 'instant', extra: Partial<Facts> = {}): Facts => ({
  status: 'pending',
  flow,
  createdAt: CREATED,
  sweepAt: pendingSweepAt(flow, CREATED),
  ...extra,
});
const awaiting = (since: string, extra: Partial<Facts> = {}): Facts => ({
  status: 'awaiting-fulfilment',
  flow: 'partner',
  createdAt: CREATED,
  sweepAt: awaitingSweepAt(since),
  ...extra,
});

describe('deadlines', () => {
  it('an instant redemption is overdue 10 minutes after it was requested, a partner one after an hour', () => {
    expect(pendingSweepAt('instant', CREATED)).toBe('2026-11-23T12:10:00.000Z');
    expect(pendingSweepAt('partner', CREATED)).toBe('2026-11-23T13:00:00.000Z');
  });

  it('a redemption waiting for its partner is overdue a day after its execution must have ended', () => {
    expect(awaitingSweepAt(CREATED)).toBe('2026-12-09T12:00:00.000Z');
    expect(AWAITING_DEADLINE_DAYS).toBeGreaterThan(PARTNER_EXECUTION_DAYS);
  });
});

describe('what the sweeper does with a redemption it finds in the index', () => {
  it('abandons an instant redemption still pending at its deadline, and not a moment before', () => {
    expect(sweepDecision(pending(), at(10 * MIN - 1))).toEqual({ kind: 'leave', why: 'not-due' });
    expect(sweepDecision(pending(), at(10 * MIN))).toMatchObject({
      kind: 'abandon',
      message: expect.stringContaining('Still pending 10 minutes'),
    });
  });

  it('gives a pending partner redemption its hour before abandoning it', () => {
    expect(sweepDecision(pending('partner'), at(59 * MIN)).kind).toBe('leave');
    expect(sweepDecision(pending('partner'), at(60 * MIN)).kind).toBe('abandon');
  });

  it.each<RedemptionStatus>(['completed', 'failed', 'cancelled'])(
    'leaves a %s redemption alone however late it is (it left the index when it closed)',
    (status) => {
      expect(sweepDecision(pending('instant', { status }), at(365 * DAY))).toEqual({ kind: 'leave', why: 'closed' });
    },
  );

  it('leaves a redemption waiting for its partner alone while its execution may still be running', () => {
    const since = at(2 * MIN);
    expect(sweepDecision(awaiting(since), at(2 * MIN + PARTNER_EXECUTION_DAYS * DAY)).kind).toBe('leave');
  });

  it('times out one still waiting after its execution ended, when the partner never confirmed', () => {
    const since = at(2 * MIN);
    expect(sweepDecision(awaiting(since), awaitingSweepAt(since))).toMatchObject({
      kind: 'time-out',
      message: expect.stringContaining('did not confirm within 14 days'),
    });
  });

  it('completes one still waiting after its execution ended when the partner had confirmed', () => {
    const since = at(2 * MIN);
    const confirmed = awaiting(since, { fulfilment: { reference: 'UPS-1', note: null, confirmedAt: at(DAY) } });
    expect(sweepDecision(confirmed, awaitingSweepAt(since))).toEqual({ kind: 'complete' });
  });

  it('judges a pending redemption written before deadlines existed by the pending deadline', () => {
    const legacy = pending('instant', { sweepAt: undefined });
    expect(sweepDecision(legacy, at(9 * MIN)).kind).toBe('leave');
    expect(sweepDecision(legacy, at(10 * MIN)).kind).toBe('abandon');
    expect(sweepDecision(awaiting(CREATED, { sweepAt: undefined }), at(365 * DAY)).kind).toBe('leave');
  });

  it('acts on an open redemption exactly when its deadline has passed (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Facts['flow']>('instant', 'partner'),
        fc.integer({ min: -DAY, max: 30 * DAY }),
        (flow, offset) => {
          const r = pending(flow);
          const asOf = at(offset);
          const overdue = offset >= PENDING_DEADLINE_MS[flow];
          expect(sweepDecision(r, asOf).kind).toBe(overdue ? 'abandon' : 'leave');
        },
      ),
    );
  });
});
