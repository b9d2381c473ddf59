import { randomBytes } from 'node:crypto';
import { acceptedFrom } from '../../earning/domain/time-window';
import { isValidTimeZone } from '../../kernel/calendar';
import type { Clock } from '../../kernel/clock';
import { isKnownCurrency } from '../../kernel/currency';
import { type FieldError, ValidationFailed } from '../../kernel/errors';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE, ulid } from '../../kernel/ids';
import { MAX_MINOR } from '../../kernel/schemas';
import {
  DEFAULT_AMOUNT_TOLERANCE_PER_LINE,
  DEFAULT_EARN_ON,
  DEFAULT_LATENESS_DAYS,
  DEFAULT_MAX_POINTS_PER_TRANSACTION,
  DEFAULT_MAX_PURCHASE_AMOUNT,
  DEFAULT_SUPPORT_ADJUSTMENT_LIMIT,
  type EarnOn,
  MAX_LATENESS_DAYS,
  MAX_POINTS_PER_TRANSACTION,
  type ProgramSettings,
  type ReturnPolicy,
  SCOPES,
  type Scope,
  type WindfallKeys,
} from '../domain/program';
import { ProgramNotFound } from '../errors';
import type { ProgramStore, StoredApiKey } from '../ports';
import { hashApiKey } from './authenticate';
import { type ThrottleChanges, throttleLimitsInto } from './throttle-limits';

export interface ProgramDeps {
  programs: ProgramStore;
  clock: Clock;
}

export function generateApiKey(): string {
  return `lk_${randomBytes(32).toString('base64url')}`;
}

/** A fresh windfall key (32 random bytes) as the program's only, current key. */
export function newWindfallKeys(): WindfallKeys {
  const id = `wk-${ulid().toLowerCase()}`;
  return { current: id, keys: { [id]: randomBytes(32).toString('base64url') } };
}

/**
 * A new current windfall key; the old ones stay (draws made with them can still be audited). For a
 * key that leaked: draws from now on cannot be predicted with it.
 */
export async function rotateWindfallKey(programId: string, deps: ProgramDeps): Promise<{ keyId: string }> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  const fresh = newWindfallKeys();
  const windfallKeys: WindfallKeys = {
    current: fresh.current,
    keys: { ...program.windfallKeys?.keys, ...fresh.keys },
  };
  await deps.programs.updateProgram(programId, { windfallKeys }, deps.clock.now().toISOString());
  return { keyId: fresh.current };
}

