import { apiHandler, parse } from '../shared/http/api';
import { json } from '../shared/http/problem';
import { CouponRedeemInput } from '../shared/use-cases/reward-schemas';
import { checkCoupon, useCoupon } from '../shared/use-cases/redemptions';
import { deps } from '../shared/deps';

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
