// Point expiry: when a lot expires, what is expired as of a date, notices, debit order and
// the keys scheduled jobs use to find what is due. Pure: `asOf`/`now` and time zone passed in.
//
// Expiry policies:
//
//   Every program has one expiry policy; times are computed in the program's IANA time zone and
//   stored on each lot as a UTC instant (`expiresAt`). Points in a lot expire at `expiresAt`:
//   an expiry run as of T removes the remaining points of every lot with expiresAt <= T.
//   - `none`: points never expire (expiresAt is null).
//   - `after-earning` (months N, optional roundUpTo month|quarter|year): points expire N calendar
//     months after they were earned, at the same local time of day; the day is clamped to the
//     target month (earned Jan 31 + 1 month -> Feb 28, or Feb 29 in a leap year), and a local time
//     that does not exist on that day (DST gap) moves forward by the gap. With roundUpTo, the
//     expiry moves to the end of the local month/quarter/year containing that date: its last
//     millisecond, 23:59:59.999 local time, stored as UTC.
//   - `fixed-date` (month, day, optional yearsAfter, default 0): points expire at the end of a
//     fixed local day each year (23:59:59.999 local). A lot expires on the first occurrence of that
//     day that is on or after the local day it was earned, plus yearsAfter years: with Dec 31 and
//     yearsAfter 1, everything earned during 2026 (including on Dec 31) expires at the end of
//     2027-12-31. A Feb 29 date falls on Feb 28 in years that have no Feb 29.
//   - `inactivity` (months N): lots carry no expiry date (null); instead the member carries
//     `inactivityExpiresAt` = last earning activity + N calendar months (same clamping). When that
//     instant passes with no newer earning, all points earned before it expire. Record the expiry
//     before recording a new earning, since the earning moves the deadline.
//   Spending always consumes the lot that expires first (`consumeOrder`), so a spend that races an
//   expiry run takes the points that were about to expire. Expiry notices go out a number of days
//   (24-hour days) before each expiry instant, default 30 and 7, once each.

import {
  addMonths,
  compareDates,
  daysInMonth,
  endOf,
  endOfLocalDate,
  type Instant,
  localDate,
  MS_PER_DAY,
  toInstant,
  toMs,
} from '../../kernel/calendar';
import { consumeOrder } from '../../ledger/domain/member-state';
import type { Lot } from '../../ledger/domain/types';

// ---------------------------------------------------------------------------------------
// Policies and admin input

export type RoundUpTo = 'month' | 'quarter' | 'year';

export type ExpiryPolicy =
  | { kind: 'none' }
  | { kind: 'after-earning'; months: number; roundUpTo?: RoundUpTo }
  | { kind: 'fixed-date'; month: number; day: number; yearsAfter: number }
  | { kind: 'inactivity'; months: number };

export const MAX_EXPIRY_MONTHS = 120;

// ---------------------------------------------------------------------------------------
// When a lot expires

/** When points earned at `earnedAt` expire under `policy`; null for `none` and `inactivity`. */
export function expiresAtFor(earnedAt: Instant, policy: ExpiryPolicy, timeZone: string): Instant | null {
  switch (policy.kind) {
    case 'none':
    case 'inactivity':
      return null;
    case 'after-earning': {
      const at = addMonths(earnedAt, policy.months, timeZone);
      return policy.roundUpTo ? endOf(at, policy.roundUpTo, timeZone) : at;
    }
    case 'fixed-date': {
      const earned = localDate(earnedAt, timeZone);
      const thisYear = { year: earned.year, month: policy.month, day: fixedDay(earned.year, policy) };
      const first = compareDates(earned, thisYear) <= 0 ? earned.year : earned.year + 1;
      const year = first + policy.yearsAfter;
      return endOfLocalDate({ year, month: policy.month, day: fixedDay(year, policy) }, timeZone);
    }
  }
}

function fixedDay(year: number, policy: { month: number; day: number }): number {
  return Math.min(policy.day, daysInMonth(year, policy.month));
}

/**
 * The member's inactivity deadline after earning activity at `lastActivityAt`; null unless the policy is
 * `inactivity`.
 */
export function inactivityExpiresAtFor(
  lastActivityAt: Instant,
  policy: ExpiryPolicy,
  timeZone: string,
): Instant | null {
  return policy.kind === 'inactivity' ? addMonths(lastActivityAt, policy.months, timeZone) : null;
}

// ---------------------------------------------------------------------------------------
// Expiring lots

export interface ExpiredLot {
  lotId: string;
  points: number;
}

export interface ExpiryResult {
  expired: ExpiredLot[]; // in consumeOrder
  total: number;
}

const isDue = (expiresAt: Instant | null, asOf: number): boolean => expiresAt !== null && toMs(expiresAt) <= asOf;

function expireWhere(lots: readonly Lot[], predicate: (lot: Lot) => boolean): ExpiryResult {
  const expired = consumeOrder(lots)
    .filter((lot) => lot.remaining > 0 && predicate(lot))
    .map((lot) => ({ lotId: lot.lotId, points: lot.remaining }));
  return { expired, total: expired.reduce((sum, e) => sum + e.points, 0) };
}

