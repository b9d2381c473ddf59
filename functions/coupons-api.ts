import { apiHandler, parse } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { CouponRedeemInput } from '../core/rewards/schemas';
import { checkCoupon, useCoupon } from '../core/rewards/use-cases/redemptions';
import { deps } from '../adapters/runtime/deps';

/** Partners check a code at the till and mark it used, once. */
export const handler = apiHandler({
  'GET /v1/coupons/{code}': {
    scope: 'purchases:write',
    handler: async (req) => json(200, await checkCoupon(req.programId, req.params.code ?? '', deps())),
  },
  'POST /v1/coupons/{code}/redeem': {
    scope: 'purchases:write',
    handler: async (req) => {
      const input = parse(CouponRedeemInput, req.body ?? {});
      return json(200, await useCoupon(req.programId, req.params.code ?? '', input, deps()));
    },
  },
});
