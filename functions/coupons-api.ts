import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { couponsRoutes } from '../adapters/http/routes/rewards';
import { deps } from '../adapters/runtime/deps';
import { checkCoupon, useCoupon } from '../core/rewards/use-cases/redemptions';

/** Partners check a code at the till and mark it used, once. */
export const handler = apiHandler(couponsRoutes, {
  checkCoupon: async (req) => json(200, await checkCoupon(req.programId, req.body.code, deps())),
  redeemCoupon: async (req) => json(200, await useCoupon(req.programId, req.body.code, req.body, deps())),
});
