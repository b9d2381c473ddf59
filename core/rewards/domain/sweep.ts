// Stuck redemptions, decided purely: when an open redemption is overdue, and what the sweeper does
// with it then. A redemption is open while its saga runs (`pending`) or waits for its partner
// (`awaiting-fulfilment`); it carries a `sweepAt` instant (indexed by the due-date index) until it
// completes, fails or is cancelled. No I/O; `asOf` is passed in.
import { MS_PER_DAY, toInstant, toMs } from '../../kernel/calendar';
import type { FulfilmentFlow, Redemption } from './rewards';

/**
 * How long a redemption may stay `pending`. An instant saga ends within its Express execution
 * (25 s); the request that started it answered long before this, and a client retrying with its
 * Idempotency-Key (Retry-After: 2 s) resumed it well within it. A partner saga runs in a Standard
 * execution that reaches the partner wait within seconds (retries included, about a minute at worst),
 * and a replay starts a new one; an hour leaves no live execution still on its way there.
 */
export const PENDING_DEADLINE_MS: Readonly<Record<FulfilmentFlow, number>> = {
  instant: 10 * 60_000,
  partner: 60 * 60_000,
};

/** A partner has this long to confirm (the AwaitFulfilment task's timeout); its execution may run a day longer. */
export const PARTNER_FULFILMENT_DAYS = 14;
export const PARTNER_EXECUTION_DAYS = PARTNER_FULFILMENT_DAYS + 1;

/**
 * A redemption waiting for its partner is looked at a day after its execution must have ended
 * (whichever execution started the wait, it started before the wait did). By then the state
 * machine's own timeout has compensated it, unless that compensation could not finish.
 */
export const AWAITING_DEADLINE_DAYS = PARTNER_EXECUTION_DAYS + 1;

/** When a new redemption is overdue if it is still `pending`. */
export function pendingSweepAt(flow: FulfilmentFlow, createdAt: string): string {
  return toInstant(toMs(createdAt) + PENDING_DEADLINE_MS[flow]);
}

/** When a redemption that started waiting for its partner at `since` is overdue if it still waits. */
export function awaitingSweepAt(since: string): string {
  return toInstant(toMs(since) + AWAITING_DEADLINE_DAYS * MS_PER_DAY);
}

export type SweepDecision =
  /** Still pending past its deadline: its saga stopped. Give back what it holds (failed, `abandoned`). */
  | { kind: 'abandon'; message: string }
  /** Still waiting after its execution ended, the partner never answered: give back (`fulfilment-timed-out`). */
  | { kind: 'time-out'; message: string }
  /** Still waiting after its execution ended, but the partner confirmed: the member has the reward, complete it. */
  | { kind: 'complete' }
  /** Closed meanwhile (it left the index with that write), or not overdue: nothing to do. */
  | { kind: 'leave'; why: 'closed' | 'not-due' };

/** What the sweeper does with a redemption it found overdue in the index, read again as of `asOf`. */
export function sweepDecision(
  r: Pick<Redemption, 'status' | 'flow' | 'createdAt' | 'sweepAt' | 'fulfilment'>,
  asOf: string,
): SweepDecision {
  if (r.status !== 'pending' && r.status !== 'awaiting-fulfilment') return { kind: 'leave', why: 'closed' };
  // Records written before redemptions carried a deadline are judged by the pending one.
  const due = r.sweepAt ?? (r.status === 'pending' ? pendingSweepAt(r.flow, r.createdAt) : null);
  if (!due || toMs(due) > toMs(asOf)) return { kind: 'leave', why: 'not-due' };
  if (r.status === 'pending') {
    const minutes = Math.round(PENDING_DEADLINE_MS[r.flow] / 60_000);
    return {
      kind: 'abandon',
      message:
        `Still pending ${minutes} minutes after it was requested: its saga stopped, and everything it held ` +
        'was given back',
    };
  }
  if (r.fulfilment) return { kind: 'complete' };
  return {
    kind: 'time-out',
    message:
      `The partner did not confirm within ${PARTNER_FULFILMENT_DAYS} days and the redemption's execution ended ` +
      'without closing it: everything it held was given back',
  };
}
