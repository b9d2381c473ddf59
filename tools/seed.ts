import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createDocumentClient } from '../adapters/dynamodb/client';
import { dynamoStores } from '../adapters/dynamodb/stores';
import { memoryPublisher } from '../adapters/memory/publisher';
import { demoEarningRules, type EarningRule } from '../core/earning/domain';
import type { RuleStore } from '../core/earning/ports';
import { earnForPurchase } from '../core/earning/use-cases/earn-for-purchase';
import { putExpiryPolicy } from '../core/expiry/use-cases/expiry-policy';
import { systemClock } from '../core/kernel/clock';
import { enrolOrUpdateMember } from '../core/ledger/use-cases/members';
import { ProgramExists } from '../core/programs/errors';
import { createApiKey, createProgram, generateApiKey } from '../core/programs/use-cases/manage-programs';
import { addProducer } from '../core/programs/use-cases/producers';
import type { ThrottleChanges } from '../core/programs/use-cases/throttle-limits';
import { TierSetInput } from '../core/tiers/schemas';
import { putTierSet } from '../core/tiers/use-cases/manage-tiers';
import { seedDemoRewards } from './seed-rewards';

export const DEMO_PROGRAM_ID = 'demo';
/** The bus producer registered for the demo program (this account). */
export const DEMO_PRODUCER_SOURCE = 'shop.checkout';

/** Points earned in the calendar year (New York time); Silver earns 1.25x, Gold 1.5x. */
const DEMO_TIERS = TierSetInput.parse({
  metric: 'points',
  window: { kind: 'calendar', period: 'year' },
  review: { graceUntilEndOfNextPeriod: true, dropMode: 'one-tier' },
  tiers: [
    { id: 'member', name: 'Member', threshold: 0 },
    { id: 'silver', name: 'Silver', threshold: 500, multiplier: 1.25 },
    { id: 'gold', name: 'Gold', threshold: 2000, multiplier: 1.5, attributes: { freeShipping: true } },
  ],
});

/** Adds each rule the program does not have yet (a restart keeps edits made through the admin API). */
async function seedRules(programId: string, rules: EarningRule[], repo: RuleStore): Promise<void> {
  let set = await repo.getRuleSet(programId);
  for (const rule of rules) {
    if (set.rules.some((r) => r.ruleId === rule.ruleId)) continue;
    await repo.saveRule(programId, rule, set, {
      changedAt: new Date().toISOString(),
      changedBy: 'seed',
      change: 'created',
    });
    set = await repo.getRuleSet(programId);
  }
}

export interface SeedOptions {
  tableName: string;
  endpoint: string;
  apiKey?: string;
  adminKey?: string;
  /** Where generated keys are remembered, so a restart prints the same keys (local runs only). */
  keysFile?: string;
  /** The demo program's throttle limits when it is created (defaults: DEFAULT_THROTTLE). */
  throttle?: ThrottleChanges;
}

function rememberedKeys(file: string | undefined): { apiKey?: string; adminKey?: string } {
  if (!file || !existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * The demo program (USD, New York time, auto-enrol; tiers Member/Silver/Gold on points earned per
 * calendar year; points expire 12 months after earning, at the end of that month) with the demo earning rules (1 point
 * per
 * dollar, double on coffee, weekend 1.5x, welcome bonus, lucky receipt, reviews, birthdays, a daily
 * cap), a partner key, an admin key and a member with a first purchase. Safe to run on every start.
 */
export async function seedDemo(opts: SeedOptions): Promise<{ programId: string; apiKey: string; adminKey: string }> {
  const ddb = createDocumentClient({ endpoint: opts.endpoint, region: process.env.AWS_REGION });
  const deps = {
    ...dynamoStores(ddb, opts.tableName, { cache: false }),
    clock: systemClock,
    events: memoryPublisher(),
  };
  const remembered = rememberedKeys(opts.keysFile);
  const apiKey = opts.apiKey ?? remembered.apiKey ?? generateApiKey();
  const adminKey = opts.adminKey ?? remembered.adminKey ?? generateApiKey();

  try {
    await createProgram(
      {
        programId: DEMO_PROGRAM_ID,
        name: 'Demo Store',
        currency: 'USD',
        timeZone: 'America/New_York',
        pointsPerUnit: 1,
        autoEnrol: true,
        throttle: opts.throttle,
      },
      deps,
      adminKey,
    );
    // Only when the program is new: a restart keeps what was changed through the admin API.
    await putTierSet(DEMO_PROGRAM_ID, DEMO_TIERS, deps);
    await putExpiryPolicy(DEMO_PROGRAM_ID, { kind: 'after-earning', months: 12, roundUpTo: 'month' }, deps);
  } catch (err) {
    if (!(err instanceof ProgramExists)) throw err;
    await createApiKey(DEMO_PROGRAM_ID, ['admin'], deps, { rawKey: adminKey, label: 'local admin key' });
  }
  await createApiKey(DEMO_PROGRAM_ID, ['members:read', 'members:write', 'purchases:write'], deps, {
    rawKey: apiKey,
    label: 'local partner key',
  });

  await seedRules(DEMO_PROGRAM_ID, demoEarningRules(), deps.rules);
  // The source of the README's PutEvents example: the demo shop may credit the program over the bus.
  await addProducer(DEMO_PROGRAM_ID, { source: DEMO_PRODUCER_SOURCE }, deps);

  await enrolOrUpdateMember(
    DEMO_PROGRAM_ID,
    'alice',
    { email: 'alice@example.com', name: 'Alice Example' },
    'seed-alice',
    deps,
  );
  // History, not a live purchase: recorded as a backfill, so every start replays the same order.
  await earnForPurchase(
    DEMO_PROGRAM_ID,
    { orderId: 'seed-order-1', memberId: 'alice', occurredAt: '2026-01-15T10:00:00Z', currency: 'USD', amount: 4_250 },
    deps,
    undefined,
    { backfill: true },
  );

  // Rewards catalog: one reward of each kind (seed-rewards.ts).
  await seedDemoRewards(DEMO_PROGRAM_ID, deps);

  if (opts.keysFile) {
    mkdirSync(dirname(opts.keysFile), { recursive: true });
    writeFileSync(opts.keysFile, JSON.stringify({ apiKey, adminKey }, null, 2), { mode: 0o600 });
  }
  return { programId: DEMO_PROGRAM_ID, apiKey, adminKey };
}
