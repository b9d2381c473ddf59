import { describe, expect, it } from 'vitest';
import {
  AWAITING_DEADLINE_DAYS,
  awaitingSweepAt,
  PARTNER_EXECUTION_DAYS,
  pendingSweepAt,
} from '../../core/rewards/domain/sweep';

const CREATED = '2026-11-23T12:00:00.000Z';

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
