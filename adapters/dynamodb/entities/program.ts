// Program settings and API key items. Free of the AWS SDK: the authorizer reads both through
// key-lookup.ts without it.
import {
  DEFAULT_AMOUNT_TOLERANCE_PER_LINE,
  DEFAULT_EARN_ON,
  DEFAULT_LATENESS_DAYS,
  DEFAULT_MAX_POINTS_PER_TRANSACTION,
  DEFAULT_MAX_PURCHASE_AMOUNT,
  type ProgramSettings,
} from '../../../core/programs/domain/program';
import { DEFAULT_THROTTLE } from '../../../core/programs/domain/throttle';
import type { StoredApiKey } from '../../../core/programs/ports';
import type { Item } from '../query';

/** Settings written before a field existed read as its default. */
export function toProgram(item: Item): ProgramSettings {
  return {
    programId: item.programId,
    name: item.name,
    currency: item.currency,
    timeZone: item.timeZone ?? 'UTC',
    pointsPerUnit: item.pointsPerUnit ?? 1,
    autoEnrol: item.autoEnrol ?? true,
    pendingDays: item.pendingDays ?? 0,
    latenessDays: item.latenessDays ?? DEFAULT_LATENESS_DAYS,
    earnOn: { ...DEFAULT_EARN_ON, ...item.earnOn },
    amountTolerancePerLine: item.amountTolerancePerLine ?? DEFAULT_AMOUNT_TOLERANCE_PER_LINE,
    maxPurchaseAmount: item.maxPurchaseAmount ?? DEFAULT_MAX_PURCHASE_AMOUNT,
    maxPointsPerTransaction: item.maxPointsPerTransaction ?? DEFAULT_MAX_POINTS_PER_TRANSACTION,
    ...(item.lateFloor ? { lateFloor: item.lateFloor } : {}),
    returnPolicy: item.returnPolicy ?? 'cap-at-balance',
    expiryPolicy: item.expiryPolicy ?? { kind: 'none' },
    tierSet: item.tierSet ?? null,
    ...(item.windfallKeys ? { windfallKeys: item.windfallKeys } : {}),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    throttle: item.throttle ?? DEFAULT_THROTTLE,
    ...(item.usagePlan ? { usagePlan: item.usagePlan } : {}),
  };
}

export function toStoredApiKey(item: Item): StoredApiKey {
  const { keyId, programId, scopes, label, createdAt, expiresAt, revokedAt, lastUsedOn } = item;
  return {
    keyId,
    programId,
    scopes,
    createdAt,
    ...(label !== undefined ? { label } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...(revokedAt ? { revokedAt } : {}),
    ...(lastUsedOn ? { lastUsedOn } : {}),
  };
}

/** The day a key was used, recorded only when it moves forward (both clients send this update). */
export const TOUCH_KEY = {
  UpdateExpression: 'SET lastUsedOn = :d',
  ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedOn) OR lastUsedOn < :d)',
} as const;
