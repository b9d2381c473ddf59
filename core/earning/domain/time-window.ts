// How late a purchase, an event or a return may be recorded. Caps and event limits count per period
// on the member's counters, which are kept only for the periods a late record can still land in; a
// record older than that would find its period's counters gone and look unused, so it is refused and
// goes through a backfill instead (docs/operations.md).
import { MAX_CLOCK_SKEW_MS, PERIODS, type Period, periodKey, toEpochMs } from './time';

const DAY_MS = 86_400_000;

export { DEFAULT_LATENESS_DAYS, MAX_LATENESS_DAYS } from '../../programs/domain/program';

export interface LatenessPolicy {
  latenessDays: number;
  /**
   * Set when latenessDays was raised: counters older than the old window were already dropped, so
   * nothing before this instant is accepted even if the new window reaches further back.
   */
  lateFloor?: string;
}

/** The earliest `occurredAt` accepted at `now`. */
export function acceptedFrom(now: string, policy: LatenessPolicy): string {
  const window = toEpochMs(now) - policy.latenessDays * DAY_MS;
  const floor = policy.lateFloor === undefined ? window : toEpochMs(policy.lateFloor);
  return new Date(Math.max(window, floor)).toISOString();
}

export type WindowVerdict = { ok: true } | { ok: false; problem: 'future' | 'too-late'; message: string };

/** Whether a record dated `occurredAt` may be recorded at `now`. */
export function checkOccurredAt(occurredAt: string, now: string, policy: LatenessPolicy): WindowVerdict {
  const at = toEpochMs(occurredAt);
  if (at > toEpochMs(now) + MAX_CLOCK_SKEW_MS) {
    return { ok: false, problem: 'future', message: `is in the future (now ${now}; 5 minutes of clock skew allowed)` };
  }
  const from = acceptedFrom(now, policy);
  if (at < toEpochMs(from)) {
    const raised = policy.lateFloor !== undefined && from === new Date(toEpochMs(policy.lateFloor)).toISOString();
    return {
      ok: false,
      problem: 'too-late',
      message:
        `is before ${from}: this program accepts records up to ${policy.latenessDays} day(s) late` +
        `${raised ? ' (and none from before latenessDays was last raised)' : ''}; record older history ` +
        'with a backfill',
    };
  }
  return { ok: true };
}

/**
 * Whether a usage counter (`u#<periodKey>` or `e#<type>#<periodKey>`) must stay on the member: its
 * period ends after `from`, so a record still accepted can land in it. `ever` always stays.
 */
export function counterInWindow(counter: string, from: string, timeZone: string): boolean {
  const key = counter.slice(counter.lastIndexOf('#') + 1);
  if (key === 'ever') return true;
  const kind = key.slice(0, key.indexOf(':')) as Period;
  if (!PERIODS.includes(kind)) return false;
  return key >= periodKey(kind, from, timeZone);
}
