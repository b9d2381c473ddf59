// The member view with what tiers and expiry add: the current tier, progress to the next one and
// what keeping this one takes, and every upcoming expiry (date and points). Profile and lots come
// from ONE Query of the member's partition, so the insights cost no extra request.

import { inactivityExpiresAtFor, type UpcomingExpiry, upcomingExpiries } from '../../expiry/domain/expiry';
import { qualifyingBucketsOf } from '../../jobs/domain/job-plans';
import type { Clock } from '../../kernel/clock';
import type { ProgramSettings } from '../../programs/domain/program';
import type { ProgramStore } from '../../programs/ports';
import { tierProgress } from '../../tiers/domain/tiers';
import type { MemberState } from '../domain/member-state';
import type { Lot } from '../domain/types';
import { MemberNotFound } from '../errors';
import type { LedgerStore } from '../ports';
import { memberView } from './members';

export interface InsightsDeps {
  ledger: Pick<LedgerStore, 'memberWithLots'>;
  programs: Pick<ProgramStore, 'getProgram'>;
  clock: Clock;
}

/** Upcoming expiries listed in the member view (soonest first). */
export const UPCOMING_EXPIRIES_LIMIT = 12;

export interface TierStatus {
  tier: { id: string; name: string; multiplier: number; attributes: Record<string, string | number | boolean> };
  metric: 'points' | 'spend';
  /** Points earned, or spend in minor units, in the current qualification window. */
  qualifyingValue: number;
  window: { start: string; end: string };
  nextTier: { id: string; name: string; threshold: number; needed: number } | null;
  /** What keeping the current tier takes by the next review (0 and secured when nothing). */
  keep: { needed: number; secured: boolean; reviewAt: string };
}

export function tierStatus(
  program: Pick<ProgramSettings, 'tierSet' | 'timeZone'>,
  state: MemberState,
  now: string,
): TierStatus | null {
  if (!program.tierSet) return null;
  const p = tierProgress({
    currentTierId: state.tier,
    tierAchievedAt: state.tierAchievedAt,
    buckets: qualifyingBucketsOf(state.counters),
    tierSet: program.tierSet,
    asOf: now,
    tz: program.timeZone,
  });
  const { id, name, multiplier, attributes } = p.currentTier;
  return {
    tier: { id, name, multiplier, attributes },
    metric: p.metric,
    qualifyingValue: p.qualifyingValue,
    window: p.window,
    nextTier: p.nextTier
      ? { id: p.nextTier.id, name: p.nextTier.name, threshold: p.nextTier.threshold, needed: p.toNextTier ?? 0 }
      : null,
    keep: { needed: p.toKeepCurrentTier, secured: p.currentTierSecured, reviewAt: p.nextReviewAt },
  };
}

/** Every upcoming expiry: per lot expiry date, or the inactivity deadline for all points earned before it. */
export function memberExpiries(
  program: Pick<ProgramSettings, 'expiryPolicy' | 'timeZone'>,
  state: MemberState,
  lots: readonly Lot[],
  now: string,
  limit = UPCOMING_EXPIRIES_LIMIT,
): UpcomingExpiry[] {
  const dated = upcomingExpiries(lots, now, limit);
  const deadline = state.lastActivityAt
    ? inactivityExpiresAtFor(state.lastActivityAt, program.expiryPolicy, program.timeZone)
    : null;
  if (!deadline || deadline <= now) return dated;
  const points = lots.filter((l) => l.remaining > 0 && l.earnedAt < deadline).reduce((s, l) => s + l.remaining, 0);
  return points > 0 ? [{ date: deadline, points }, ...dated].slice(0, limit) : dated;
}

/** GET /v1/members/{memberId}: the member view plus tierStatus and upcomingExpiries. */
export async function memberWithInsights(programId: string, memberId: string, deps: InsightsDeps) {
  const [{ member, lots }, program] = await Promise.all([
    deps.ledger.memberWithLots(programId, memberId),
    deps.programs.getProgram(programId),
  ]);
  if (!member?.state) throw new MemberNotFound(memberId);
  const now = deps.clock.now().toISOString();
  return {
    ...memberView(member, now),
    tierStatus: program ? tierStatus(program, member.state, now) : null,
    upcomingExpiries: program
      ? memberExpiries(program, member.state, lots, now)
      : upcomingExpiries(lots, now, UPCOMING_EXPIRIES_LIMIT),
  };
}
