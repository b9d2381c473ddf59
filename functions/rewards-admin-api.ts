import { apiHandler, parse } from '../shared/http/api';
import { json } from '../shared/http/problem';
import { ClientId } from '../shared/use-cases/schemas';
import { PageQuery, RewardInput, RewardPatch } from '../shared/use-cases/reward-schemas';
import { createReward, donationReport, getReward, listRewards, rewardDonations, updateReward } from '../shared/use-cases/rewards-admin';
import { deps } from '../shared/deps';

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
