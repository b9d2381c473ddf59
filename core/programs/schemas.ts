import * as z from 'zod';
import { ExpiryPolicyView } from '../expiry/schemas';
import { MAX_MINOR, Timestamp, TimeZoneInput } from '../kernel/schemas';
import { TierSetView } from '../tiers/schemas';
import { MAX_ROTATION_GRACE_SECONDS } from './domain/api-keys';
import { MAX_LATENESS_DAYS, MAX_POINTS_PER_TRANSACTION, SCOPES, type Scope } from './domain/program';
import { MAX_BURST_LIMIT, MAX_QUOTA_LIMIT, MAX_RATE_LIMIT, QUOTA_PERIODS } from './domain/throttle';

const EarnOnInput = z
  .strictObject({ shipping: z.boolean(), tax: z.boolean(), giftCards: z.boolean() })
  .partial()
  .describe('Which of shipping, tax and gift cards sold earn; a field not sent keeps its setting');

/**
 * PATCH /v1/admin/program: every field optional, at least one. The currency is fixed; earning rules have their own
 * endpoints (`pointsPerUnit` is the flat rate earned while no base rule is in force).
 */
export const ProgramSettingsInput = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    timeZone: TimeZoneInput,
    autoEnrol: z.boolean(),
    pointsPerUnit: z.int('must be a whole number of points').min(0).max(10_000),
    pendingDays: z.int('must be a whole number of days').min(0).max(365),
    latenessDays: z.int('must be a whole number of days').min(0).max(MAX_LATENESS_DAYS),
    earnOn: EarnOnInput,
    amountTolerancePerLine: z.int('must be a whole number of minor units').min(0).max(100),
    maxPurchaseAmount: z.int('must be a whole number of minor units').min(1).max(MAX_MINOR),
    maxPointsPerTransaction: z.int('must be a whole number of points').min(1).max(MAX_POINTS_PER_TRANSACTION),
    returnPolicy: z.enum(['cap-at-balance', 'negative-balance'], {
      error: 'must be "cap-at-balance" or "negative-balance"',
    }),
    supportAdjustmentLimit: z.int('must be a whole number of points').min(0).max(MAX_POINTS_PER_TRANSACTION),
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
    pointsPerUnit: z
      .int()
      .describe('Points per whole currency unit while no base rule is in force (docs/earning-rules.md)'),
    autoEnrol: z.boolean().describe('Unknown members are enrolled by their first purchase'),
    pendingDays: z.int().describe('Days purchase points stay pending (the return window)'),
    latenessDays: z
      .int()
      .describe('Days late a purchase, event or return may be recorded; older is a 422 too-late (default 30)'),
    earnOn: z
      .strictObject({ shipping: z.boolean(), tax: z.boolean(), giftCards: z.boolean() })
      .describe('Which of shipping, tax and gift cards sold earn (none by default); products always do'),
    amountTolerancePerLine: z
      .int()
      .describe('How far amount may be from the lines net of discounts plus shipping and tax, per line (default 1)'),
    maxPurchaseAmount: z.int().describe('The largest amount of one purchase, minor units (default 100000000)'),
    maxPointsPerTransaction: z
      .int()
      .describe('The most points one purchase or event earns: a last cap (default 1000000)'),
    returnPolicy: z.enum(['cap-at-balance', 'negative-balance']),
    supportAdjustmentLimit: z
      .int()
      .describe('The most points, either way, one adjustment by the `support` staff role may move (default 1000)'),
    expiryPolicy: ExpiryPolicyView,
    tierSet: TierSetView.nullable().describe('Null when tiers are off'),
    throttle: ThrottleLimitsView,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'ProgramView', description: "The program's settings" });

const ScopeName = z.enum(SCOPES as [Scope, ...Scope[]]);

export const ApiKeyInput = z
  .strictObject({
    scopes: z.array(ScopeName).min(1, 'must name at least one scope').max(SCOPES.length),
    label: z.string().trim().min(1).max(100).optional().describe('Who or what the key is for'),
    expiresAt: Timestamp.optional().describe('The key stops working at this instant'),
  })
  .describe('A new API key');

export const RotateKeyInput = z
  .strictObject({
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_ROTATION_GRACE_SECONDS)
      .optional()
      .describe('How long the old key keeps working: default 86400 (a day), 0 ends it now'),
  })
  .describe('A rotation');

export const ApiKeyView = z
  .strictObject({
    keyId: z.string(),
    label: z.string().nullable(),
    scopes: z.array(ScopeName),
    status: z.enum(['active', 'expired', 'revoked']),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedOn: z.string().nullable().describe('The UTC day the authorizer last let it in'),
  })
  .meta({ id: 'ApiKeyView', description: 'An API key, never its value' });

export const CreatedApiKey = ApiKeyView.extend({
  apiKey: z.string().describe('The key itself: shown once, only its SHA-256 is stored'),
}).meta({ id: 'CreatedApiKey' });

export const ApiKeyList = z.strictObject({ items: z.array(ApiKeyView) }).meta({ id: 'ApiKeyList' });

export const RotatedApiKey = z
  .strictObject({ key: CreatedApiKey, previous: ApiKeyView })
  .meta({ id: 'RotatedApiKey', description: 'The new key (shown once) and the old one with its new expiry' });
