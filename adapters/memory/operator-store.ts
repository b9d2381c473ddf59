// Operators' stores on the memory tables: adjustment reads, members by email, everything held on a
// member, and the audit log, with the DynamoDB stores' ordering and paging.
import type { AuditStore } from '../../core/audit/ports';
import { ValidationFailed } from '../../core/kernel/errors';
import type { AdjustmentStore } from '../../core/ledger/ports';
import type { MemberDirectory } from '../../core/members/ports';
import { copy, key, type Tables, toLot, toMember, toMemberState, underPrefix } from './tables';

const cursorOf = (after: string) => Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
function afterOf(cursor: string | null): string | null {
  if (cursor === null) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed?.after === 'string') return parsed.after;
  } catch {
    // not ours: said below
  }
  throw new ValidationFailed([{ field: 'cursor', message: 'is not a cursor returned by this endpoint' }]);
}

function page<T>(all: { sortKey: string; value: T }[], limit: number, cursor: string | null, newestFirst: boolean) {
  const after = afterOf(cursor);
  const ordered = newestFirst ? [...all].reverse() : all;
  const rest = after === null ? ordered : ordered.filter((e) => (newestFirst ? e.sortKey < after : e.sortKey > after));
  const items = rest.slice(0, limit);
  return {
    items: items.map((e) => copy(e.value)),
    nextCursor: rest.length > limit ? cursorOf(items[items.length - 1]!.sortKey) : null,
  };
}

export function memoryAdjustmentStore(t: Tables): AdjustmentStore {
  return {
    async loadForAdjustment(programId, memberId, idempotencyKey) {
      const guard = t.adjustmentGuards.get(key(programId, memberId, idempotencyKey));
      return { member: toMemberState(t.members.get(key(programId, memberId))), recorded: guard ? copy(guard) : null };
    },
  };
}

export function memoryMemberDirectory(t: Tables): MemberDirectory {
  return {
    async membersByEmail(programId, normalizedEmail, limit, cursor) {
      const all = underPrefix(t.emailLookups, programId, normalizedEmail).map(([k, v]) => ({
        sortKey: k,
        value: v.memberId,
      }));
      return page(all, limit, cursor, false);
    },

    async memberRecords(programId, memberId) {
      const stored = t.members.get(key(programId, memberId));
      const member = stored ? toMember(stored) : null;
      const email = stored?.email?.trim().toLowerCase();
      return {
        member,
        lots: underPrefix(t.lots, programId, memberId).map(([, l]) => toLot(l)),
        transactions: underPrefix(t.transactions, programId, memberId).map(([, tx]) => copy(tx)),
        // Redemptions, coupons and usage live in the rewards stores, which the memory adapter leaves to DynamoDB Local.
        redemptions: [],
        coupons: [],
        rewardUsage: [],
        schedules: [...t.schedules.values()]
          .filter((s) => s.programId === programId && s.memberId === memberId)
          .map((s) => ({ schedule: s.schedule, dueAt: s.dueAt })),
        notices: [],
        lookups: {
          referralCode:
            member?.referralCode && t.referralCodes.get(key(programId, member.referralCode))?.memberId === memberId
              ? member.referralCode
              : null,
          email: Boolean(email && t.emailLookups.has(key(programId, email, memberId))),
        },
        erasedAt: stored?.erasedAt ?? null,
      };
    },
  };
}

export function memoryAuditStore(t: Tables): AuditStore {
  return {
    async append(programId, entry) {
      t.audit.set(key(programId, `${entry.at}#${entry.auditId}`), copy(entry));
    },
    async list(programId, q) {
      const all = underPrefix(t.audit, programId)
        .filter(([, e]) => (!q.from || e.at >= q.from) && (!q.to || e.at <= q.to))
        .filter(([, e]) => !q.actor || e.actor.keyId === q.actor)
        .map(([k, e]) => ({ sortKey: k, value: e }));
      return page(all, q.limit, q.cursor, true);
    },
  };
}
