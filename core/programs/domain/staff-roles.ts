// Staff roles: who may do what in the admin API, whatever way the caller signed in (an API key's
// scopes today; the console's Cognito groups carry the same role names). Each role holds everything
// the ones below it hold: viewer (read admin data) < support (+ adjustments up to the program's
// limit, member export) < manager (+ rules, rewards, tiers, expiry, unlimited adjustments) < admin
// (+ keys, program settings, erasure). The `admin` scope is the admin role and implies every scope.
import type { Scope } from './program';

export type StaffRole = 'viewer' | 'support' | 'manager' | 'admin';
export const STAFF_ROLES: readonly StaffRole[] = ['viewer', 'support', 'manager', 'admin'];

/** The scope that carries a role on an API key. */
export function roleScope(role: StaffRole): Scope {
  return role === 'admin' ? 'admin' : `staff:${role}`;
}

/** The role a scope names, if it names one. */
export function scopeRole(scope: Scope): StaffRole | null {
  if (scope === 'admin') return 'admin';
  if (scope.startsWith('staff:')) return scope.slice('staff:'.length) as StaffRole;
  return null;
}

const rank = (role: StaffRole) => STAFF_ROLES.indexOf(role);

/** The highest role the scopes carry; null for a key without one (a shop's integration key). */
export function staffRole(scopes: readonly Scope[]): StaffRole | null {
  let best: StaffRole | null = null;
  for (const s of scopes) {
    const role = scopeRole(s);
    if (role && (best === null || rank(role) > rank(best))) best = role;
  }
  return best;
}

export function roleAtLeast(role: StaffRole | null, needed: StaffRole): boolean {
  return role !== null && rank(role) >= rank(needed);
}

/**
 * Whether scopes grant what an operation needs: the scope itself, `admin` (every scope), a staff role at
 * least the one needed, and any staff role reads members (the console shows them).
 */
export function grants(scopes: readonly Scope[], needed: Scope): boolean {
  if (scopes.includes(needed) || scopes.includes('admin')) return true;
  const role = staffRole(scopes);
  const neededRole = scopeRole(needed);
  if (neededRole) return roleAtLeast(role, neededRole);
  return needed === 'members:read' && role !== null;
}

/** Who did something, as the audit log records it. */
export interface Actor {
  /** The API key the request came with (a console user later). */
  keyId: string;
  /** The highest staff role the caller holds; null for a key without one. */
  role: StaffRole | null;
}
