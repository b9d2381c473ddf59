// The audit log: every admin and staff action that changes state (and every export of a member's
// data), with who, what, when, and the document before and after. Secrets never enter it: an entry's
// documents are stripped of every field that holds one (API keys, key hashes, signing secrets,
// windfall keys), and of members' personal data where the action is about a member (export, erase).
import type { Actor } from '../../programs/domain/staff-roles';

/** Entries are kept this long (DynamoDB's TTL removes them after). */
export const AUDIT_RETENTION_DAYS = 400;

export interface AuditEntry {
  auditId: string;
  at: string;
  actor: Actor;
  /** The operation id of the route (createRule, adjustPoints, eraseMember, ...). */
  operation: string;
  /** What it acted on: the path's ids (memberId, ruleId, keyId, ...); empty for the program itself. */
  target: Record<string, string>;
  before: unknown;
  after: unknown;
  requestId?: string;
  correlationId?: string;
}

/** Fields whose values are secrets whatever they hold; matched without case. */
const SECRET_FIELDS = new Set([
  'apikey',
  'keyhash',
  'secret',
  'signingsecret',
  'windfallkeys',
  'usageplan',
  'password',
  'token',
  'tasktoken',
]);

/** A copy of a document without its secret fields, at any depth. */
export function withoutSecrets(doc: unknown): unknown {
  if (Array.isArray(doc)) return doc.map(withoutSecrets);
  if (doc === null || typeof doc !== 'object') return doc;
  return Object.fromEntries(
    Object.entries(doc as Record<string, unknown>)
      .filter(([k]) => !SECRET_FIELDS.has(k.toLowerCase()))
      .map(([k, v]) => [k, withoutSecrets(v)]),
  );
}
