import { apiHandler, parse } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { TierSetInput } from '../core/tiers/domain/tiers';
import { ExpiryPolicyInput } from '../core/expiry/domain/expiry';
import {
  ProgramSettingsInput,
  deleteTierSet,
  getExpiryPolicy,
  getProgramSettings,
  getTierSet,
  putExpiryPolicy,
  putTierSet,
  patchProgramSettings,
} from '../core/programs/use-cases/program-admin';
import { deps } from '../adapters/runtime/deps';

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
