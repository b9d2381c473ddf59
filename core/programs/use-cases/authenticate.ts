// The authorizer's whole use case: a key's program and scopes, and what API Gateway meters it by.
// It imports nothing that pulls in validation libraries, so the authorizer bundle stays small.
import { createHash } from 'node:crypto';
import { isUsable } from '../domain/api-keys';
import { usageIdentifier } from '../domain/throttle';
import type { ProgramStore, StoredApiKey } from '../ports';

/** Keys are shown once; only their SHA-256 is stored, so a table dump reveals no usable key. */
export function hashApiKey(rawKey: string): string {
  return createHash('sha256').update(rawKey, 'utf8').digest('hex');
}

/**
 * The key's program and scopes, or null for an unknown, revoked or expired key. The day it was used
 * is recorded at most once a day; a failure to record it never refuses the key.
 */
export async function authenticate(
  rawKey: string,
  deps: { programs: Pick<ProgramStore, 'getApiKey' | 'touchApiKey'>; now?: () => Date },
): Promise<StoredApiKey | null> {
  if (!rawKey || rawKey.length > 256) return null;
  const keyHash = hashApiKey(rawKey);
  const key = await deps.programs.getApiKey(keyHash);
  const now = (deps.now ?? (() => new Date()))().toISOString();
  if (!key || !isUsable(key, now)) return null;
  const today = now.slice(0, 10);
  if (!key.lastUsedOn || key.lastUsedOn < today) await deps.programs.touchApiKey(keyHash, today).catch(() => {});
  return key;
}

/**
 * What API Gateway meters the program's requests by (the authorizer's `usageIdentifierKey`): its
 * API Gateway key once synced, its id until then (refused on AWS, metered by id locally).
 */
export async function usageIdentifierOf(
  programId: string,
  deps: { programs: Pick<ProgramStore, 'getProgram'> },
): Promise<string> {
  const program = await deps.programs.getProgram(programId);
  return usageIdentifier(programId, program?.usagePlan);
}
