// API Gateway's throttling as the embedded run reproduces it: a token bucket per API key (its
// usage plan's rate and burst), one per method (the stage throttle), and a request count per quota
// period. The functions are pure, time passed in as epoch milliseconds; createMeter holds the state.

export interface ThrottleSettings {
  /** Tokens added per second. */
  rateLimit: number;
  /** The bucket's size: requests that may arrive at once. */
  burstLimit: number;
}

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

/** A usage plan's limits for the keys in it, as API Gateway holds them (offset 0). */
export interface UsagePlanLimits extends ThrottleSettings {
  quota: { limit: number; period: QuotaPeriod } | null;
}

export interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
}

/** The bucket at `now`: refilled at the rate since it was last seen, never above the burst. */
export function refill(bucket: Bucket | undefined, limits: ThrottleSettings, now: number): Bucket {
  if (!bucket) return { tokens: limits.burstLimit, at: now };
  const elapsed = Math.max(0, now - bucket.at) / 1000;
  return {
    tokens: Math.min(limits.burstLimit, bucket.tokens + elapsed * limits.rateLimit),
    at: Math.max(now, bucket.at),
  };
}

/** One request: admitted when a whole token is there, which it takes. */
export function take(
  bucket: Bucket | undefined,
  limits: ThrottleSettings,
  now: number,
): { admitted: boolean; bucket: Bucket } {
  const current = refill(bucket, limits, now);
  if (current.tokens < 1) return { admitted: false, bucket: current };
  return { admitted: true, bucket: { tokens: current.tokens - 1, at: current.at } };
}

/** Start of the quota period holding `now`: 00:00 UTC, of the day, of the week's Sunday, of the month. */
export function periodStart(period: QuotaPeriod, now: number): number {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day;
  if (period === 'WEEK') return day - d.getUTCDay() * 86_400_000;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export interface QuotaCount {
  periodStart: number;
  used: number;
}

/** One request against a quota: counted when the period has room left. */
export function count(
  used: QuotaCount | undefined,
  quota: NonNullable<UsagePlanLimits['quota']>,
  now: number,
): { admitted: boolean; count: QuotaCount } {
  const start = periodStart(quota.period, now);
  const current = used && used.periodStart === start ? used : { periodStart: start, used: 0 };
  if (current.used >= quota.limit) return { admitted: false, count: current };
  return { admitted: true, count: { periodStart: start, used: current.used + 1 } };
}

export type MeterVerdict = 'ADMITTED' | 'THROTTLED' | 'QUOTA_EXCEEDED';

export interface Meter {
  /**
   * A request of `apiKey` on `method` (its stage throttle, if any): the key's bucket first, then the
   * method's, then the key's quota. A request refused by a bucket is not counted against the quota.
   */
  admit(
    request: { apiKey: string | null; plan: UsagePlanLimits | null; method: string; stage: ThrottleSettings | null },
    now: number,
  ): MeterVerdict;
}

export function createMeter(): Meter {
  const keyBuckets = new Map<string, Bucket>();
  const methodBuckets = new Map<string, Bucket>();
  const quotas = new Map<string, QuotaCount>();
  return {
    admit({ apiKey, plan, method, stage }, now) {
      if (apiKey !== null && plan) {
        const key = take(keyBuckets.get(apiKey), plan, now);
        keyBuckets.set(apiKey, key.bucket);
        if (!key.admitted) return 'THROTTLED';
      }
      if (stage) {
        const route = take(methodBuckets.get(method), stage, now);
        methodBuckets.set(method, route.bucket);
        if (!route.admitted) return 'THROTTLED';
      }
      if (apiKey !== null && plan?.quota) {
        const used = count(quotas.get(apiKey), plan.quota, now);
        quotas.set(apiKey, used.count);
        if (!used.admitted) return 'QUOTA_EXCEEDED';
      }
      return 'ADMITTED';
    },
  };
}
