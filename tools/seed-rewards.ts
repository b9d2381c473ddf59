import { RewardExists } from '../core/rewards/errors';
import { RewardInput } from '../core/rewards/schemas';
import { createReward, type RewardsAdminDeps } from '../core/rewards/use-cases/manage-catalog';

/**
 * The demo catalog: one reward of each kind, so `npm start` shows instant codes, a donation, stock and partner
 * fulfilment.
 */
export const DEMO_REWARDS: unknown[] = [
  {
    rewardId: 'coffee-5',
    name: '$5 off your coffee',
    category: 'coffee',
    type: 'coupon-fixed',
    details: { discount: { amount: 500, currency: 'USD' } },
    cost: { points: 25 },
    coupon: { format: { prefix: 'CAFE', alphabet: 'alphanumeric', length: 10, groupSize: 5 }, validityDays: 30 },
    limit: { count: 3, period: 'week' },
  },
  {
    rewardId: 'ten-percent',
    name: '10% off one order',
    type: 'coupon-percent',
    details: { percent: 10, maxDiscount: { amount: 2_000, currency: 'USD' } },
    cost: { points: 60 },
  },
  {
    rewardId: 'free-shipping',
    name: 'Free shipping',
    type: 'free-shipping',
    details: {},
    cost: { points: 30 },
    limit: { count: 1, period: 'month' },
  },
  {
    rewardId: 'gift-card-10',
    name: '$10 gift card',
    type: 'gift-card',
    details: { value: { amount: 1_000, currency: 'USD' } },
    cost: { points: 100 },
    coupon: { format: { prefix: 'GIFT', alphabet: 'numeric', length: 16, groupSize: 4 }, validityDays: 365 },
  },
  {
    rewardId: 'tote-bag',
    name: 'Canvas tote bag',
    category: 'merch',
    type: 'free-product',
    details: { sku: 'TOTE-1', productName: 'Demo Store canvas tote' },
    cost: { points: 80 },
    stock: { total: 25 },
  },
  {
    rewardId: 'chefs-table',
    name: "Chef's table for two",
    type: 'experience',
    details: { venue: 'Demo Store Kitchen, New York' },
    cost: { points: 500 },
    stock: { total: 8 },
    eligibility: { minMembershipDays: 30 },
  },
  {
    rewardId: 'plant-a-tree',
    name: 'Plant a tree',
    type: 'donation',
    details: { cause: { causeId: 'one-tree', name: 'One Tree Planted' }, amount: { amount: 100, currency: 'USD' } },
    cost: { points: 20 },
    maxQuantity: 10,
  },
];

/** Adds each demo reward the program does not have yet (a restart keeps changes made through the admin API). */
export async function seedDemoRewards(programId: string, deps: RewardsAdminDeps): Promise<void> {
  for (const raw of DEMO_REWARDS) {
    try {
      await createReward(programId, RewardInput.parse(raw), deps);
    } catch (err) {
      if (!(err instanceof RewardExists)) throw err;
    }
  }
}
