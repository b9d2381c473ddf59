// Tier qualification, upgrades, reviews (downgrades) and the member's progress view.
// Pure: `now` / `asOf` and the program time zone are passed in.
//
// Qualification windows are month-granular in the program time zone, so a member's
// qualifying activity can be kept incrementally as monthly buckets ("2026-11" -> amount)
// that a write ADDs to, and the bucket answer equals the answer from the full history.
//
// Tier grace policy:
//
//   Upgrades are immediate: as soon as the member's qualifying value in the current window
//   reaches a higher tier's threshold, they move up, possibly several tiers at once. Tiers never
//   go down except at a review. Reviews happen at the end of every review period: the calendar
//   month, quarter or year of a calendar window, or every calendar month for a rolling window
//   (program time zone; the review instant is the period's last millisecond, 23:59:59.999 local).
//   A review evaluates the last period that has ended and keeps the member's tier when any of
//   these holds: (1) it is the entry tier; (2) the qualifying value of the window ending with that
//   period reaches the tier's threshold (re-qualification); (3) the tier was obtained at or after
//   the end of that period (a later upgrade, or this review already ran: reviews are idempotent);
//   (4) `graceUntilEndOfNextPeriod` is on and the tier was obtained during that period: a tier
//   obtained in period P (by upgrade or by assignment) is kept until the end of period P+1 and is
//   first at risk at the review that closes P+1, even if the value of P falls short (returns, status
//   matches, manual assignment); (5) the window containing the review instant already reaches the
//   tier (only possible when a review runs late; the member would be upgraded straight back).
//   Otherwise the member drops: `dropMode: 'one-tier'` moves down exactly one tier per review;
//   `'to-qualifying'` moves to the highest tier the value supports. A tier set by a review counts as
//   obtained at the end of the reviewed period, so it must be re-qualified in the next period. A
//   member with no tier, or a tier the set no longer has, is placed at the tier their value
//   supports. A review never raises a tier (that is `tierAfterEarn`). A late review evaluates only
//   the last completed period. The next review is due at the end of the period after the reviewed one.

import {
  addMonthsToDate,
  endOf,
  type Instant,
  localDate,
  localMonthKey,
  MS_PER_DAY,
  monthKeysBetween,
  type PeriodUnit,
  parseMonthKey,
  startOf,
  startOfLocalDate,
  toInstant,
  toMs,
} from '../../kernel/calendar';

// ---------------------------------------------------------------------------------------
// Shapes and admin input

export type TierMetric = 'points' | 'spend';
export type CalendarPeriod = 'month' | 'quarter' | 'year';
export type TierWindow = { kind: 'rolling'; months: number } | { kind: 'calendar'; period: CalendarPeriod };
export type DropMode = 'one-tier' | 'to-qualifying';

export interface TierReviewPolicy {
  graceUntilEndOfNextPeriod: boolean;
  dropMode: DropMode;
}

export interface Tier {
  id: string;
  name: string;
  /** Qualifying value needed: points earned, or spend in minor units of the program currency. */
  threshold: number;
  /** Earning multiplier applied by the earning rules (1 = base rate); at most 2 decimals. */
  multiplier: number;
  attributes: Record<string, string | number | boolean>;
}

export interface TierSet {
  metric: TierMetric;
  window: TierWindow;
  review: TierReviewPolicy;
  /** Ordered from the entry tier (threshold 0) upwards, thresholds strictly increasing. */
  tiers: Tier[];
}

/** Monthly qualifying amounts keyed "YYYY-MM" in the program time zone. */
export type QualifyingBuckets = Record<string, number>;

/** One dated qualifying amount: points earned, or spend in minor units. Negative for reversals. */
export interface QualifyingActivity {
  at: Instant;
  amount: number;
}

export const MIN_TIERS = 2;
export const MAX_TIERS = 20;
export const MAX_ROLLING_MONTHS = 36;
export const DEFAULT_REVIEW_POLICY: TierReviewPolicy = { graceUntilEndOfNextPeriod: true, dropMode: 'one-tier' };

