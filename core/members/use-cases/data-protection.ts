// Data protection requests: export everything held on a member (as JSON), and erase their personal
// data. Erasure removes the profile's personal fields (email, name, birth date, attributes) and the
// lookups that find the member by them (email, referral code), in one write with its audit entry; the
// ledger (balances, lots, transactions, redemptions) stays for accounting under the member id, which
// is the merchant's pseudonymous id. It is idempotent: erasing an erased member changes nothing.

import type { AuditRecorded } from '../../audit/ports';
import type { AuditDeps } from '../../audit/use-cases/audit-log';
import { auditEntry, recordAudit } from '../../audit/use-cases/audit-log';
import { retryOnConflict } from '../../kernel/retry';
import { MemberNotFound } from '../../ledger/errors';
import type { LedgerStore } from '../../ledger/ports';
import { memberView } from '../../ledger/use-cases/members';
import type { Actor } from '../../programs/domain/staff-roles';
import { normalizeEmail } from '../domain/lookups';
import type { MemberDirectory, MemberErased } from '../ports';

type RequestIds = { requestId?: string; correlationId?: string };

/** Everything held on the member; the export itself is recorded in the audit log (what, not the data). */
export async function exportMember(
  programId: string,
  memberId: string,
  actor: Actor,
  ids: RequestIds,
  deps: AuditDeps & { directory: Pick<MemberDirectory, 'memberRecords'> },
) {
  const records = await deps.directory.memberRecords(programId, memberId);
  if (!records.member) throw new MemberNotFound(memberId);
  const now = deps.clock.now().toISOString();
  const { state: _state, ...profile } = records.member;
  const counts = {
    lots: records.lots.length,
    transactions: records.transactions.length,
    redemptions: records.redemptions.length,
    coupons: records.coupons.length,
  };
  await recordAudit(programId, { operation: 'exportMember', actor, target: { memberId }, after: counts }, ids, deps);
  return {
    exportedAt: now,
    programId,
    memberId,
    profile: { ...memberView(records.member, now), erasedAt: records.erasedAt },
    ledger: {
      debt: records.member.state?.debt ?? 0,
      pendingLots: records.member.state?.pendingLots ?? [],
      tierAchievedAt: records.member.state?.tierAchievedAt ?? null,
      referredBy: records.member.state?.referredBy ?? null,
      purchaseCount: records.member.state?.purchaseCount ?? 0,
      lastActivityAt: records.member.state?.lastActivityAt ?? null,
      enrolledAt: profile.enrolledAt,
    },
    lots: records.lots,
    transactions: records.transactions,
    redemptions: records.redemptions,
    coupons: records.coupons,
    rewardUsage: records.rewardUsage,
    schedules: records.schedules,
    notices: records.notices,
    lookups: records.lookups,
  };
}

/** Fields erasure removes from the profile. */
export const ERASED_FIELDS = ['email', 'name', 'birthDate', 'attributes', 'referralCode'] as const;

export async function eraseMember(
  programId: string,
  memberId: string,
  actor: Actor,
  ids: RequestIds,
  deps: AuditDeps & { ledger: Pick<LedgerStore, 'getMember' | 'commit'> },
) {
  return retryOnConflict(`Member "${memberId}"`, async () => {
    const member = await deps.ledger.getMember(programId, memberId);
    if (!member) throw new MemberNotFound(memberId);
    const held = ERASED_FIELDS.filter((f) =>
      f === 'attributes' ? Object.keys(member.attributes).length > 0 : member[f] !== undefined,
    );
    const answer = (erasedAt: string, erased: boolean) => ({
      memberId,
      erasedAt,
      erased,
      removed: held,
      kept: ['memberId', 'balances', 'tier', 'lots', 'transactions', 'redemptions', 'coupons', 'orders'],
    });
    if (member.erasedAt && held.length === 0) return answer(member.erasedAt, false);
    const now = deps.clock.now().toISOString();
    const record: MemberErased = {
      kind: 'member-erased',
      memberId,
      email: member.email ? { stored: member.email, normalized: normalizeEmail(member.email) } : null,
      referralCode: member.referralCode ?? null,
      erasedAt: now,
    };
    // The entry names what went, never the values.
    const entry = auditEntry(
      { operation: 'eraseMember', actor, target: { memberId }, before: { held }, after: { erasedAt: now } },
      now,
      ids,
    );
    const audit: AuditRecorded = { kind: 'audit-recorded', entry };
    await deps.ledger.commit({ programId, members: [], records: [record, audit] }, now);
    return answer(now, true);
  });
}
