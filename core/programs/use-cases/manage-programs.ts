import { randomBytes } from 'node:crypto';
import { isValidTimeZone } from '../../kernel/calendar';
import type { Clock } from '../../kernel/clock';
import { isKnownCurrency } from '../../kernel/currency';
import { type FieldError, ValidationFailed } from '../../kernel/errors';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE, ulid } from '../../kernel/ids';
import { type ProgramSettings, type ReturnPolicy, SCOPES, type Scope } from '../domain/program';
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
  returnPolicy?: ReturnPolicy;
}

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
  if (errors.length) throw new ValidationFailed(errors);

  const settings: ProgramSettings = {
    programId: input.programId,
    name: input.name ?? input.programId,
    currency,
    timeZone,
    pointsPerUnit,
    autoEnrol: input.autoEnrol ?? true,
    pendingDays,
    returnPolicy: input.returnPolicy ?? 'cap-at-balance',
    expiryPolicy: { kind: 'none' },
    tierSet: null,
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
};

export async function updateProgramSettings(programId: string, changes: SettingsChanges, deps: ProgramDeps) {
  const errors = settingsErrors(changes);
  if (errors.length) throw new ValidationFailed(errors);
  return deps.programs.updateProgram(programId, changes, deps.clock.now().toISOString());
}

/** What is wrong with `changes`, every field; checked before anything is written. */
export function settingsErrors(changes: SettingsChanges): FieldError[] {
  const errors: FieldError[] = [];
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
  opts: { rawKey?: string; label?: string } = {},
) {
  if (!(await deps.programs.getProgram(programId))) throw new ProgramNotFound(programId);
  return storeKey(programId, scopes, opts.rawKey ?? generateApiKey(), deps, opts.label);
}

async function storeKey(programId: string, scopes: Scope[], rawKey: string, deps: ProgramDeps, label?: string) {
  const key: StoredApiKey = { keyId: ulid(), programId, scopes, label, createdAt: deps.clock.now().toISOString() };
  if (await deps.programs.putApiKey(hashApiKey(rawKey), key)) return { apiKey: rawKey, keyId: key.keyId, scopes };
  // Re-seeding a chosen key (LOYALTY_API_KEY) is fine if it already belongs to this program.
  const existing = await deps.programs.getApiKey(hashApiKey(rawKey));
  if (existing?.programId !== programId)
    throw new ValidationFailed([{ field: 'apiKey', message: 'is already bound to another program' }]);
  return { apiKey: rawKey, keyId: existing.keyId, scopes: existing.scopes };
}