// ---------------------------------------------------------------------------------------
// Tier lookups

export function entryTier(tierSet: TierSet): Tier {
  const tier = tierSet.tiers[0];
  if (!tier) throw new RangeError('a tier set has at least one tier');
  return tier;
}

/** Position of a tier in the set, or -1 when unknown. */
export function tierIndex(tierId: string | null, tierSet: TierSet): number {
  return tierId === null ? -1 : tierSet.tiers.findIndex((t) => t.id === tierId);
}

/** A member with no tier, or a tier the set no longer has, is at the entry tier. */
function currentIndex(tierId: string | null, tierSet: TierSet): number {
  return Math.max(0, tierIndex(tierId, tierSet));
}

function tierAt(index: number, tierSet: TierSet): Tier {
  return tierSet.tiers[index] ?? entryTier(tierSet);
}

/** The tier with this id, or the entry tier when the id is null or unknown. */
export function findTier(tierId: string | null, tierSet: TierSet): Tier {
  return tierAt(currentIndex(tierId, tierSet), tierSet);
}

/** The earning multiplier for a member's tier (entry tier's when unknown). */
export function multiplierFor(tierId: string | null, tierSet: TierSet): number {
  return findTier(tierId, tierSet).multiplier;
}

/** The highest tier whose threshold `value` reaches. */
export function qualifyingTier(value: number, tierSet: TierSet): Tier {
  return tierAt(qualifyingIndex(value, tierSet), tierSet);
}

function qualifyingIndex(value: number, tierSet: TierSet): number {
  let index = 0;
  tierSet.tiers.forEach((tier, i) => {
    if (value >= tier.threshold) index = i;
  });
  return index;
}

// ---------------------------------------------------------------------------------------
// Windows and qualifying value

export interface QualifyingWindow {
  start: Instant; // first instant, program time zone
  end: Instant; // last instant (local 23:59:59.999)
  months: string[]; // bucket keys covered, oldest first
}

/** The review cadence: the calendar period for calendar windows, every month for rolling ones. */
export function reviewPeriodUnit(window: TierWindow): PeriodUnit {
  return window.kind === 'calendar' ? window.period : 'month';
}

/**
 * The window that contains `asOf`: the local calendar month/quarter/year, or for a rolling
 * window of N months the current local month and the N-1 months before it.
 */
export function qualifyingWindow(window: TierWindow, asOf: Instant, timeZone: string): QualifyingWindow {
  const end = endOf(asOf, reviewPeriodUnit(window), timeZone);
  const last = localDate(end, timeZone);
  const first =
    window.kind === 'rolling'
      ? addMonthsToDate({ year: last.year, month: last.month, day: 1 }, -(window.months - 1))
      : localDate(startOf(asOf, window.period, timeZone), timeZone);
  return {
    start: startOfLocalDate({ year: first.year, month: first.month, day: 1 }, timeZone),
    end,
    months: monthKeysBetween(first, last),
  };
}

/** The bucket an activity at `instant` is added to: its local month, "YYYY-MM". */
export function bucketKey(instant: Instant, timeZone: string): string {
  return localMonthKey(instant, timeZone);
}

/**
 * A copy of `buckets` with `amount` added to the bucket of `at`. A reversal (return) should be
 * added with the ORIGINAL activity's time, so it lands in the same window as what it undoes.
 */
export function addToBuckets(
  buckets: QualifyingBuckets,
  at: Instant,
  amount: number,
  timeZone: string,
): QualifyingBuckets {
  const key = bucketKey(at, timeZone);
  return { ...buckets, [key]: (buckets[key] ?? 0) + amount };
}

export function bucketsFromHistory(history: readonly QualifyingActivity[], timeZone: string): QualifyingBuckets {
  return history.reduce<QualifyingBuckets>((acc, a) => addToBuckets(acc, a.at, a.amount, timeZone), {});
}

