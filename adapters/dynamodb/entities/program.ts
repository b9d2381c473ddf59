// Program settings and API key items. Free of the AWS SDK: the authorizer reads both through
// key-lookup.ts without it.
import { type ProgramSettings, withSettingDefaults } from '../../../core/programs/domain/program';
import { DEFAULT_THROTTLE } from '../../../core/programs/domain/throttle';
import type { StoredApiKey } from '../../../core/programs/ports';
import type { Item } from '../query';

/** Settings written before a field existed read as its default. */
export function toProgram(item: Item): ProgramSettings {
  return {
    programId: item.programId,
    name: item.name,
    currency: item.currency,
    ...withSettingDefaults(item),
    ...(item.lateFloor ? { lateFloor: item.lateFloor } : {}),
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
