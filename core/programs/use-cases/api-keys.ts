// A program's API keys, managed with an admin key: list (never a key's value), create (the value
// shown once), revoke, rotate (a new key with the same scopes; the old one works for a grace period
// so partners can switch). The authorizer refuses a revoked or expired key from that instant; API
// Gateway may still serve its cached answer for the authorizer cache time (docs/api.md#api-keys).
import type { Clock } from '../../kernel/clock';
import { ValidationFailed } from '../../kernel/errors';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  graceExpiry,
  type KeyStatus,
  keyStatus,
  MAX_ROTATION_GRACE_SECONDS,
} from '../domain/api-keys';
import type { Scope } from '../domain/program';
import { ApiKeyNotFound, KeyInUse } from '../errors';
import type { ProgramStore, StoredApiKey } from '../ports';
import { createApiKey } from './manage-programs';

interface KeyDeps {
  programs: ProgramStore;
  clock: Clock;
}

export interface KeyView {
  keyId: string;
  label: string | null;
  scopes: Scope[];
  status: KeyStatus;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedOn: string | null;
}

export function keyView(key: StoredApiKey, now: string): KeyView {
  return {
    keyId: key.keyId,
    label: key.label ?? null,
    scopes: key.scopes,
    status: keyStatus(key, now),
    createdAt: key.createdAt,
    expiresAt: key.expiresAt ?? null,
    revokedAt: key.revokedAt ?? null,
    lastUsedOn: key.lastUsedOn ?? null,
  };
}

export async function listKeys(programId: string, deps: KeyDeps): Promise<{ items: KeyView[] }> {
  const now = deps.clock.now().toISOString();
  return { items: (await deps.programs.listApiKeys(programId)).map((k) => keyView(k, now)) };
}

export async function createKey(
  programId: string,
  input: { scopes: Scope[]; label?: string; expiresAt?: string },
  deps: KeyDeps,
): Promise<KeyView & { apiKey: string }> {
  const now = deps.clock.now().toISOString();
  if (input.expiresAt !== undefined && Number.isNaN(Date.parse(input.expiresAt)))
    throw new ValidationFailed([
      { field: 'expiresAt', message: 'must be an ISO-8601 date-time, e.g. 2027-06-30T00:00:00Z' },
    ]);
  if (input.expiresAt && new Date(input.expiresAt).toISOString() <= now)
    throw new ValidationFailed([{ field: 'expiresAt', message: `must be in the future (now ${now})` }]);
  const expiresAt = input.expiresAt && new Date(input.expiresAt).toISOString();
  const created = await createApiKey(programId, input.scopes, deps, { label: input.label, expiresAt });
  return { apiKey: created.apiKey, ...keyView(created.key, now) };
}

async function ownKey(programId: string, keyId: string, callerKeyId: string, deps: KeyDeps) {
  if (keyId === callerKeyId) throw new KeyInUse(keyId);
  const key = (await deps.programs.listApiKeys(programId)).find((k) => k.keyId === keyId);
  if (!key) throw new ApiKeyNotFound(keyId);
  return key;
}

/** Revoked from now; revoking a revoked key changes nothing and answers it as it is. */
export async function revokeKey(programId: string, keyId: string, callerKeyId: string, deps: KeyDeps) {
  await ownKey(programId, keyId, callerKeyId, deps);
  const now = deps.clock.now().toISOString();
  const ended = await deps.programs.endApiKey(programId, keyId, { revokedAt: now });
  if (!ended) throw new ApiKeyNotFound(keyId);
  return keyView(ended, now);
}

/**
 * A new key with the old one's scopes, label and expiry; the old key expires at the end of the grace
 * (default a day, at most 7; 0 ends it now), never later than it would have.
 */
export async function rotateKey(
  programId: string,
  keyId: string,
  input: { graceSeconds?: number },
  callerKeyId: string,
  deps: KeyDeps,
): Promise<{ key: KeyView & { apiKey: string }; previous: KeyView }> {
  const grace = input.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_ROTATION_GRACE_SECONDS)
    throw new ValidationFailed([
      { field: 'graceSeconds', message: `must be a whole number of seconds from 0 to ${MAX_ROTATION_GRACE_SECONDS}` },
    ]);
  const old = await ownKey(programId, keyId, callerKeyId, deps);
  const now = deps.clock.now().toISOString();
  if (keyStatus(old, now) !== 'active')
    throw new ValidationFailed([{ field: 'keyId', message: `is ${keyStatus(old, now)}: create a new key instead` }]);
  const key = await createKey(programId, { scopes: old.scopes, label: old.label, expiresAt: old.expiresAt }, deps);
  const ended = await deps.programs.endApiKey(programId, keyId, { expiresAt: graceExpiry(old, now, grace) });
  return { key, previous: keyView(ended ?? old, now) };
}
