// Stuck redemptions, decided purely: when an open redemption is overdue. A redemption is open
// while its saga runs (`pending`) or waits for its partner (`awaiting-fulfilment`); it carries a
// `sweepAt` instant (indexed by the due-date index) until it completes, fails or is cancelled.
// No I/O; instants are passed in.
import { MS_PER_DAY, toInstant, toMs } from '../../kernel/calendar';
import type { FulfilmentFlow } from './rewards';

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
