// Member items: the profile with the balances and ledger state, and referral codes.
import type { Member } from '../../../core/ledger/domain/member';
import { type MemberState, NEW_MEMBER } from '../../../core/ledger/domain/member-state';
import type { MemberWrite } from '../../../core/ledger/ports';
import { keys } from '../keys';
import type { Item } from '../query';
import type { Tagged, WriteContext } from './types';

/** Period counters are top-level attributes (`u#`, `e#`, `q#`), so a write can add or drop one alone. */
const COUNTER_PREFIXES = ['u#', 'e#', 'q#'];

const LEDGER_FIELDS = [
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
] as const;

/** The ledger part of a member item (a new member's when there is none). */
export function toMemberState(item: Item | undefined): MemberState {
  if (!item) return NEW_MEMBER;
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(item)) {
    if (COUNTER_PREFIXES.some((p) => k.startsWith(p)) && typeof v === 'number') counters[k] = v;
  }
  return {
    exists: true,
    version: item.version ?? 0,
    available: item.available ?? 0,
    pending: item.pending ?? 0,
    lifetimeEarned: item.lifetimeEarned ?? 0,
    debt: item.debt ?? 0,
    pendingLots: item.pendingLots ?? [],
    tier: item.tier ?? null,
    tierAchievedAt: item.tierAchievedAt ?? null,
    purchaseCount: item.purchaseCount ?? 0,
    referralCode: item.referralCode,
    referredBy: item.referredBy,
    referralRewarded: item.referralRewarded ?? false,
    referralRewards: item.referralRewards ?? 0,
    counters,
    lastActivityAt: item.lastActivityAt,
  };
}

export function toMember(item: Item): Member {
  return {
    programId: item.programId,
    memberId: item.memberId,
    email: item.email,
    name: item.name,
    birthDate: item.birthDate,
    attributes: item.attributes ?? {},
    tier: item.tier ?? null,
    points: { available: item.available ?? 0, pending: item.pending ?? 0, lifetimeEarned: item.lifetimeEarned ?? 0 },
    enrolledAt: item.enrolledAt,
    updatedAt: item.updatedAt,
    referralCode: item.referralCode,
    ...(item.erasedAt ? { erasedAt: item.erasedAt } : {}),
    state: toMemberState(item),
  };
}

/** The member's new ledger state, conditioned on the version it was read at (conflict: `member:<id>`). */
export function memberUpdate(ctx: WriteContext, w: MemberWrite): Tagged {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':next': w.before.version + 1 };
  const sets: string[] = ['version = :next'];
  const removes: string[] = [];
  let n = 0;
  const set = (attr: string, value: unknown) => {
    const i = n++;
    names[`#a${i}`] = attr;
    if (value === undefined || value === null) {
      removes.push(`#a${i}`);
    } else {
      values[`:v${i}`] = value;
      sets.push(`#a${i} = :v${i}`);
    }
  };
  for (const field of LEDGER_FIELDS) set(field, w.after[field]);
  for (const [k, v] of Object.entries(w.after.counters)) if (w.before.counters[k] !== v) set(k, v);
  for (const k of Object.keys(w.before.counters)) if (!(k in w.after.counters)) set(k, null);
  if (w.referralCode) set('referralCode', w.referralCode);
  if (w.enrol) {
    set('entity', 'member');
    set('programId', ctx.programId);
    set('memberId', w.memberId);
    set('enrolledAt', w.enrol.now);
    set('updatedAt', w.enrol.now);
    set('enrolledVia', w.enrol.via);
    // The enrolling write's mark: a later profile update (upsertMember) is then not a creation.
    set('enrolRequestId', `${w.enrol.via}:${w.enrol.now}`);
    set('attributes', {});
  }
  let condition: string;
  if (!w.before.exists) condition = 'attribute_not_exists(pk)';
  else if (w.before.version === 0) condition = 'attribute_exists(pk) AND attribute_not_exists(version)';
  else {
    condition = 'version = :prev';
    values[':prev'] = w.before.version;
  }
  return {
    tag: `member:${w.memberId}`,
    item: {
      Update: {
        TableName: ctx.tableName,
        Key: keys.member(ctx.programId, w.memberId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: values,
      },
    },
  };
}

/** A referral code is unique per program (conflict: `refcode`). */
export function referralCodePut(ctx: WriteContext, memberId: string, code: string): Tagged {
  return {
    tag: 'refcode',
    item: {
      Put: {
        TableName: ctx.tableName,
        Item: {
          ...keys.referralCode(ctx.programId, code),
          entity: 'referralCode',
          programId: ctx.programId,
          memberId,
          createdAt: ctx.now,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}
