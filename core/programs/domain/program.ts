// A program: its currency, time zone and policies, and who may call it (API key scopes).
import type { ExpiryPolicy } from '../../expiry/domain/expiry';
import type { TierSet } from '../../tiers/domain/tiers';
import type { ThrottleLimits, UsagePlanBinding } from './throttle';

export type Scope = 'members:read' | 'members:write' | 'purchases:write' | 'admin';
export const SCOPES: readonly Scope[] = ['members:read', 'members:write', 'purchases:write', 'admin'];

/** What a return takes back when the order's points were already spent (docs/returns.md). */
export type ReturnPolicy = 'cap-at-balance' | 'negative-balance';

export interface ProgramSettings {
  programId: string;
  name: string;
  currency: string; // the program's currency; purchases in another currency are rejected
  timeZone: string; // IANA zone for campaigns, periods, calendar expiry and tier windows
  pointsPerUnit: number; // integer points per whole currency unit, used while the program has no earning rules
  autoEnrol: boolean; // enrol unknown members on their first purchase
  pendingDays: number; // purchase points stay pending (unspendable) this many days: the return window
  returnPolicy: ReturnPolicy;
  expiryPolicy: ExpiryPolicy;
  tierSet: TierSet | null;
  createdAt: string;
  updatedAt?: string;
  /** Rate, burst and quota API Gateway allows the program; set by the operator only. Absent: the defaults. */
  throttle?: ThrottleLimits;
  /** The program's API Gateway key and usage plan, once synced to AWS. */
  usagePlan?: UsagePlanBinding;
}