/** What expires as of `asOf`: the remaining points of every lot whose expiresAt <= asOf. */
export function expireLots(lots: readonly Lot[], asOf: Instant): ExpiryResult {
  const now = toMs(asOf);
  return expireWhere(lots, (lot) => isDue(lot.expiresAt, now));
}

/**
 * Under the inactivity policy: once `inactivityExpiresAt` <= asOf, the remaining points of every
 * lot earned before it expire. Lots earned after the deadline are never touched.
 */
export function expireForInactivity(
  lots: readonly Lot[],
  inactivityExpiresAt: Instant | null,
  asOf: Instant,
): ExpiryResult {
  if (inactivityExpiresAt === null || !isDue(inactivityExpiresAt, toMs(asOf))) return { expired: [], total: 0 };
  const deadline = toMs(inactivityExpiresAt);
  return expireWhere(lots, (lot) => toMs(lot.earnedAt) < deadline);
}

/** The lots after an expiry: `remaining` reduced by what expired (never below 0). */
export function applyExpiry(lots: readonly Lot[], result: ExpiryResult): Lot[] {
  const byLot = new Map<string, number>();
  for (const e of result.expired) byLot.set(e.lotId, (byLot.get(e.lotId) ?? 0) + e.points);
  return lots.map((lot) => {
    const points = byLot.get(lot.lotId);
    return points === undefined ? lot : { ...lot, remaining: Math.max(0, lot.remaining - points) };
  });
}

// ---------------------------------------------------------------------------------------
// What is coming

export interface UpcomingExpiry {
  date: Instant; // the expiry instant
  points: number;
}

function groupByExpiry(lots: readonly Lot[], after: number): Map<number, Lot[]> {
  const groups = new Map<number, Lot[]>();
  for (const lot of lots) {
    if (lot.remaining <= 0 || lot.expiresAt === null) continue;
    const at = toMs(lot.expiresAt);
    if (at <= after) continue;
    groups.set(at, [...(groups.get(at) ?? []), lot]);
  }
  return new Map([...groups].sort(([a], [b]) => a - b));
}

const sumRemaining = (lots: readonly Lot[]): number => lots.reduce((sum, lot) => sum + lot.remaining, 0);

/** Points still to expire after `now`, grouped by expiry instant, soonest first, at most `limit` groups. */
export function upcomingExpiries(lots: readonly Lot[], now: Instant, limit: number): UpcomingExpiry[] {
  return [...groupByExpiry(lots, toMs(now))]
    .slice(0, Math.max(0, limit))
    .map(([at, group]) => ({ date: toInstant(at), points: sumRemaining(group) }));
}

export interface ExpiryNotice {
  /** Stable per member: `expiry#<expiresAt>#<days>d`. Prefix with the member id for a global key. */
  noticeId: string;
  expiresAt: Instant;
  daysBefore: number;
  points: number;
  lotIds: string[];
}

export const DEFAULT_NOTICE_DAYS: readonly number[] = [30, 7];

function noticeFor(
  prefix: string,
  expiresAt: number,
  lots: readonly Lot[],
  asOf: number,
  noticeDays: readonly number[],
  alreadySent: ReadonlySet<string>,
): ExpiryNotice | null {
  const due = noticeDays.filter((d) => asOf >= expiresAt - d * MS_PER_DAY);
  if (due.length === 0) return null;
  const daysBefore = Math.min(...due);
  const at = toInstant(expiresAt);
  const noticeId = `${prefix}#${at}#${daysBefore}d`;
  if (alreadySent.has(noticeId)) return null;
  return { noticeId, expiresAt: at, daysBefore, points: sumRemaining(lots), lotIds: lots.map((l) => l.lotId) };
}

/**
 * Notices due at `asOf` for one member: per expiry instant still ahead, the notice whose lead
 * time (days of 24 h before the expiry) has been reached. When several are due at once (a missed
 * run), only the one closest to the expiry is sent; a notice in `alreadySent` is not sent again.
 */
export function expiryNotices(
  lots: readonly Lot[],
  asOf: Instant,
  noticeDays: readonly number[] = DEFAULT_NOTICE_DAYS,
  alreadySent: ReadonlySet<string> = new Set(),
): ExpiryNotice[] {
  const now = toMs(asOf);
  const notices: ExpiryNotice[] = [];
  for (const [at, group] of groupByExpiry(lots, now)) {
    const notice = noticeFor('expiry', at, group, now, noticeDays, alreadySent);
    if (notice) notices.push(notice);
  }
  return notices;
}

/** The inactivity-policy counterpart of expiryNotices: one deadline for all points earned before it. */
export function inactivityExpiryNotice(
  lots: readonly Lot[],
  inactivityExpiresAt: Instant | null,
  asOf: Instant,
  noticeDays: readonly number[] = DEFAULT_NOTICE_DAYS,
  alreadySent: ReadonlySet<string> = new Set(),
): ExpiryNotice | null {
  if (inactivityExpiresAt === null) return null;
  const deadline = toMs(inactivityExpiresAt);
  const now = toMs(asOf);
  const held = lots.filter((lot) => lot.remaining > 0 && toMs(lot.earnedAt) < deadline);
  if (now >= deadline || held.length === 0) return null;
  return noticeFor('inactivity', deadline, held, now, noticeDays, alreadySent);
}

// ---------------------------------------------------------------------------------------
// Debit order
