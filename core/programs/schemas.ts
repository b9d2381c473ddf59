import { z } from 'zod';
import { ExpiryPolicyView } from '../expiry/schemas';
import { Timestamp, TimeZoneInput } from '../kernel/schemas';
import { TierSetView } from '../tiers/schemas';
import { MAX_BURST_LIMIT, MAX_QUOTA_LIMIT, MAX_RATE_LIMIT, QUOTA_PERIODS } from './domain/throttle';

/**
 * PATCH /v1/admin/program: every field optional, at least one. Currency and earning rates belong to other endpoints.
 */
export const ProgramSettingsInput = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    timeZone: TimeZoneInput,
    autoEnrol: z.boolean(),
    pendingDays: z.int('must be a whole number of days').min(0).max(365),
    returnPolicy: z.enum(['cap-at-balance', 'negative-balance'], {
      error: 'must be "cap-at-balance" or "negative-balance"',
    }),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one setting to change' });
export type ProgramSettingsInput = z.infer<typeof ProgramSettingsInput>;

// Throttle limits: the operator's, through the CLI (`program create|set --rate --burst --quota`), never
// through the admin API, so a program cannot raise its own limits.
const wholeRequests = (what: string, max: number) =>
  z.int(`must be a whole number of ${what}`).min(1, 'must be at least 1').max(max, `must be at most ${max}`);

export const QuotaInput = z.strictObject({
  limit: wholeRequests('requests', MAX_QUOTA_LIMIT),
  period: z.enum(QUOTA_PERIODS, { error: `must be one of ${QUOTA_PERIODS.join(', ')}` }),
});

export const ThrottleLimitsInput = z
  .strictObject({
    rateLimit: wholeRequests('requests per second', MAX_RATE_LIMIT),
    burstLimit: wholeRequests('requests', MAX_BURST_LIMIT),
    quota: QuotaInput.nullable(),
  })
  .refine((v) => v.burstLimit >= v.rateLimit, {
    path: ['burstLimit'],
    error: (issue) => {
      const v = issue.input as { rateLimit: number; burstLimit: number };
      return `must be at least the rate limit (${v.rateLimit}), received ${v.burstLimit}`;
    },
  });

export const ThrottleLimitsView = z
  .strictObject({
    rateLimit: z.int().describe('Steady requests per second'),
    burstLimit: z.int().describe('Requests that may arrive at once'),
    quota: z
      .strictObject({ limit: z.int(), period: z.enum(QUOTA_PERIODS) })
      .nullable()
      .describe('Requests per UTC day, week (from Sunday) or calendar month; null: none'),
  })
  .meta({
    id: 'ThrottleLimits',
    description: "The program's share of the API, set by the operator: over it, 429 throttled or quota-exceeded",
  });

// Output: what an admin sees of the program (programView).
export const ProgramView = z
  .strictObject({
    programId: z.string(),
    name: z.string(),
    currency: z.string().describe('ISO 4217: purchases in another currency are rejected'),
    timeZone: z.string().describe('IANA zone of campaigns, periods, calendar expiry and tier windows'),
    pointsPerUnit: z.int().describe('Points per whole currency unit while the program has no earning rules'),
    autoEnrol: z.boolean().describe('Unknown members are enrolled by their first purchase'),
    pendingDays: z.int().describe('Days purchase points stay pending (the return window)'),
    returnPolicy: z.enum(['cap-at-balance', 'negative-balance']),
    expiryPolicy: ExpiryPolicyView,
    tierSet: TierSetView.nullable().describe('Null when tiers are off'),
    throttle: ThrottleLimitsView,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'ProgramView', description: "The program's settings" });
