import { apiHandler, parse } from '../shared/http/api';
import { json } from '../shared/http/problem';
import { TierSetInput } from '../shared/domain/tiers';
import { ExpiryPolicyInput } from '../shared/domain/expiry';
import {
  ProgramSettingsInput,
  deleteTierSet,
  getExpiryPolicy,
  getProgramSettings,
  getTierSet,
  putExpiryPolicy,
  putTierSet,
  patchProgramSettings,
} from '../shared/use-cases/tiers-admin';
import { deps } from '../shared/deps';

export const handler = apiHandler({
  'GET /v1/admin/program': { scope: 'admin', handler: async (req) => json(200, await getProgramSettings(req.programId, deps())) },
  'PATCH /v1/admin/program': {
    scope: 'admin',
    handler: async (req) => json(200, await patchProgramSettings(req.programId, parse(ProgramSettingsInput, req.body ?? {}), deps())),
  },
  'GET /v1/admin/tiers': { scope: 'admin', handler: async (req) => json(200, await getTierSet(req.programId, deps())) },
  'PUT /v1/admin/tiers': { scope: 'admin', handler: async (req) => json(200, await putTierSet(req.programId, parse(TierSetInput, req.body), deps())) },
  'DELETE /v1/admin/tiers': {
    scope: 'admin',
    handler: async (req) => {
      await deleteTierSet(req.programId, deps());
      return { statusCode: 204, headers: {}, body: '' };
    },
  },
  'GET /v1/admin/expiry-policy': { scope: 'admin', handler: async (req) => json(200, await getExpiryPolicy(req.programId, deps())) },
  'PUT /v1/admin/expiry-policy': {
    scope: 'admin',
    handler: async (req) => json(200, await putExpiryPolicy(req.programId, parse(ExpiryPolicyInput, req.body), deps())),
  },
});