export function parseScopes(value: string): Scope[] {
  const scopes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !SCOPES.includes(s as Scope));
  if (!scopes.length || unknown.length) {
    throw new ValidationFailed([
      {
        field: 'scopes',
        message:
          `must be a comma-separated list of ` +
          `${SCOPES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
      },
    ]);
  }
  return [...new Set(scopes)] as Scope[];
}

export interface CreateProgramInput {
  programId: string;
  name?: string;
  currency?: string;
  timeZone?: string;
  /** Defaults: DEFAULT_THROTTLE. */
  throttle?: ThrottleChanges;
  pointsPerUnit?: number;
  autoEnrol?: boolean;
  pendingDays?: number;
  latenessDays?: number;
  returnPolicy?: ReturnPolicy;
  earnOn?: Partial<EarnOn>;
  amountTolerancePerLine?: number;
  maxPurchaseAmount?: number;
  maxPointsPerTransaction?: number;
}

/** The money settings (docs/earning-rules.md#money-that-adds-up), validated alike at creation and on change. */
interface MoneySettings {
  earnOn?: Partial<EarnOn>;
  amountTolerancePerLine?: number;
  maxPurchaseAmount?: number;
  maxPointsPerTransaction?: number;
}

function moneyErrors(s: MoneySettings): FieldError[] {
  const errors: FieldError[] = [];
  const whole = (field: keyof MoneySettings, value: number | undefined, min: number, max: number, what: string) => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < min || value > max))
      errors.push({ field, message: `must be a whole number of ${what} from ${min} to ${max}` });
  };
  whole('amountTolerancePerLine', s.amountTolerancePerLine, 0, 100, 'minor units');
  whole('maxPurchaseAmount', s.maxPurchaseAmount, 1, MAX_MINOR, 'minor units');
  whole('maxPointsPerTransaction', s.maxPointsPerTransaction, 1, MAX_POINTS_PER_TRANSACTION, 'points');
  for (const [k, v] of Object.entries(s.earnOn ?? {})) {
    if (!(k in DEFAULT_EARN_ON)) errors.push({ field: `earnOn.${k}`, message: 'is not shipping, tax or giftCards' });
    else if (typeof v !== 'boolean') errors.push({ field: `earnOn.${k}`, message: 'must be true or false' });
  }
  return errors;
}

const badLateness = (days: number | undefined) =>
  days !== undefined && (!Number.isInteger(days) || days < 0 || days > MAX_LATENESS_DAYS);
const LATENESS_RULE = `must be a whole number of days from 0 to ${MAX_LATENESS_DAYS}`;

export async function createProgram(input: CreateProgramInput, deps: ProgramDeps, adminKey = generateApiKey()) {
  const errors: FieldError[] = [];
  if (!CLIENT_ID_PATTERN.test(input.programId))
    errors.push({ field: 'programId', message: `must be ${CLIENT_ID_RULE}` });
  const currency = input.currency ?? 'USD';
  if (!isKnownCurrency(currency)) errors.push({ field: 'currency', message: 'is not an ISO 4217 currency' });
  const pointsPerUnit = input.pointsPerUnit ?? 1;
  if (!Number.isSafeInteger(pointsPerUnit) || pointsPerUnit < 0 || pointsPerUnit > 10_000)
    errors.push({ field: 'pointsPerUnit', message: 'must be a whole number from 0 to 10000' });
  const timeZone = input.timeZone ?? 'UTC';
  if (!isValidTimeZone(timeZone))
    errors.push({ field: 'timeZone', message: 'must be an IANA time zone such as "Europe/Paris"' });
  const throttle = throttleLimitsInto(errors, input.throttle);
  const pendingDays = input.pendingDays ?? 0;
  if (!Number.isInteger(pendingDays) || pendingDays < 0 || pendingDays > 365)
    errors.push({ field: 'pendingDays', message: 'must be a whole number of days from 0 to 365' });
  if (input.returnPolicy !== undefined && !['cap-at-balance', 'negative-balance'].includes(input.returnPolicy))
    errors.push({ field: 'returnPolicy', message: 'must be "cap-at-balance" or "negative-balance"' });
  if (badLateness(input.latenessDays)) errors.push({ field: 'latenessDays', message: LATENESS_RULE });
  errors.push(...moneyErrors(input));
  if (errors.length) throw new ValidationFailed(errors);

  const settings: ProgramSettings = {
    programId: input.programId,
    name: input.name ?? input.programId,
    currency,
    timeZone,
    pointsPerUnit,
    autoEnrol: input.autoEnrol ?? true,
    pendingDays,
    latenessDays: input.latenessDays ?? DEFAULT_LATENESS_DAYS,
    earnOn: { ...DEFAULT_EARN_ON, ...input.earnOn },
    amountTolerancePerLine: input.amountTolerancePerLine ?? DEFAULT_AMOUNT_TOLERANCE_PER_LINE,
    maxPurchaseAmount: input.maxPurchaseAmount ?? DEFAULT_MAX_PURCHASE_AMOUNT,
    maxPointsPerTransaction: input.maxPointsPerTransaction ?? DEFAULT_MAX_POINTS_PER_TRANSACTION,
    returnPolicy: input.returnPolicy ?? 'cap-at-balance',
    supportAdjustmentLimit: DEFAULT_SUPPORT_ADJUSTMENT_LIMIT,
    expiryPolicy: { kind: 'none' },
    tierSet: null,
    windfallKeys: newWindfallKeys(),
    createdAt: deps.clock.now().toISOString(),
    throttle,
  };
  await deps.programs.createProgram(settings);
  const key = await storeKey(input.programId, ['admin'], adminKey, deps, 'initial admin key');
  return { programId: settings.programId, adminKey: key.apiKey, settings };
}

/** Settings an operator may change after creation; each is validated like at creation. */
export type SettingsChanges = {
  timeZone?: string;
  pendingDays?: number;
  returnPolicy?: ReturnPolicy;
  autoEnrol?: boolean;
  name?: string;
  pointsPerUnit?: number;
  latenessDays?: number;
  supportAdjustmentLimit?: number;
} & MoneySettings;

export async function updateProgramSettings(programId: string, changes: SettingsChanges, deps: ProgramDeps) {
  const errors = settingsErrors(changes);
  if (errors.length) throw new ValidationFailed(errors);
  const now = deps.clock.now().toISOString();
  const { earnOn, ...rest } = changes;
  // earnOn changes are merged into the stored policy: { tax: true } keeps the other two as they were.
  const merged = earnOn ? { earnOn: { ...(await programOrThrow(programId, deps)).earnOn, ...earnOn } } : {};
  return deps.programs.updateProgram(
    programId,
    { ...rest, ...merged, ...(await lateFloor(programId, changes, now, deps)) },
    now,
  );
}

async function programOrThrow(programId: string, deps: ProgramDeps): Promise<ProgramSettings> {
  const p = await deps.programs.getProgram(programId);
  if (!p) throw new ProgramNotFound(programId);
  return p;
}

/**
 * Raising latenessDays cannot bring back the counters of periods the old window had already let go:
 * nothing older than the old window, as of now, is accepted.
 */
async function lateFloor(
  programId: string,
  changes: { latenessDays?: number },
  now: string,
  deps: ProgramDeps,
): Promise<{ lateFloor?: string }> {
  if (changes.latenessDays === undefined) return {};
  const current = await deps.programs.getProgram(programId);
  if (!current || changes.latenessDays <= current.latenessDays) return {};
  return { lateFloor: acceptedFrom(now, current) };
}

/** What is wrong with `changes`, every field; checked before anything is written. */
export function settingsErrors(changes: SettingsChanges): FieldError[] {
  const errors: FieldError[] = moneyErrors(changes);
  if (badLateness(changes.latenessDays)) errors.push({ field: 'latenessDays', message: LATENESS_RULE });
  const limit = changes.supportAdjustmentLimit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_POINTS_PER_TRANSACTION))
    errors.push({
      field: 'supportAdjustmentLimit',
      message: `must be a whole number of points from 0 to ${MAX_POINTS_PER_TRANSACTION}`,
    });
  if (
    changes.pointsPerUnit !== undefined &&
    (!Number.isSafeInteger(changes.pointsPerUnit) || changes.pointsPerUnit < 0 || changes.pointsPerUnit > 10_000)
  )
    errors.push({ field: 'pointsPerUnit', message: 'must be a whole number from 0 to 10000' });
  if (changes.timeZone !== undefined && !isValidTimeZone(changes.timeZone))
    errors.push({ field: 'timeZone', message: 'must be an IANA time zone such as "Europe/Paris"' });
  if (
    changes.pendingDays !== undefined &&
    (!Number.isInteger(changes.pendingDays) || changes.pendingDays < 0 || changes.pendingDays > 365)
  )
    errors.push({ field: 'pendingDays', message: 'must be a whole number of days from 0 to 365' });
  if (changes.returnPolicy !== undefined && !['cap-at-balance', 'negative-balance'].includes(changes.returnPolicy))
    errors.push({ field: 'returnPolicy', message: 'must be "cap-at-balance" or "negative-balance"' });
  return errors;
}

export async function createApiKey(
  programId: string,
  scopes: Scope[],
  deps: ProgramDeps,
  opts: { rawKey?: string; label?: string; expiresAt?: string } = {},
) {
  if (!(await deps.programs.getProgram(programId))) throw new ProgramNotFound(programId);
  return storeKey(programId, scopes, opts.rawKey ?? generateApiKey(), deps, opts.label, opts.expiresAt);
}

async function storeKey(
  programId: string,
  scopes: Scope[],
  rawKey: string,
  deps: ProgramDeps,
  label?: string,
  expiresAt?: string,
) {
  const key: StoredApiKey = {
    keyId: ulid(),
    programId,
    scopes,
    createdAt: deps.clock.now().toISOString(),
    ...(label !== undefined ? { label } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
  if (await deps.programs.putApiKey(hashApiKey(rawKey), key)) return { apiKey: rawKey, keyId: key.keyId, scopes, key };
  // Re-seeding a chosen key (LOYALTY_API_KEY) is fine if it already belongs to this program.
  const existing = await deps.programs.getApiKey(hashApiKey(rawKey));
  if (existing?.programId !== programId)
    throw new ValidationFailed([{ field: 'apiKey', message: 'is already bound to another program' }]);
  return { apiKey: rawKey, keyId: existing.keyId, scopes: existing.scopes, key: existing };
}
