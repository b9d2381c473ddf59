// Reading the audit log, and recording an entry for the admin writes whose write path this context
// does not own (program settings, tiers, expiry, rules, rewards, keys): after the change committed.
import type { Clock } from '../../kernel/clock';
import { ValidationFailed } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import type { Actor } from '../../programs/domain/staff-roles';
import type { ProgramStore } from '../../programs/ports';
import { type AuditEntry, withoutSecrets } from '../domain/audit';
import type { AuditStore } from '../ports';

export interface AuditDeps {
  audit: AuditStore;
  clock: Clock;
}

/** A new entry of `operation` by `actor`, now, its documents without secrets. */
export function auditEntry(
  e: { operation: string; actor: Actor; target?: Record<string, string>; before?: unknown; after?: unknown },
  at: string,
  ids: { requestId?: string; correlationId?: string } = {},
): AuditEntry {
  return {
    auditId: ulid(),
    at,
    actor: e.actor,
    operation: e.operation,
    target: e.target ?? {},
    before: withoutSecrets(e.before ?? null),
    after: withoutSecrets(e.after ?? null),
    ...(ids.requestId ? { requestId: ids.requestId } : {}),
    ...(ids.correlationId ? { correlationId: ids.correlationId } : {}),
  };
}

export async function recordAudit(
  programId: string,
  e: Parameters<typeof auditEntry>[0],
  ids: Parameters<typeof auditEntry>[2],
  deps: AuditDeps,
): Promise<AuditEntry> {
  const entry = auditEntry(e, deps.clock.now().toISOString(), ids);
  await deps.audit.append(programId, entry);
  return entry;
}

const instant = (field: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new ValidationFailed([{ field, message: 'must be an ISO-8601 date-time, e.g. 2027-01-31T00:00:00Z' }]);
  return new Date(ms).toISOString();
};

/** Newest first; each entry's actor with its key's label. */
export async function listAuditLog(
  programId: string,
  q: { from?: string; to?: string; actor?: string; limit: number; cursor?: string },
  deps: AuditDeps & { programs: Pick<ProgramStore, 'listApiKeys'> },
) {
  const from = instant('from', q.from);
  const to = instant('to', q.to);
  if (from && to && from > to) throw new ValidationFailed([{ field: 'from', message: `must not be after to (${to})` }]);
  const [page, keys] = await Promise.all([
    deps.audit.list(programId, { from, to, actor: q.actor, limit: q.limit, cursor: q.cursor ?? null }),
    deps.programs.listApiKeys(programId),
  ]);
  const labels = new Map(keys.map((k) => [k.keyId, k.label ?? null]));
  return {
    items: page.items.map((e) => ({ ...e, actor: { ...e.actor, label: labels.get(e.actor.keyId) ?? null } })),
    nextCursor: page.nextCursor,
  };
}
