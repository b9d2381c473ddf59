// When a delivery is tried again. The default schedule is Standard Webhooks' (Svix's): at once, then
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later: 8 attempts over 27.6 hours. Each wait is
// jittered by up to ±10 %, so endpoints that failed together are not retried in lockstep, and even
// the shortest draw spans 24.8 hours. `WEBHOOK_RETRY_DELAYS_MS` replaces the whole schedule
// (local runs and tests: seconds instead of a day).

/** The wait before each attempt, in ms; the first is the wait before the first attempt (0: at once). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

export const JITTER = 0.1;

/** `WEBHOOK_RETRY_DELAYS_MS`: comma-separated non-negative integers; absent or empty: the default. */
export function parseRetryDelays(raw: string | undefined): readonly number[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_RETRY_DELAYS_MS;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d{1,10}$/.test(p)))
    throw new Error(`WEBHOOK_RETRY_DELAYS_MS must be comma-separated milliseconds (e.g. 0,200,500), got "${raw}"`);
  return parts.map(Number);
}

/**
 * The wait before attempt `attempt` (1-based), jittered; null once the schedule is spent. `random` is
 * in [0, 1).
 */
export function delayBefore(delays: readonly number[], attempt: number, random: number): number | null {
  const base = delays[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random));
}

/** When the next attempt is due after attempt `attempt` failed at `now`; null: no attempt is left. */
export function nextAttemptAt(delays: readonly number[], attempt: number, now: Date, random: number): Date | null {
  const wait = delayBefore(delays, attempt + 1, random);
  return wait === null ? null : new Date(now.getTime() + wait);
}

/**
 * An endpoint whose attempts have all failed since `failingSince` for this long is disabled (as
 * Standard Webhooks and Svix do): five days, longer than a whole retry schedule, so a delivery that
 * could still succeed is not abandoned for an outage of a day.
 */
export const DISABLE_AFTER_MS = 5 * 86_400_000;

/** `WEBHOOK_DISABLE_AFTER_MS` overrides it (tests); absent: five days. */
export function parseDisableAfter(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DISABLE_AFTER_MS;
  if (!/^\d{1,12}$/.test(raw.trim())) throw new Error(`WEBHOOK_DISABLE_AFTER_MS must be milliseconds, got "${raw}"`);
  return Number(raw.trim());
}

export function shouldDisable(failingSince: string | null, now: Date, disableAfterMs: number): boolean {
  return failingSince !== null && now.getTime() - Date.parse(failingSince) >= disableAfterMs;
}
