import { ValidationFailed } from '../../core/kernel/errors';
import type { LedgerStore, LedgerWrite } from '../../core/ledger/ports';
import { normalizeEmail } from '../../core/members/domain/lookups';
import {
  copy,
  key,
  lotSortKey,
  type StoredMember,
  type Tables,
  toLot,
  toMember,
  toMemberState,
  underPrefix,
} from './tables';
import { commitWrite, referralCodeOp } from './unit-of-work';

/** The last transaction id read: paging on from it is what the DynamoDB store's cursor (a sort key) does. */
function encodeCursor(transactionId: string): string {
  return Buffer.from(JSON.stringify({ after: transactionId }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed?.after === 'string') return parsed.after;
  } catch {
    // not ours: said below
  }
  throw new ValidationFailed([{ field: 'cursor', message: 'is not a cursor returned by this endpoint' }]);
}

/** Runs before a commit checks anything: what another writer did between a use case's read and its write. */
export type CommitHook = (write: LedgerWrite) => unknown;

export function memoryLedgerStore(t: Tables, hooks: CommitHook[]): LedgerStore {
  const lotsOf = (programId: string, memberId: string) =>
    underPrefix(t.lots, programId, memberId)
      .map(([, lot]) => lot)
      .filter((l) => l.remaining > 0);

  return {
    async loadMember(programId, memberId) {
      return toMemberState(t.members.get(key(programId, memberId)));
    },

    async getMember(programId, memberId) {
      const m = t.members.get(key(programId, memberId));
      return m ? toMember(m) : null;
    },

    async memberWithLots(programId, memberId) {
      const m = t.members.get(key(programId, memberId));
      return { member: m ? toMember(m) : null, lots: lotsOf(programId, memberId).map(toLot) };
    },

    async listLots(programId, memberId) {
      return lotsOf(programId, memberId).map(toLot);
    },

    async lotsExpiringBy(programId, memberId, asOf) {
      // The DynamoDB store's bound on the sort key: `<asOf>#~` follows every lot expiring at or before asOf.
      return lotsOf(programId, memberId)
        .filter((l) => lotSortKey(l) <= `${asOf}#~`)
        .map(toLot);
    },

    async listTransactions(programId, memberId, limit, cursor) {
      const after = cursor === null ? null : decodeCursor(cursor);
      const newestFirst = underPrefix(t.transactions, programId, memberId)
        .map(([, tx]) => tx)
        .reverse()
        .filter((tx) => after === null || tx.transactionId < after);
      const items = newestFirst.slice(0, limit);
      const more = newestFirst.length > limit;
      return { items: copy(items), nextCursor: more ? encodeCursor(items[items.length - 1]!.transactionId) : null };
    },

    async commit(write, now) {
      const hook = hooks.shift();
      if (hook) await hook(write);
      commitWrite(t, write, now);
    },

    async upsertMember(programId, memberId, changes, requestId, now) {
      const k = key(programId, memberId);
      const existed = t.members.has(k);
      const m: StoredMember = t.members.get(k) ?? { ledger: {}, counters: {} };
      Object.assign(m, { programId, memberId, updatedAt: now });
      m.enrolledVia ??= 'api';
      m.enrolledAt ??= now;
      m.enrolRequestId ??= requestId;
      m.ledger.available ??= 0;
      m.ledger.pending ??= 0;
      m.ledger.lifetimeEarned ??= 0;
      if (changes.email !== undefined) {
        // The email lookup moves with the profile, as in the DynamoDB store's transaction.
        if (m.email !== undefined) t.emailLookups.delete(key(programId, normalizeEmail(m.email), memberId));
        if (changes.email !== null)
          t.emailLookups.set(key(programId, normalizeEmail(changes.email), memberId), { memberId });
      }
      for (const field of ['email', 'name', 'birthDate', 'attributes'] as const) {
        const value = changes[field];
        if (value === null) delete m[field];
        else if (value !== undefined) Object.assign(m, { [field]: copy(value) });
      }
      if (changes.referredBy) m.referredBy ??= changes.referredBy;
      if (changes.attributes === undefined) m.attributes ??= {};
      t.members.set(k, m);
      if (!existed) {
        t.changes.push({
          kind: 'member-enrolled',
          programId,
          key: `member ${k}`,
          memberId,
          via: 'api',
          at: now,
          correlationId: requestId,
        });
      }
      return { member: toMember(m), created: m.enrolRequestId === requestId };
    },

    async findReferralCode(programId, code) {
      return t.referralCodes.get(key(programId, code))?.memberId ?? null;
    },

    async assignReferralCode(programId, memberId, code, now) {
      const claim = referralCodeOp(t, programId, memberId, code, now);
      const m = t.members.get(key(programId, memberId));
      // The code is taken, or the member already has one (or does not exist): not assigned.
      if (!claim.holds() || !m || m.referralCode) return false;
      claim.apply();
      m.referralCode = code;
      return true;
    },
  };
}
