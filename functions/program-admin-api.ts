import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { auditRoutes } from '../adapters/http/routes/operator';
import { programAdminRoutes } from '../adapters/http/routes/program-admin';
import { deps } from '../adapters/runtime/deps';
import { listAuditLog } from '../core/audit/use-cases/audit-log';
import { getExpiryPolicy, putExpiryPolicy } from '../core/expiry/use-cases/expiry-policy';
import { createKey, listKeys, revokeKey, rotateKey } from '../core/programs/use-cases/api-keys';
import { getProgramSettings, patchProgramSettings } from '../core/programs/use-cases/program-settings';
import { deleteTierSet, getTierSet, putTierSet } from '../core/tiers/use-cases/manage-tiers';

const keyOf = async (programId: string, keyId: string) =>
  (await listKeys(programId, deps())).items.find((k) => k.keyId === keyId) ?? null;

export const handler = apiHandler(
  { ...programAdminRoutes, ...auditRoutes },
  {
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
    listAuditLog: async (req) => json(200, await listAuditLog(req.programId, req.query, deps())),
  },
  {
    // The audit log's "before" of each change, read just before it (the answer is the "after").
    before: {
      patchProgram: (req) => getProgramSettings(req.programId, deps()),
      putTiers: (req) => getTierSet(req.programId, deps()),
      deleteTiers: (req) => getTierSet(req.programId, deps()),
      putExpiryPolicy: (req) => getExpiryPolicy(req.programId, deps()),
      revokeKey: (req) => keyOf(req.programId, req.params.keyId),
      rotateKey: (req) => keyOf(req.programId, req.params.keyId),
    },
  },
);
