import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { programAdminRoutes } from '../adapters/http/routes/program-admin';
import { deps } from '../adapters/runtime/deps';
import { getExpiryPolicy, putExpiryPolicy } from '../core/expiry/use-cases/expiry-policy';
import { createKey, listKeys, revokeKey, rotateKey } from '../core/programs/use-cases/api-keys';
import { getProgramSettings, patchProgramSettings } from '../core/programs/use-cases/program-settings';
import { deleteTierSet, getTierSet, putTierSet } from '../core/tiers/use-cases/manage-tiers';

export const handler = apiHandler(programAdminRoutes, {
  getProgram: async (req) => json(200, await getProgramSettings(req.programId, deps())),
  patchProgram: async (req) => json(200, await patchProgramSettings(req.programId, req.body, deps())),
  getTiers: async (req) => json(200, await getTierSet(req.programId, deps())),
  putTiers: async (req) => json(200, await putTierSet(req.programId, req.body, deps())),
  deleteTiers: async (req) => {
    await deleteTierSet(req.programId, deps());
    return { statusCode: 204, headers: {}, body: '' };
  },
  getExpiryPolicy: async (req) => json(200, await getExpiryPolicy(req.programId, deps())),
  putExpiryPolicy: async (req) => json(200, await putExpiryPolicy(req.programId, req.body, deps())),
  listKeys: async (req) => json(200, await listKeys(req.programId, deps())),
  createKey: async (req) => json(201, await createKey(req.programId, req.body, deps())),
  revokeKey: async (req) => json(200, await revokeKey(req.programId, req.params.keyId, req.keyId, deps())),
  rotateKey: async (req) => json(201, await rotateKey(req.programId, req.params.keyId, req.body, req.keyId, deps())),
});
