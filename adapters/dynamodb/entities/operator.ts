// Items of operators' work: the guard of an adjustment's Idempotency-Key, audit entries, the email
// lookup of members, and the erasure of a member's personal data.
import { createHash } from 'node:crypto';
import { AUDIT_RETENTION_DAYS, type AuditEntry } from '../../../core/audit/domain/audit';
import type { AuditRecorded } from '../../../core/audit/ports';
import type { AdjustmentRecorded } from '../../../core/ledger/ports';
import type { MemberErased } from '../../../core/members/ports';
import { keys } from '../keys';
import type { Item } from '../query';
import { PACKED, pack, unpack } from './packed';
import { DAY_S, epochSeconds, type Tagged, type WriteContext } from './types';

/** Adjustment keys are remembered as long as redemption keys. */
export const ADJUSTMENT_KEY_TTL_DAYS = 90;

export const adjustmentGuardKey = (programId: string, memberId: string, idempotencyKey: string) =>
  keys.idempotency(programId, `ADJUST#${memberId}`, idempotencyKey);

/** The Idempotency-Key of an adjustment, once (conflict: `idempotency`). */
export function adjustmentGuardPut(ctx: WriteContext, r: AdjustmentRecorded): Tagged {
  return {
    tag: 'idempotency',
    item: {
      Put: {
        TableName: ctx.tableName,
        Item: {
          ...adjustmentGuardKey(ctx.programId, r.memberId, r.idempotencyKey),
          entity: 'adjustmentGuard',
          programId: ctx.programId,
          memberId: r.memberId,
          fingerprint: r.fingerprint,
          createdAt: ctx.now,
          ttl: epochSeconds(ctx.now) + ADJUSTMENT_KEY_TTL_DAYS * DAY_S,
          [PACKED]: pack({ result: r.result }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

export function toAdjustmentGuard(item: Item): { fingerprint: string; result: unknown } {
  const { fingerprint, result } = unpack(item);
  return { fingerprint, result };
}

export function auditItem(programId: string, e: AuditEntry): Item {
  return {
    ...keys.auditEntry(programId, e.at, e.auditId),
    entity: 'audit',
    programId,
    auditId: e.auditId,
    at: e.at,
    actorKeyId: e.actor.keyId,
    actorRole: e.actor.role,
    operation: e.operation,
    target: e.target,
    ...(e.requestId ? { requestId: e.requestId } : {}),
    ...(e.correlationId ? { correlationId: e.correlationId } : {}),
    ttl: epochSeconds(e.at) + AUDIT_RETENTION_DAYS * DAY_S,
    // Documents can be large (a rule set, a tier set) and are only read with the entry.
    [PACKED]: pack({ before: e.before ?? null, after: e.after ?? null }),
  };
}

export function auditPut(ctx: WriteContext, r: AuditRecorded): Tagged {
  return {
    tag: 'audit',
    item: {
      Put: {
        TableName: ctx.tableName,
        Item: auditItem(ctx.programId, r.entry),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

export function toAuditEntry(stored: Item): AuditEntry {
  const item = unpack(stored);
  return {
    auditId: item.auditId,
    at: item.at,
    actor: { keyId: item.actorKeyId, role: item.actorRole ?? null },
    operation: item.operation,
    target: item.target ?? {},
    before: item.before ?? null,
    after: item.after ?? null,
    ...(item.requestId ? { requestId: item.requestId } : {}),
    ...(item.correlationId ? { correlationId: item.correlationId } : {}),
  };
}

/** Lookup partitions hold the address's SHA-256, never the address. */
export function emailHash(normalizedEmail: string): string {
  return createHash('sha256').update(normalizedEmail).digest('base64url');
}

export const emailLookupKey = (programId: string, normalizedEmail: string, memberId: string) =>
  keys.emailLookup(programId, emailHash(normalizedEmail), memberId);

export function emailLookupPut(ctx: WriteContext, normalizedEmail: string, memberId: string): Tagged {
  return {
    tag: 'email',
    item: {
      Put: {
        TableName: ctx.tableName,
        Item: {
          ...emailLookupKey(ctx.programId, normalizedEmail, memberId),
          entity: 'emailLookup',
          programId: ctx.programId,
          memberId,
          createdAt: ctx.now,
        },
      },
    },
  };
}

export function emailLookupDelete(ctx: WriteContext, normalizedEmail: string, memberId: string): Tagged {
  return {
    tag: 'email',
    item: { Delete: { TableName: ctx.tableName, Key: emailLookupKey(ctx.programId, normalizedEmail, memberId) } },
  };
}

/**
 * Erasure: the profile's personal fields go (email, name, birth date, attributes, referral code) and
 * `erasedAt` marks it, under the email the decision was made on (conflict: `profile:<id>`); the email and
 * referral code lookups go with it. Balances, lots and transactions stay.
 */
export function erasureItems(ctx: WriteContext, r: MemberErased): Tagged[] {
  const values: Record<string, unknown> = { ':at': r.erasedAt, ':empty': {} };
  let condition = 'attribute_exists(pk) AND attribute_not_exists(email)';
  if (r.email) {
    condition = 'attribute_exists(pk) AND email = :seen';
    values[':seen'] = r.email.stored;
  }
  const items: Tagged[] = [
    {
      tag: `profile:${r.memberId}`,
      item: {
        Update: {
          TableName: ctx.tableName,
          Key: keys.member(ctx.programId, r.memberId),
          UpdateExpression:
            'SET erasedAt = :at, updatedAt = :at, attributes = :empty ' +
            'REMOVE email, #name, birthDate, referralCode',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: values,
        },
      },
    },
  ];
  if (r.email) items.push(emailLookupDelete(ctx, r.email.normalized, r.memberId));
  if (r.referralCode)
    items.push({
      tag: 'refcode',
      item: { Delete: { TableName: ctx.tableName, Key: keys.referralCode(ctx.programId, r.referralCode) } },
    });
  return items;
}
