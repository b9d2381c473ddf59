// When an API key works. A key ends by revocation (now) or expiry (a date chosen at creation, or the
// end of a rotation's grace period); either way the authorizer refuses it from that instant, and
// API Gateway's cached answer for it lasts at most the authorizer cache time.
import type { StoredApiKey } from '../ports';

export type KeyStatus = 'active' | 'expired' | 'revoked';

export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;
export const MAX_ROTATION_GRACE_SECONDS = 7 * 86_400;

export function keyStatus(key: StoredApiKey, now: string): KeyStatus {
  if (key.revokedAt && key.revokedAt <= now) return 'revoked';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  return 'active';
}

export const isUsable = (key: StoredApiKey, now: string) => keyStatus(key, now) === 'active';

/** The expiry a rotation leaves on the old key: its own, or the end of the grace, whichever is sooner. */
export function graceExpiry(key: StoredApiKey, now: string, graceSeconds: number): string {
  const end = new Date(Date.parse(now) + graceSeconds * 1000).toISOString();
  return key.expiresAt && key.expiresAt < end ? key.expiresAt : end;
}
