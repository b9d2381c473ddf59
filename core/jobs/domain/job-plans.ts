// What the scheduled jobs decide, purely: the ledger move of an expiry (with the pending points
// that matured by then), the schedule a member's writes imply, and how a run splits the due index
// into batches and where the next run resumes. No I/O; `asOf` and the wall clock are passed in.

import type { ExpiryResult } from '../../expiry/domain/expiry';
import { inactivityExpiresAtFor } from '../../expiry/domain/expiry';
import { MS_PER_DAY, toInstant, toMs } from '../../kernel/calendar';
import type { Activation, MemberState, PendingLot } from '../../ledger/domain/member-state';
import { settle } from '../../ledger/domain/member-state';
import type { Lot, Transaction } from '../../ledger/domain/types';
import type { ProgramSettings } from '../../programs/domain/program';
import { nextReviewAt, type QualifyingBuckets, tierIndex } from '../../tiers/domain/tiers';

// ---------------------------------------------------------------------------------------
// Expiry as a ledger move

/**
 * Like `settle`, but activates at most `max` matured pending lots (oldest availableAt first), so
 * one transaction never outgrows DynamoDB's 100 items; the rest mature in the next write.
 */
export function settleUpTo(
  state: MemberState,
  asOf: string,
  max: number,
): { state: MemberState; activations: Activation[] } {
  return settle(state, asOf, max);
}

/** One lot touched by the write: `take` points leave it (debt repaid at activation plus what expired). */
export interface LotTake {
  lot: Lot;
  take: number;
}

export interface ExpiryPlan {
  after: MemberState;
  takes: LotTake[];
  activations: Activation[];
  expired: { lotId: string; points: number; expiresAt: string | null }[];
  total: number;
  transaction: Transaction | null;
  /** More lots were due than one write may touch: plan again after this one commits. */
  more: boolean;
}

/** Lots one expiry write may touch: 100 items per transaction, minus member, tx, outbox, schedule. */
export const MAX_LOTS_PER_WRITE = 90;

/** A pending lot as stored, when only the member's pending entry is known (its key holds the expiry). */
export function lotOfPending(p: PendingLot): Lot {
  return {
    lotId: p.lotId,
    amount: p.points,
    remaining: p.points,
    earnedAt: p.availableAt,
    availableAt: p.availableAt,
    expiresAt: p.expiresAt,
    source: 'purchase',
    reason: '',
  };
}

/**
 * Settles the pending points matured at `asOf` (they must be persisted with any write), then
 * expires what `select` picks among the lots available at asOf. `lots` are the member's lots as
 * stored; a lot is never asked for more than it holds (the write conditions on `remaining >= take`).
 * The move keeps available + pending = sum(lot.remaining) - debt: both sides lose the expired points.
 */
export function planExpiry(args: {
  memberId: string;
  state: MemberState;
  lots: readonly Lot[];
  asOf: string;
  select: (available: Lot[]) => ExpiryResult;
  reason: 'expiry-date' | 'inactivity';
  transactionId: string;
  recordedAt: string;
  maxLots?: number;
}): ExpiryPlan {
  const maxLots = args.maxLots ?? MAX_LOTS_PER_WRITE;
  const { state: settled, activations } = settleUpTo(args.state, args.asOf, maxLots);
  const repaidBy = new Map(activations.map((a) => [a.lot.lotId, a.repaid]));
  const stillPending = new Set(settled.pendingLots.map((l) => l.lotId));
  const available = args.lots
    .filter((l) => !stillPending.has(l.lotId) && l.availableAt <= args.asOf)
    .map((l) => ({ ...l, remaining: l.remaining - (repaidBy.get(l.lotId) ?? 0) }))
    .filter((l) => l.remaining > 0);

  const byId = new Map(available.map((l) => [l.lotId, l]));
  const selected = args.select(available).expired;
  // Lots already touched by an activation do not count twice against the transaction size.
  const room = maxLots - activations.length;
  const expired: ExpiryPlan['expired'] = [];
  let more = false;
  for (const e of selected) {
    const lot = byId.get(e.lotId);
    if (!lot || e.points <= 0) continue;
    const points = Math.min(e.points, lot.remaining);
    if (expired.length >= room && !repaidBy.has(lot.lotId)) {
      more = true;
      continue;
    }
    expired.push({ lotId: lot.lotId, points, expiresAt: lot.expiresAt });
  }
  const total = expired.reduce((s, e) => s + e.points, 0);

  const stored = new Map(args.lots.map((l) => [l.lotId, l]));
  const takes = new Map<string, LotTake>();
  for (const a of activations)
    takes.set(a.lot.lotId, { lot: stored.get(a.lot.lotId) ?? lotOfPending(a.lot), take: a.repaid });
  for (const e of expired) {
    const prev = takes.get(e.lotId);
    takes.set(e.lotId, { lot: prev?.lot ?? stored.get(e.lotId)!, take: (prev?.take ?? 0) + e.points });
  }

  const transaction: Transaction | null =
    total > 0
      ? {
          transactionId: args.transactionId,
          memberId: args.memberId,
          type: 'expire',
          points: -total,
          reason:
            args.reason === 'inactivity'
              ? 'Points expired after a period without earning'
              : 'Points reached their expiry date',
          source: 'expiry',
          status: 'debited',
          breakdown: [],
          lots: expired.map((e) => ({ lotId: e.lotId, points: e.points })),
          occurredAt: args.asOf,
          recordedAt: args.recordedAt,
        }
      : null;
  return {
    after: { ...settled, available: settled.available - total },
    takes: [...takes.values()],
    activations,
    expired,
    total,
    transaction,
    more,
  };
}