/** Sum of the activity in the window containing `asOf`, up to `asOf` (never below 0). */
export function qualifyingValue(
  history: readonly QualifyingActivity[],
  tierSet: TierSet,
  asOf: Instant,
  timeZone: string,
): number {
  const window = qualifyingWindow(tierSet.window, asOf, timeZone);
  const from = toMs(window.start);
  const to = toMs(asOf);
  const sum = history.reduce((acc, a) => {
    const at = toMs(a.at);
    return at >= from && at <= to ? acc + a.amount : acc;
  }, 0);
  return Math.max(0, sum);
}

/**
 * Sum of the buckets in the window containing `asOf` (never below 0). Buckets are whole months,
 * so this equals `qualifyingValue` over the same activity when none of it is dated after `asOf`.
 */
export function qualifyingValueFromBuckets(
  buckets: QualifyingBuckets,
  tierSet: TierSet,
  asOf: Instant,
  timeZone: string,
): number {
  const sum = qualifyingWindow(tierSet.window, asOf, timeZone).months.reduce(
    (acc, key) => acc + (buckets[key] ?? 0),
    0,
  );
  return Math.max(0, sum);
}

/**
 * Drops the buckets no evaluation at or after `asOf` can need: everything older than the window
 * of the last completed review period (which a review, possibly late, still evaluates).
 * Returns the kept buckets and the removed keys (for a DynamoDB REMOVE). Malformed keys are removed.
 */
export function pruneBuckets(
  buckets: QualifyingBuckets,
  tierSet: TierSet,
  asOf: Instant,
  timeZone: string,
): { buckets: QualifyingBuckets; removed: string[] } {
  const reviewed = reviewedPeriodEnd(tierSet.window, asOf, timeZone);
  const keepFrom = qualifyingWindow(tierSet.window, reviewed, timeZone).months[0] ?? '';
  const kept: QualifyingBuckets = {};
  const removed: string[] = [];
  for (const [key, amount] of Object.entries(buckets)) {
    if (parseMonthKey(key) !== null && key >= keepFrom) kept[key] = amount;
    else removed.push(key);
  }
  return { buckets: kept, removed: removed.sort() };
}

// ---------------------------------------------------------------------------------------
// Upgrade

export interface TierChange {
  tierId: string;
  changed: boolean;
}

/**
 * The member's tier after qualifying activity at `now`: the highest tier the current window's
 * value reaches, if that is above the current tier (possibly several tiers up); otherwise the
 * current tier. Never lowers a tier. When `changed`, persist `now` as the member's tierAchievedAt.
 */
export function tierAfterEarn(
  currentTierId: string | null,
  buckets: QualifyingBuckets,
  tierSet: TierSet,
  now: Instant,
  timeZone: string,
): TierChange {
  const current = currentIndex(currentTierId, tierSet);
  const qualified = qualifyingIndex(qualifyingValueFromBuckets(buckets, tierSet, now, timeZone), tierSet);
  const tierId = tierAt(Math.max(current, qualified), tierSet).id;
  return { tierId, changed: tierId !== currentTierId };
}

// ---------------------------------------------------------------------------------------
// Review (downgrade)

export interface TierReviewInput {
  currentTierId: string | null;
  /** When the member obtained the current tier (upgrade, assignment or review); null if unknown. */
  tierAchievedAt: Instant | null;
  buckets: QualifyingBuckets;
  tierSet: TierSet;
  asOf: Instant;
  tz: string;
  /** Defaults to `tierSet.review`. */
  policy?: TierReviewPolicy;
}

export type TierReviewReason =
  | 'unknown-tier'
  | 'entry-tier'
  | 'requalified'
  | 'obtained-after-period'
  | 'grace'
  | 'live-qualification'
  | 'dropped';

