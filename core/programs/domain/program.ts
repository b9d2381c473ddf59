// A program: its currency, time zone and policies, and who may call it (API key scopes).
import type { ExpiryPolicy } from '../../expiry/domain/expiry';
import type { TierSet } from '../../tiers/domain/tiers';
import type { ThrottleLimits, UsagePlanBinding } from './throttle';

export type Scope =
  | 'members:read'
  | 'members:write'
  | 'purchases:write'
  | 'staff:viewer'
  | 'staff:support'
  | 'staff:manager'
  | 'admin';
export const SCOPES: readonly Scope[] = [
  'members:read',
  'members:write',
  'purchases:write',
  'staff:viewer',
  'staff:support',
  'staff:manager',
  'admin',
];

/** The most points a support role may adjust in one go unless the program says otherwise. */
export const DEFAULT_SUPPORT_ADJUSTMENT_LIMIT = 1_000;

/** Days a purchase, event or return may be recorded late unless the program says otherwise. */
export const DEFAULT_LATENESS_DAYS = 30;
/** The most a program may accept: counters of every period inside the window stay on the member item. */
export const MAX_LATENESS_DAYS = 90;

/** Which money earns besides products (docs/earning-rules.md#which-lines-earn). Products always do. */
export interface EarnOn {
  shipping: boolean;
  tax: boolean;
  giftCards: boolean;
}
export const DEFAULT_EARN_ON: EarnOn = Object.freeze({ shipping: false, tax: false, giftCards: false });
/** Rounding line by line costs at most a minor unit a line. */
export const DEFAULT_AMOUNT_TOLERANCE_PER_LINE = 1;
/** 1,000,000.00 in a currency of two decimals; set it for the program's currency. */
export const DEFAULT_MAX_PURCHASE_AMOUNT = 100_000_000;
export const DEFAULT_MAX_POINTS_PER_TRANSACTION = 1_000_000;
/** The most a program may allow: the largest points of a rule. */
export const MAX_POINTS_PER_TRANSACTION = 1_000_000_000;

/** What a return takes back when the order's points were already spent (docs/returns.md). */
export type ReturnPolicy = 'cap-at-balance' | 'negative-balance';

/**
 * The secret keys windfall draws are made with: `current` draws, the others stay so the operator can
 * audit draws made before a rotation. Never shown by the API.
 */
export interface WindfallKeys {
  current: string;
  /** Key id -> 32 random bytes, base64url. */
  keys: Record<string, string>;
}

export function currentWindfallKey(
  p: Pick<ProgramSettings, 'windfallKeys'>,
): { id: string; secret: string } | undefined {
  const id = p.windfallKeys?.current;
  const secret = id === undefined ? undefined : p.windfallKeys?.keys[id];
  return id !== undefined && secret !== undefined ? { id, secret } : undefined;
}

export interface ProgramSettings {
  programId: string;
  name: string;
  currency: string; // the program's currency; purchases in another currency are rejected
  timeZone: string; // IANA zone for campaigns, periods, calendar expiry and tier windows
  pointsPerUnit: number; // integer points per whole currency unit, earned while no base rule is in force
  autoEnrol: boolean; // enrol unknown members on their first purchase
  pendingDays: number; // purchase points stay pending (unspendable) this many days: the return window
  /** How many days late a purchase, event or return may be recorded (docs/earning-rules.md#late-records). */
  latenessDays: number;
  /** Nothing older is accepted: set when latenessDays was raised, as counters of older periods were gone. */
  lateFloor?: string;
  /** Which of shipping, tax and gift cards sold earn (none by default). */
  earnOn: EarnOn;
  /** How far amount may be from the lines net of discounts plus shipping and tax: minor units per line. */
  amountTolerancePerLine: number;
  /** The largest amount of one purchase, minor units. */
  maxPurchaseAmount: number;
  /** The most points one purchase or event can earn (a last cap); balances stay far below 2^53. */
  maxPointsPerTransaction: number;
  returnPolicy: ReturnPolicy;
  /** The most points (either way) a `support` staff role may adjust in one adjustment (absent: the default). */
  supportAdjustmentLimit?: number;
  expiryPolicy: ExpiryPolicy;
  tierSet: TierSet | null;
  /** Set at creation; a program created before keyed draws gets its keys the first time it draws. */
  windfallKeys?: WindfallKeys;
  createdAt: string;
  updatedAt?: string;
  /** Rate, burst and quota API Gateway allows the program; set by the operator only. Absent: the defaults. */
  throttle?: ThrottleLimits;
  /** The program's API Gateway key and usage plan, once synced to AWS. */
  usagePlan?: UsagePlanBinding;
}

/**
 * Settings stored before a field existed read as its default: one place for both stores' readers.
 * `stored` is what a store holds; the answer has every setting.
 */
export function withSettingDefaults(stored: Partial<ProgramSettings>) {
  return {
    timeZone: stored.timeZone ?? 'UTC',
    pointsPerUnit: stored.pointsPerUnit ?? 1,
    autoEnrol: stored.autoEnrol ?? true,
    pendingDays: stored.pendingDays ?? 0,
    latenessDays: stored.latenessDays ?? DEFAULT_LATENESS_DAYS,
    earnOn: { ...DEFAULT_EARN_ON, ...stored.earnOn },
    amountTolerancePerLine: stored.amountTolerancePerLine ?? DEFAULT_AMOUNT_TOLERANCE_PER_LINE,
    maxPurchaseAmount: stored.maxPurchaseAmount ?? DEFAULT_MAX_PURCHASE_AMOUNT,
    maxPointsPerTransaction: stored.maxPointsPerTransaction ?? DEFAULT_MAX_POINTS_PER_TRANSACTION,
    returnPolicy: stored.returnPolicy ?? ('cap-at-balance' as const),
    supportAdjustmentLimit: stored.supportAdjustmentLimit ?? DEFAULT_SUPPORT_ADJUSTMENT_LIMIT,
    expiryPolicy: stored.expiryPolicy ?? ({ kind: 'none' } as const),
    tierSet: stored.tierSet ?? null,
  };
}
