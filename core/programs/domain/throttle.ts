// How much of the API one program may use: a steady rate and a burst (a token bucket) and an
// optional quota per period. API Gateway enforces them per program through a usage plan keyed by
// the value the authorizer returns; only the operator sets them (docs/operations.md).

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';
export const QUOTA_PERIODS: readonly QuotaPeriod[] = ['DAY', 'WEEK', 'MONTH'];

export interface Quota {
  /** Requests the program may make in one period. */
  limit: number;
  /** UTC day, week (from Sunday, as API Gateway counts with offset 0) or calendar month. */
  period: QuotaPeriod;
}

export interface ThrottleLimits {
  /** Steady requests per second (the bucket's refill rate). */
  rateLimit: number;
  /** Requests that may arrive at once (the bucket's size); at least the rate. */
  burstLimit: number;
  quota: Quota | null;
}

/** What a program gets until the operator says otherwise: a tenth of a prod route, no quota. */
export const DEFAULT_THROTTLE: ThrottleLimits = Object.freeze({ rateLimit: 50, burstLimit: 100, quota: null });

/** API Gateway's default account burst in a region: no usage plan can usefully go higher. */
export const MAX_BURST_LIMIT = 5_000;
export const MAX_RATE_LIMIT = MAX_BURST_LIMIT;
/** API Gateway stores quota limits as 32-bit integers. */
export const MAX_QUOTA_LIMIT = 2_000_000_000;

/** Where API Gateway enforces a program's limits on AWS: written by `program sync --aws`. */
export interface UsagePlanBinding {
  /** The API Gateway API key's id. */
  apiKeyId: string;
  /** The API key's value: what the authorizer returns as `usageIdentifierKey`. Clients never send it. */
  usageKey: string;
  usagePlanId: string;
}

/**
 * The value API Gateway meters a program's requests by: its API Gateway key when it has one, its
 * id otherwise. On AWS an id is no API key, so API Gateway refuses the request (403) until the
 * operator syncs the program; the local gateway meters by program id (docs/operations.md).
 */
export function usageIdentifier(programId: string, binding: UsagePlanBinding | undefined): string {
  return binding?.usageKey ?? programId;
}
