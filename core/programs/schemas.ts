import { z } from 'zod';
import { TimeZoneInput } from '../kernel/schemas';

/** PATCH /v1/admin/program: every field optional, at least one. Currency and earning rates belong to other endpoints. */
export const ProgramSettingsInput = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    timeZone: TimeZoneInput,
    autoEnrol: z.boolean(),
    pendingDays: z.int('must be a whole number of days').min(0).max(365),
    returnPolicy: z.enum(['cap-at-balance', 'negative-balance'], { error: 'must be "cap-at-balance" or "negative-balance"' }),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one setting to change' });
export type ProgramSettingsInput = z.infer<typeof ProgramSettingsInput>;