export interface TierReviewResult {
  newTierId: string;
  changed: boolean;
  /** Persist as the member's tierAchievedAt: the reviewed period's end when changed, else the input. */
  tierAchievedAt: Instant | null;
  reason: TierReviewReason;
  /** The period this review evaluated (the last one that has ended at asOf). */
  reviewedPeriod: { start: Instant; end: Instant };
  /** Qualifying value of the window ending with the reviewed period. */
  qualifyingValue: number;
  /** When the next review is due: the end of the period after the reviewed one. */
  nextReviewAt: Instant;
}

/** The end of the last review period that has ended at `asOf` (asOf itself when it is a period end). */
export function reviewedPeriodEnd(window: TierWindow, asOf: Instant, timeZone: string): Instant {
  const unit = reviewPeriodUnit(window);
  const end = endOf(asOf, unit, timeZone);
  return toMs(end) === toMs(asOf) ? end : toInstant(toMs(startOf(asOf, unit, timeZone)) - 1);
}

/**
 * When the next review after `asOf` is due: the end of the review period containing asOf (or the following one at a
 * period end).
 */
export function nextReviewAt(window: TierWindow, asOf: Instant, timeZone: string): Instant {
  const unit = reviewPeriodUnit(window);
  return endOf(toInstant(toMs(reviewedPeriodEnd(window, asOf, timeZone)) + 1), unit, timeZone);
}

/** Applies the tier grace policy described at the top of this file. */
export function reviewTier(input: TierReviewInput): TierReviewResult {
  const { currentTierId, tierAchievedAt, buckets, tierSet, asOf, tz } = input;
  const policy = input.policy ?? tierSet.review;
  const unit = reviewPeriodUnit(tierSet.window);
  const periodEnd = reviewedPeriodEnd(tierSet.window, asOf, tz);
  const periodStart = startOf(periodEnd, unit, tz);
  const value = qualifyingValueFromBuckets(buckets, tierSet, periodEnd, tz);
  const current = currentIndex(currentTierId, tierSet);
  const achievedMs = tierAchievedAt === null ? null : toMs(tierAchievedAt);

  const base = {
    reviewedPeriod: { start: periodStart, end: periodEnd },
    qualifyingValue: value,
    nextReviewAt: endOf(toInstant(toMs(periodEnd) + 1), unit, tz),
  };
  const keep = (reason: TierReviewReason): TierReviewResult => {
    const tierId = tierAt(current, tierSet).id;
    return { ...base, newTierId: tierId, changed: tierId !== currentTierId, tierAchievedAt, reason };
  };

  const evaluated = qualifyingIndex(value, tierSet);
  const live = qualifyingIndex(qualifyingValueFromBuckets(buckets, tierSet, asOf, tz), tierSet);
  if (tierIndex(currentTierId, tierSet) === -1) {
    // No tier yet, or one the set no longer has: place the member where their value puts them.
    const newTierId = tierAt(Math.max(evaluated, live), tierSet).id;
    return { ...base, newTierId, changed: true, tierAchievedAt: periodEnd, reason: 'unknown-tier' };
  }
  if (current === 0) return keep('entry-tier');
  if (evaluated >= current) return keep('requalified');
  if (achievedMs !== null && achievedMs >= toMs(periodEnd)) return keep('obtained-after-period');
  if (policy.graceUntilEndOfNextPeriod && achievedMs !== null && achievedMs >= toMs(periodStart)) return keep('grace');
  if (live >= current) return keep('live-qualification');

  const target = policy.dropMode === 'one-tier' ? current - 1 : Math.max(evaluated, live);
  const newTierId = tierAt(target, tierSet).id;
  return { ...base, newTierId, changed: newTierId !== currentTierId, tierAchievedAt: periodEnd, reason: 'dropped' };
}

// ---------------------------------------------------------------------------------------
// Member view and downgrade warning

/** The member view reads the same facts a review does. */
export type TierProgressInput = TierReviewInput;