// ---------------------------------------------------------------------------------------
// Member schedules

/** The member's qualifying buckets ("YYYY-MM" -> value), from the `q#` counters on the member. */
export function qualifyingBucketsOf(counters: Record<string, number>): QualifyingBuckets {
  const buckets: QualifyingBuckets = {};
  for (const [k, v] of Object.entries(counters)) if (k.startsWith('q#')) buckets[k.slice(2)] = v;
  return buckets;
}

/**
 * The schedule items a ledger write implies, for the write that changed `before` into `after`:
 * a tier review at the end of the current review period when the member moved to a tier above
 * the entry tier, and the inactivity deadline when earning activity moved it. `undefined`: no change.
 */
export function schedulesAfterWrite(
  program: Pick<ProgramSettings, 'tierSet' | 'expiryPolicy' | 'timeZone'>,
  before: MemberState,
  after: MemberState,
  now: string,
): { review?: string; inactivity?: string } {
  const out: { review?: string; inactivity?: string } = {};
  const { tierSet, expiryPolicy, timeZone } = program;
  if (tierSet && after.tier !== before.tier && tierIndex(after.tier, tierSet) > 0)
    out.review = nextReviewAt(tierSet.window, now, timeZone);
  if (after.lastActivityAt && after.lastActivityAt !== before.lastActivityAt) {
    const deadline = inactivityExpiresAtFor(after.lastActivityAt, expiryPolicy, timeZone);
    if (deadline) out.inactivity = deadline;
  }
  return out;
}

/** What a member's schedule items should be now, from scratch (repair, tests). */
export function desiredSchedules(
  program: Pick<ProgramSettings, 'tierSet' | 'expiryPolicy' | 'timeZone'>,
  state: MemberState,
  now: string,
): { review: string | null; inactivity: string | null } {
  const { tierSet, expiryPolicy, timeZone } = program;
  return {
    review:
      tierSet && state.tier !== null && tierIndex(state.tier, tierSet) !== 0
        ? nextReviewAt(tierSet.window, now, timeZone)
        : null,
    inactivity: state.lastActivityAt ? inactivityExpiresAtFor(state.lastActivityAt, expiryPolicy, timeZone) : null,
  };
}

// ---------------------------------------------------------------------------------------
// Runs: which partitions of the due index a run reads, in batches, and where the next one starts

/** "YYYY-MM-DD" of an instant, UTC: the day partition of the due index. */
export const utcDay = (instant: string): string => toInstant(toMs(instant)).slice(0, 10);

export function addDays(day: string, days: number): string {
  return toInstant(toMs(`${day}T00:00:00.000Z`) + days * MS_PER_DAY).slice(0, 10);
}

export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

/** ISO days compare as strings. */
export const minDay = (...days: string[]): string => [...days].sort()[0]!;
export const maxDay = (...days: string[]): string => [...days].sort().at(-1)!;

/**
 * A slice of the due index a worker reads: one kind, one shard, consecutive days, entries with a
 * due instant in (after, upTo]. `lead` marks notice windows (entries due `lead` days after asOf).
 */
export interface DueRange {
  kind: string;
  shard: number;
  firstDay: string;
  lastDay: string;
  after?: string;
  upTo: string;
  lead?: number;
}

export interface DueWindow {
  kind: string;
  after?: string;
  upTo: string;
  lead?: number;
}

