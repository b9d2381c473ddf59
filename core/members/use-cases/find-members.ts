// Member search for operators (GET /v1/admin/members?query=): the exact member id, the exact email
// (normalised) and the exact referral code, each one read of an item or a lookup kept at write time;
// never a scan. Exact matches come first on the first page; the email's matches are paged.
import type { Clock } from '../../kernel/clock';
import type { Page } from '../../kernel/page';
import type { LedgerStore } from '../../ledger/ports';
import { memberView } from '../../ledger/use-cases/members';
import { normalizeEmail, queryShapes } from '../domain/lookups';
import type { MemberDirectory } from '../ports';

export interface FindDeps {
  ledger: Pick<LedgerStore, 'getMember' | 'findReferralCode'>;
  directory: Pick<MemberDirectory, 'membersByEmail'>;
  clock: Clock;
}

export type MatchedBy = 'memberId' | 'email' | 'referralCode';

export async function findMembers(
  programId: string,
  q: { query: string; limit: number; cursor?: string },
  deps: FindDeps,
): Promise<Page<{ matchedBy: MatchedBy; member: ReturnType<typeof memberView> }>> {
  const now = deps.clock.now().toISOString();
  const query = q.query.trim();
  const shapes = queryShapes(query);
  const cursor = q.cursor ?? null;
  const exact: { matchedBy: MatchedBy; memberId: string }[] = [];
  if (!cursor) {
    const [byId, byCode] = await Promise.all([
      shapes.memberId ? deps.ledger.getMember(programId, query) : null,
      shapes.referralCode ? deps.ledger.findReferralCode(programId, query.toUpperCase()) : null,
    ]);
    if (byId) exact.push({ matchedBy: 'memberId', memberId: byId.memberId });
    if (byCode) exact.push({ matchedBy: 'referralCode', memberId: byCode });
  }
  const emails = shapes.email
    ? await deps.directory.membersByEmail(programId, normalizeEmail(query), Math.max(1, q.limit - exact.length), cursor)
    : { items: [], nextCursor: null };
  const wanted = [...exact, ...emails.items.map((memberId) => ({ matchedBy: 'email' as const, memberId }))];
  const seen = new Set<string>();
  const unique = wanted.filter((w) => !seen.has(w.memberId) && seen.add(w.memberId));
  const members = await Promise.all(unique.map((w) => deps.ledger.getMember(programId, w.memberId)));
  const items = unique.flatMap((w, i) => {
    const m = members[i];
    return m ? [{ matchedBy: w.matchedBy, member: memberView(m, now) }] : [];
  });
  return { items, nextCursor: emails.nextCursor };
}
