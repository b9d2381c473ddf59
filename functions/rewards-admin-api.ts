import { apiHandler, parse } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { ClientId } from '../core/kernel/schemas';
import { PageQuery, RewardInput, RewardPatch } from '../core/rewards/schemas';
import { createReward, donationReport, getReward, listRewards, rewardDonations, updateReward } from '../core/rewards/use-cases/manage-catalog';
import { deps } from '../adapters/runtime/deps';

/** The rewards catalog (admin keys only) and the donation report. */
export const handler = apiHandler({
  'GET /v1/admin/rewards': {
    scope: 'admin',
    handler: async (req) => json(200, await listRewards(req.programId, deps())),
  },
  'POST /v1/admin/rewards': {
    scope: 'admin',
    handler: async (req) => {
      const reward = await createReward(req.programId, parse(RewardInput, req.body), deps());
      return json(201, reward, { location: `/v1/admin/rewards/${reward.rewardId}` });
    },
  },
  'GET /v1/admin/rewards/{rewardId}': {
    scope: 'admin',
    handler: async (req) => json(200, await getReward(req.programId, parse(ClientId, req.params.rewardId, 'rewardId'), deps())),
  },
  'PATCH /v1/admin/rewards/{rewardId}': {
    scope: 'admin',
    handler: async (req) => {
      const rewardId = parse(ClientId, req.params.rewardId, 'rewardId');
      return json(200, await updateReward(req.programId, rewardId, parse(RewardPatch, req.body ?? {}), deps()));
    },
  },
  'GET /v1/admin/rewards/{rewardId}/donations': {
    scope: 'admin',
    handler: async (req) => {
      const rewardId = parse(ClientId, req.params.rewardId, 'rewardId');
      return json(200, await rewardDonations(req.programId, rewardId, parse(PageQuery, req.query), deps()));
    },
  },
  'GET /v1/admin/donations': {
    scope: 'admin',
    handler: async (req) => json(200, await donationReport(req.programId, deps())),
  },
});
