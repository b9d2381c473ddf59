import type { Clock } from '../../kernel/clock';
import { type FieldError, ValidationFailed } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { fieldErrors } from '../../kernel/validation';
import type { ProgramSettings } from '../../programs/domain/program';
import { ProgramNotFound } from '../../programs/errors';
import type { ProgramStore } from '../../programs/ports';
import { DEFAULT_CODE_FORMAT, issuesCoupon, type Reward, type RewardDetails } from '../domain/rewards';
import { RewardNotFound } from '../errors';
import type { CatalogStore, DonationStore, RewardChanges } from '../ports';
import { DetailsInput, type RewardInput, type RewardPatch } from '../schemas';

export interface RewardsAdminDeps {
  programs: Pick<ProgramStore, 'getProgram'>;
  catalog: CatalogStore;
  donations: DonationStore;
  clock: Clock;
}

const DEFAULT_CANCELLATION_HOURS = 24;

/** Rules that span fields or need the program: validity window, currencies, tiers, who issues codes. */
function crossFieldErrors(r: Omit<Reward, 'createdAt' | 'updatedAt'>, program: ProgramSettings): FieldError[] {
  const errors: FieldError[] = [];
  if (r.validFrom && r.validUntil && Date.parse(r.validFrom) >= Date.parse(r.validUntil))
    errors.push({ field: 'validUntil', message: 'must be after validFrom' });
  const money = Object.entries(r.details).filter(
    (e): e is [string, { amount: number; currency: string }] =>
      !!e[1] && typeof e[1] === 'object' && 'currency' in e[1],
  );
  for (const [field, m] of money) {
    if (m.currency !== program.currency)
      errors.push({ field: `details.${field}.currency`, message: `must be the program currency ${program.currency}` });
  }
  const known = new Set((program.tierSet?.tiers ?? []).map((t) => t.id));
  const unknownTier = (id: string) => !known.has(id);
  for (const id of Object.keys(r.cost.byTier).filter(unknownTier))
    errors.push({
      field: `cost.byTier.${id}`,
      message: program.tierSet
        ? `is not a tier of this program (${[...known].join(', ')})`
        : 'the program has no tiers',
    });
  for (const id of (r.eligibility.tiers ?? []).filter(unknownTier))
    errors.push({
      field: 'eligibility.tiers',
      message: program.tierSet
        ? `"${id}" is not a tier of this program (${[...known].join(', ')})`
        : 'the program has no tiers',
    });
  if (r.coupon && !issuesCoupon(r.type))
    errors.push({ field: 'coupon', message: 'only coupon, free-shipping and gift-card rewards issue codes' });
  return errors;
}

async function programOf(programId: string, deps: Pick<RewardsAdminDeps, 'programs'>) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  return program;
}

export async function createReward(programId: string, input: RewardInput, deps: RewardsAdminDeps): Promise<Reward> {
  const program = await programOf(programId, deps);
  const now = deps.clock.now().toISOString();
  const { rewardId, type, details, stock, coupon, cancellationWindowHours, ...rest } = input;
  const reward: Reward = {
    rewardId: rewardId ?? ulid(),
    type,
    details: { type, ...details } as RewardDetails,
    ...rest,
    stock: stock ? { total: stock.total, remaining: stock.total } : null,
    coupon:
      coupon ??
      (issuesCoupon(type) && coupon === undefined
        ? { format: { ...DEFAULT_CODE_FORMAT }, validityDays: type === 'gift-card' ? 365 : 90 }
        : null),
    cancellationWindowHours: cancellationWindowHours ?? (type === 'donation' ? 0 : DEFAULT_CANCELLATION_HOURS),
    createdAt: now,
    updatedAt: now,
  };
  const errors = crossFieldErrors(reward, program);
  if (issuesCoupon(type) && !reward.coupon)
    errors.push({
      field: 'coupon',
      message: 'a reward that issues codes needs a code format (omit the field for the default)',
    });
  if (errors.length) throw new ValidationFailed(errors);
  await deps.catalog.createReward(programId, reward);
  return reward;
}

export async function updateReward(
  programId: string,
  rewardId: string,
  patch: RewardPatch,
  deps: RewardsAdminDeps,
): Promise<Reward> {
  const program = await programOf(programId, deps);
  const current = await deps.catalog.getReward(programId, rewardId);
  if (!current) throw new RewardNotFound(rewardId);
  const { addStock, details: rawDetails, ...fields } = patch;
  const changes: RewardChanges = { ...fields };
  if (rawDetails !== undefined) {
    const { type: _ignored, ...withoutType } = (
      rawDetails && typeof rawDetails === 'object' ? rawDetails : {}
    ) as Record<string, unknown>;
    const parsed = DetailsInput[current.type].safeParse(rawDetails === null ? null : withoutType, {
      reportInput: true,
    });
    if (!parsed.success) throw new ValidationFailed(fieldErrors(parsed.error, 'details'));
    changes.details = { type: current.type, ...parsed.data } as RewardDetails;
  }
  const errors = crossFieldErrors({ ...current, ...changes }, program);
  if (errors.length) throw new ValidationFailed(errors);
  return deps.catalog.updateReward(programId, rewardId, changes, addStock, deps.clock.now().toISOString());
}

export async function getReward(
  programId: string,
  rewardId: string,
  deps: Pick<RewardsAdminDeps, 'catalog'>,
): Promise<Reward> {
  const reward = await deps.catalog.getReward(programId, rewardId);
  if (!reward) throw new RewardNotFound(rewardId);
  return reward;
}

export async function listRewards(
  programId: string,
  deps: Pick<RewardsAdminDeps, 'catalog'>,
): Promise<{ items: Reward[] }> {
  const items = await deps.catalog.listRewards(programId);
  return { items: items.sort((a, b) => a.name.localeCompare(b.name) || a.rewardId.localeCompare(b.rewardId)) };
}

/** Totals per cause over every donation reward of the program: what to pay each cause. */
export async function donationReport(programId: string, deps: Pick<RewardsAdminDeps, 'donations'>) {
  const causes = await deps.donations.donationTotals(programId);
  return { causes: causes.sort((a, b) => a.causeName.localeCompare(b.causeName)) };
}

/** One reward's donations, oldest first, paged; with the cause's running total. */
export async function rewardDonations(
  programId: string,
  rewardId: string,
  query: { limit: number; cursor?: string },
  deps: Pick<RewardsAdminDeps, 'catalog' | 'donations'>,
) {
  const reward = await deps.catalog.getReward(programId, rewardId);
  if (!reward) throw new RewardNotFound(rewardId);
  if (reward.details.type !== 'donation')
    throw new ValidationFailed([
      { field: 'rewardId', message: `reward "${rewardId}" is a ${reward.type}, not a donation` },
    ]);
  const page = await deps.donations.listDonations(programId, rewardId, query.limit, query.cursor ?? null);
  const total =
    (await deps.donations.donationTotals(programId)).find(
      (c) => c.causeId === (reward.details as Extract<RewardDetails, { type: 'donation' }>).cause.causeId,
    ) ?? null;
  return {
    rewardId,
    cause: (reward.details as Extract<RewardDetails, { type: 'donation' }>).cause,
    causeTotal: total,
    ...page,
  };
}
