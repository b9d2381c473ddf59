// What the memory stores hold: one map per kind of item, each keyed the way the DynamoDB item is
// addressed (program, member, the item's own id), so one write touches the same "items" here as
// there. Values go in and come out as copies: no caller ever holds a stored object.

import type { AuditEntry } from '../../core/audit/domain/audit';
import type { EarningRule } from '../../core/earning/domain';
import type { Recorded, RecordedOrder, RuleChange } from '../../core/earning/ports';
import type { OutboxRecord, ScheduleKind } from '../../core/jobs/ports';
import type { Member } from '../../core/ledger/domain/member';
import { type MemberState, NEW_MEMBER } from '../../core/ledger/domain/member-state';
import type { Lot, Transaction } from '../../core/ledger/domain/types';
import type { CommittedChange } from '../../core/ledger/use-cases/announced-events';
import type { Producer } from '../../core/programs/domain/producers';
import type { ProgramSettings } from '../../core/programs/domain/program';
import type { StoredApiKey } from '../../core/programs/ports';

/** The ledger fields a member write sets (or removes, when null), as the DynamoDB member update does. */
export const LEDGER_FIELDS = [
  'available',
  'pending',
  'lifetimeEarned',
  'debt',
  'pendingLots',
  'tier',
  'tierAchievedAt',
  'purchaseCount',
  'referralRewarded',
  'referralRewards',
  'lastActivityAt',
] as const satisfies readonly (keyof MemberState)[];

type LedgerField = (typeof LEDGER_FIELDS)[number];
/** Kept apart: the lock, the counters (written by difference), and what only profile writes and codes set. */
type NotALedgerField = 'exists' | 'version' | 'counters' | 'referralCode' | 'referredBy';
// A field added to MemberState fails to compile here until it is placed in one list or the other,
// so the memory store cannot silently stop writing what the DynamoDB store writes.
const EVERY_FIELD_PLACED: Record<Exclude<keyof MemberState, LedgerField | NotALedgerField>, never> = {};
void EVERY_FIELD_PLACED;

export interface StoredMember {
  programId?: string;
  memberId?: string;
  email?: string;
  name?: string;
  birthDate?: string;
  attributes?: Member['attributes'];
  enrolledAt?: string;
  updatedAt?: string;
  enrolledVia?: 'purchase' | 'api' | 'backfill';
  /** Set only by the profile write that created the member: how a retry of it still says "created". */
  enrolRequestId?: string;
  referralCode?: string;
  referredBy?: string;
  erasedAt?: string;
  /** Absent until the first ledger write, as on the DynamoDB item. */
  version?: number;
  ledger: { -readonly [F in LedgerField]?: MemberState[F] };
  counters: Record<string, number>;
}

export interface StoredGuard<I> extends Recorded<unknown> {
  input: I;
  orderId?: string;
  recordedAt: string;
}

export interface StoredSchedule {
  programId: string;
  memberId: string;
  schedule: ScheduleKind;
  dueAt: string;
}

export interface StoredRuleVersion {
  rule: EarningRule;
  meta: RuleChange;
}

export interface Tables {
  programs: Map<string, ProgramSettings>;
  apiKeys: Map<string, StoredApiKey>;
  /** Registered bus producers, by `<programId>/<source>/<account|OWN>`. */
  producers: Map<string, Producer>;
  members: Map<string, StoredMember>;
  /** Under the member, by expiry then id: the order the DynamoDB sort key lists them in. */
  lots: Map<string, Lot>;
  transactions: Map<string, Transaction>;
  referralCodes: Map<string, { memberId: string; createdAt: string }>;
  orders: Map<string, RecordedOrder>;
  returns: Map<string, StoredGuard<unknown>>;
  events: Map<string, StoredGuard<unknown>>;
  schedules: Map<string, StoredSchedule>;
  outbox: Map<string, OutboxRecord>;
  /** What each committed write changed, as the table's stream would tell it (see stream.ts). */
  changes: CommittedChange[];
  ruleSets: Map<string, { rules: EarningRule[]; version: number; updatedAt: string }>;
  ruleVersions: Map<string, StoredRuleVersion>;
  /** Adjustment guards by `<programId>/<memberId>/<Idempotency-Key>`. */
  adjustmentGuards: Map<string, { fingerprint: string; result: unknown }>;
  /** Audit entries by `<programId>/<at>#<auditId>`. */
  audit: Map<string, AuditEntry>;
  /** Email lookups by `<programId>/<normalised email>/<memberId>`. */
  emailLookups: Map<string, { memberId: string }>;
}

