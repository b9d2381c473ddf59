import type { Clock } from '../../kernel/clock';
import { ValidationFailed } from '../../kernel/errors';
import { randomCode } from '../../kernel/ids';
import type { Page } from '../../kernel/page';
import type { Member } from '../domain/member';
import { effectiveBalances } from '../domain/member-state';
import type { Transaction } from '../domain/types';
import { MemberNotFound } from '../errors';
import type { LedgerStore, ProfileChanges } from '../ports';

export interface MemberDeps {
  ledger: LedgerStore;
  clock: Clock;
}

/**
 * What clients see of a member: profile, tier, and balances in one read (pending points past their time count as
 * available).
 */
export function memberView(m: Member, now: string) {
  return {
    memberId: m.memberId,
    email: m.email ?? null,
    name: m.name ?? null,
    birthDate: m.birthDate ?? null,
    attributes: m.attributes,
    tier: m.tier,
    points: m.state ? effectiveBalances(m.state, now) : m.points,
    referralCode: m.referralCode ?? null,
    enrolledAt: m.enrolledAt,
    updatedAt: m.updatedAt,
  };
}

/** Referral codes: 8 characters of Crockford base32 (no I, L, O, U), from crypto randomness. */
export function newReferralCode(): string {
  return randomCode(8);
}

export async function enrolOrUpdateMember(
  programId: string,
  memberId: string,
  input: Omit<ProfileChanges, 'referredBy'> & { referralCode?: string },
  requestId: string,
  deps: MemberDeps,
): Promise<{ created: boolean; member: ReturnType<typeof memberView> }> {
  const now = deps.clock.now().toISOString();
  const { referralCode, ...changes } = input;
  let referredBy: string | undefined;
  if (referralCode) {
    // Only a member with no purchases yet can be referred, once, and never by themselves.
    const [referrer, existing] = await Promise.all([
      deps.ledger.findReferralCode(programId, referralCode),
      deps.ledger.getMember(programId, memberId),
    ]);
    if (!referrer)
      throw new ValidationFailed([{ field: 'referralCode', message: 'is not a referral code of this program' }]);
    if (referrer === memberId)
      throw new ValidationFailed([
        { field: 'referralCode', message: 'is your own code: a member cannot refer themselves' },
      ]);
    if (
      existing?.state &&
      (existing.state.purchaseCount > 0 || (existing.state.referredBy && existing.state.referredBy !== referrer))
    ) {
      throw new ValidationFailed([
        { field: 'referralCode', message: 'can only be set once, before the first purchase' },
      ]);
    }
    referredBy = referrer;
  }
  let { member, created } = await deps.ledger.upsertMember(
    programId,
    memberId,
    { ...changes, referredBy },
    requestId,
    now,
  );
  for (let attempt = 0; !member.referralCode && attempt < 3; attempt++) {
    const code = newReferralCode();
    if (await deps.ledger.assignReferralCode(programId, memberId, code, now))
      member = { ...member, referralCode: code };
    // Not assigned: the code was taken, or a concurrent request gave the member theirs.
    else member = (await deps.ledger.getMember(programId, memberId)) ?? member;
  }
  // A created member is announced by the stream (Member Enrolled from the member's new item).
  return { created, member: memberView(member, now) };
}

export async function getMember(programId: string, memberId: string, deps: Pick<MemberDeps, 'ledger' | 'clock'>) {
  const member = await deps.ledger.getMember(programId, memberId);
  if (!member) throw new MemberNotFound(memberId);
  return memberView(member, deps.clock.now().toISOString());
}

export async function listMemberTransactions(
  programId: string,
  memberId: string,
  query: { limit: number; cursor?: string },
  deps: Pick<MemberDeps, 'ledger'>,
): Promise<Page<Transaction>> {
  const cursor = query.cursor ?? null;
  const page = await deps.ledger.listTransactions(programId, memberId, query.limit, cursor);
  // An empty first page may mean "no such member": say so rather than return an empty list.
  if (page.items.length === 0 && !cursor && !(await deps.ledger.getMember(programId, memberId)))
    throw new MemberNotFound(memberId);
  return page;
}