export interface TierProgress {
  metric: TierMetric;
  currentTier: Tier;
  /** Qualifying value of the current window (points, or spend in minor units). */
  qualifyingValue: number;
  window: { start: Instant; end: Instant };
  nextTier: Tier | null;
  /** Still needed in the current window to reach nextTier; null at the top tier. */
  toNextTier: number | null;
  /** Still needed by nextReviewAt to keep the current tier; 0 when it is already safe. */
  toKeepCurrentTier: number;
  /** The current tier survives the next review without further activity (entry tier, grace or already re-qualified). */
  currentTierSecured: boolean;
  nextReviewAt: Instant;
}

/** What the member sees: where they are, what the next tier takes, what keeping this one takes. */
export function tierProgress(input: TierProgressInput): TierProgress {
  const { currentTierId, buckets, tierSet, asOf, tz } = input;
  const current = currentIndex(currentTierId, tierSet);
  const currentTier = tierAt(current, tierSet);
  const nextTier = tierSet.tiers[current + 1] ?? null;
  const window = qualifyingWindow(tierSet.window, asOf, tz);
  const value = qualifyingValueFromBuckets(buckets, tierSet, asOf, tz);
  const reviewAt = window.end;
  // The next review evaluates the window that ends at reviewAt: the current one. Value can only
  // grow until then, so what is missing now is what must still be earned.
  const atNextReview = reviewTier({ ...input, asOf: reviewAt });
  const atRisk = atNextReview.reason === 'dropped';
  return {
    metric: tierSet.metric,
    currentTier,
    qualifyingValue: value,
    window: { start: window.start, end: window.end },
    nextTier,
    toNextTier: nextTier ? Math.max(0, nextTier.threshold - value) : null,
    toKeepCurrentTier: atRisk ? Math.max(0, currentTier.threshold - value) : 0,
    currentTierSecured: !atRisk,
    nextReviewAt: reviewAt,
  };
}

export interface DowngradeWarning {
  /** Stable per member: `tier-downgrade#<tierId>#<reviewAt>#<days>d`. Send each id once. */
  warningId: string;
  tierId: string;
  wouldDropTo: string;
  reviewAt: Instant;
  daysBefore: number;
  metric: TierMetric;
  qualifyingValue: number;
  /** Points or spend (minor units) still needed before reviewAt to keep tierId. */
  needed: number;
}

export interface DowngradeWarningOptions {
  /** Warn this many days (24 h each) before the review; default [30]. */
  daysBefore?: readonly number[];
  alreadySent?: ReadonlySet<string>;
}

/**
 * The warning due at `asOf` for a member who would drop at the next review if nothing changed,
 * or null. When several lead times are due (a missed run), only the closest to the review is
 * returned, and nothing once its warningId is in `alreadySent`.
 */
export function downgradeWarning(
  input: TierProgressInput,
  options: DowngradeWarningOptions = {},
): DowngradeWarning | null {
  const { daysBefore = [30], alreadySent = new Set<string>() } = options;
  const { tierSet, asOf, tz } = input;
  const reviewAt = qualifyingWindow(tierSet.window, asOf, tz).end;
  const now = toMs(asOf);
  const review = toMs(reviewAt);
  if (now >= review) return null;
  const due = daysBefore.filter((d) => now >= review - d * MS_PER_DAY);
  if (due.length === 0) return null;
  const days = Math.min(...due);

  const outcome = reviewTier({ ...input, asOf: reviewAt });
  if (outcome.reason !== 'dropped') return null;
  const current = findTier(input.currentTierId, tierSet);
  const warningId = `tier-downgrade#${current.id}#${reviewAt}#${days}d`;
  if (alreadySent.has(warningId)) return null;
  return {
    warningId,
    tierId: current.id,
    wouldDropTo: outcome.newTierId,
    reviewAt,
    daysBefore: days,
    metric: tierSet.metric,
    qualifyingValue: outcome.qualifyingValue,
    needed: Math.max(0, current.threshold - outcome.qualifyingValue),
  };
}