export function newTables(): Tables {
  return {
    programs: new Map(),
    apiKeys: new Map(),
    producers: new Map(),
    members: new Map(),
    lots: new Map(),
    transactions: new Map(),
    referralCodes: new Map(),
    orders: new Map(),
    returns: new Map(),
    events: new Map(),
    schedules: new Map(),
    outbox: new Map(),
    changes: [],
    ruleSets: new Map(),
    ruleVersions: new Map(),
    adjustmentGuards: new Map(),
    audit: new Map(),
    emailLookups: new Map(),
  };
}

/** Client ids cannot contain '/', so joined keys never collide and a member's prefix holds only their items. */
export const key = (...parts: string[]) => parts.join('/');

/** Lots without an expiry sort last, as in the DynamoDB sort key. */
const NEVER = '9999-12-31T23:59:59.999Z';
export const lotSortKey = (lot: Pick<Lot, 'expiresAt' | 'lotId'>) => `${lot.expiresAt ?? NEVER}#${lot.lotId}`;
export const lotKey = (programId: string, memberId: string, lot: Pick<Lot, 'expiresAt' | 'lotId'>) =>
  key(programId, memberId, lotSortKey(lot));

export const copy = <T>(value: T): T => structuredClone(value);

/** The entries of one member's (or one program's) items, in key order. */
export function underPrefix<V>(map: ReadonlyMap<string, V>, ...parts: string[]): [string, V][] {
  const prefix = `${key(...parts)}/`;
  return [...map.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function toMemberState(m: StoredMember | undefined): MemberState {
  if (!m) return copy(NEW_MEMBER);
  const l = m.ledger;
  return copy({
    exists: true,
    version: m.version ?? 0,
    available: l.available ?? 0,
    pending: l.pending ?? 0,
    lifetimeEarned: l.lifetimeEarned ?? 0,
    debt: l.debt ?? 0,
    pendingLots: l.pendingLots ?? [],
    tier: l.tier ?? null,
    tierAchievedAt: l.tierAchievedAt ?? null,
    purchaseCount: l.purchaseCount ?? 0,
    referralCode: m.referralCode,
    referredBy: m.referredBy,
    referralRewarded: l.referralRewarded ?? false,
    referralRewards: l.referralRewards ?? 0,
    counters: m.counters,
    lastActivityAt: l.lastActivityAt,
  });
}

export function toMember(m: StoredMember): Member {
  const l = m.ledger;
  return copy({
    programId: m.programId!,
    memberId: m.memberId!,
    email: m.email,
    name: m.name,
    birthDate: m.birthDate,
    attributes: m.attributes ?? {},
    tier: l.tier ?? null,
    points: { available: l.available ?? 0, pending: l.pending ?? 0, lifetimeEarned: l.lifetimeEarned ?? 0 },
    enrolledAt: m.enrolledAt!,
    updatedAt: m.updatedAt!,
    referralCode: m.referralCode,
    ...(m.erasedAt ? { erasedAt: m.erasedAt } : {}),
    state: toMemberState(m),
  });
}

export function toLot(l: Lot): Lot {
  const { lotId, amount, remaining, earnedAt, availableAt, expiresAt, source, reason, orderId } = l;
  return {
    lotId,
    amount,
    remaining,
    earnedAt,
    availableAt,
    expiresAt: expiresAt ?? null,
    source,
    reason,
    ...(orderId ? { orderId } : {}),
  };
}

/** Orders recorded before a field existed read as its default, as the DynamoDB store reads them. */
export function toRecordedOrder(o: RecordedOrder): RecordedOrder {
  return copy({
    fingerprint: o.fingerprint,
    result: o.result,
    purchase: o.purchase,
    itemPoints: o.itemPoints ?? [],
    ...(o.earnedOn !== undefined ? { earnedOn: o.earnedOn } : {}),
    lot: o.lot ?? null,
    returned: o.returned ?? { points: 0, amount: 0, quantities: {} },
    version: o.version ?? 0,
    ...(o.memberFacts ? { memberFacts: o.memberFacts } : {}),
    ...(o.recordedAt ? { recordedAt: o.recordedAt } : {}),
  });
}