/** The days a window covers: from the day of `after` (or `fromDay`) to the day of `upTo`. */
export function windowDays(w: DueWindow, fromDay?: string): { firstDay: string; lastDay: string } | null {
  const firstDay = w.after ? utcDay(w.after) : fromDay;
  const lastDay = utcDay(w.upTo);
  if (!firstDay || firstDay > lastDay) return null;
  return { firstDay, lastDay };
}

/**
 * Splits windows x shards x days into at most `maxBatches` batches of ranges, each batch a
 * contiguous run of (window, shard, day) partitions, so a first run over a year of days and a
 * daily run over one day both fan out evenly.
 */
export function planBatches(
  windows: readonly DueWindow[],
  fromDay: string | undefined,
  shards: number,
  maxBatches: number,
): DueRange[][] {
  type Unit = { w: DueWindow; shard: number; day: string };
  const units: Unit[] = [];
  for (const w of windows) {
    const span = windowDays(w, fromDay);
    if (!span) continue;
    const days = daysBetween(span.firstDay, span.lastDay);
    for (let shard = 0; shard < shards; shard++) for (const day of days) units.push({ w, shard, day });
  }
  if (!units.length) return [];
  const count = Math.min(maxBatches, units.length);
  const batches: DueRange[][] = [];
  for (let b = 0; b < count; b++) {
    const slice = units.slice(Math.floor((b * units.length) / count), Math.floor(((b + 1) * units.length) / count));
    const ranges: DueRange[] = [];
    for (const u of slice) {
      const last = ranges[ranges.length - 1];
      if (
        last &&
        last.kind === u.w.kind &&
        last.shard === u.shard &&
        last.lead === u.w.lead &&
        last.after === u.w.after &&
        addDays(last.lastDay, 1) === u.day
      ) {
        last.lastDay = u.day;
      } else {
        ranges.push({
          kind: u.w.kind,
          shard: u.shard,
          firstDay: u.day,
          lastDay: u.day,
          upTo: u.w.upTo,
          ...(u.w.after ? { after: u.w.after } : {}),
          ...(u.w.lead !== undefined ? { lead: u.w.lead } : {}),
        });
      }
    }
    batches.push(ranges);
  }
  return batches;
}

/**
 * Where a job that consumes the index (processed entries leave it) starts next time: the first
 * day that may still hold work. Every day before the run's last day was drained unless a worker
 * reported errors on it; entries written later are due no earlier than when they were written,
 * so the next run never needs to look before the wall-clock day this run started on either.
 */
export function nextConsumingCheckpoint(
  plannedFrom: string,
  asOf: string,
  startedAt: string,
  errorDays: readonly string[],
): string {
  return maxDay(plannedFrom, minDay(utcDay(asOf), utcDay(startedAt), ...errorDays));
}

/**
 * Notice windows are relative: a run as of T reads entries due in (C + lead, T + lead] where C is
 * the previous run's asOf. A failed run keeps C (guards make the re-read harmless); C never moves
 * past the wall clock, so entries written after a run "as of" a future date are still noticed.
 */
export function nextNoticeCheckpoint(previous: string, asOf: string, startedAt: string, failed: boolean): string {
  if (failed) return previous;
  const candidate = toMs(asOf) < toMs(startedAt) ? asOf : startedAt;
  return toMs(candidate) > toMs(previous) ? toInstant(toMs(candidate)) : previous;
}

/**
 * The notice windows of a run: for each (kind, lead), entries due in (C + lead days, T + lead days].
 * Windows of one kind that overlap (a run covering more days than the leads are apart) are read
 * once, as their union: the handlers work out every notice due for a member, whatever found them.
 */
export function noticeWindows(
  kinds: readonly { kind: string; leads: readonly number[] }[],
  previous: string,
  asOf: string,
): DueWindow[] {
  if (toMs(asOf) <= toMs(previous)) return [];
  return kinds.flatMap(({ kind, leads }) => {
    const windows = [...new Set(leads)]
      .sort((a, b) => b - a)
      .map((lead) => ({
        kind,
        lead,
        after: toInstant(toMs(previous) + lead * MS_PER_DAY),
        upTo: toInstant(toMs(asOf) + lead * MS_PER_DAY),
      }));
    const merged: DueWindow[] = [];
    for (const w of windows) {
      const last = merged[merged.length - 1];
      if (last && toMs(w.upTo) >= toMs(last.after!)) {
        merged[merged.length - 1] = { kind, after: w.after, upTo: last.upTo };
      } else merged.push(w);
    }
    return merged;
  });
}
