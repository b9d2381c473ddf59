import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { rewardsAdminRoutes } from '../adapters/http/routes/rewards';
import { deps } from '../adapters/runtime/deps';
import {
  createReward,
  donationReport,
  getReward,
  listRewards,
  rewardDonations,
  updateReward,
} from '../core/rewards/use-cases/manage-catalog';

/** The rewards catalog (admin keys only) and the donation report. */
export const handler = apiHandler(
  rewardsAdminRoutes,
  {
    listRewards: async (req) => json(200, await listRewards(req.programId, deps())),
    createReward: async (req) => {
      const reward = await createReward(req.programId, req.body, deps());
      return json(201, reward, { location: `/v1/admin/rewards/${reward.rewardId}` });
    },
    getReward: async (req) => json(200, await getReward(req.programId, req.params.rewardId, deps())),
    patchReward: async (req) => json(200, await updateReward(req.programId, req.params.rewardId, req.body, deps())),
    listRewardDonations: async (req) =>
      json(200, await rewardDonations(req.programId, req.params.rewardId, req.query, deps())),
    donationReport: async (req) => json(200, await donationReport(req.programId, deps())),
  },
  {
    // The audit log's "before" of each change (the answer is the "after").
    before: { patchReward: (req) => getReward(req.programId, req.params.rewardId, deps()) },
  },
);
