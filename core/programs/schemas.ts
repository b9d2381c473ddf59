import { z } from 'zod';
import { ExpiryPolicyView } from '../expiry/schemas';
import { Timestamp, TimeZoneInput } from '../kernel/schemas';
import { TierSetView } from '../tiers/schemas';
import { MAX_LATENESS_DAYS } from './domain/program';

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
    returnPolicy: z.enum(['cap-at-balance', 'negative-balance'], {
      error: 'must be "cap-at-balance" or "negative-balance"',
    }),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one setting to change' });
export type ProgramSettingsInput = z.infer<typeof ProgramSettingsInput>;

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
    returnPolicy: z.enum(['cap-at-balance', 'negative-balance']),
    expiryPolicy: ExpiryPolicyView,
    tierSet: TierSetView.nullable().describe('Null when tiers are off'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'ProgramView', description: "The program's settings" });
