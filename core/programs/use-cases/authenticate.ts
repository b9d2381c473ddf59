// The authorizer's whole use case: a key's program and scopes, and what API Gateway meters it by.
// It imports nothing that pulls in validation libraries, so the authorizer bundle stays small.
import { createHash } from 'node:crypto';
import { usageIdentifier } from '../domain/throttle';
import type { ProgramStore, StoredApiKey } from '../ports';

/** Keys are shown once; only their SHA-256 is stored, so a table dump reveals no usable key. */
export function hashApiKey(rawKey: string): string {
  return createHash('sha256').update(rawKey, 'utf8').digest('hex');
}

/** The key's program and scopes, or null for an unknown key. */
export async function authenticate(
  rawKey: string,
  deps: { programs: Pick<ProgramStore, 'getApiKey'> },
): Promise<StoredApiKey | null> {
  if (!rawKey || rawKey.length > 256) return null;
  return deps.programs.getApiKey(hashApiKey(rawKey));
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
