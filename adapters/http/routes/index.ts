// Every route of the API, declared once: infra builds the API Gateway resources from this list,
// the functions dispatch from their group's part of it, and `npm run openapi` documents it.
import type { RouteSpec } from '../route';
import { connectorsRoutes } from './connectors';
import { earningRulesRoutes } from './earning-rules';
import { membersRoutes } from './members';
import { auditRoutes, memberOperatorRoutes } from './operator';
import { programAdminRoutes } from './program-admin';
import { purchasesRoutes } from './purchases';
import { couponsRoutes, redemptionsRoutes, rewardsAdminRoutes } from './rewards';
import { webhooksRoutes } from './webhooks';

export const ROUTES = {
  ...membersRoutes,
  ...purchasesRoutes,
  ...earningRulesRoutes,
  ...programAdminRoutes,
  ...rewardsAdminRoutes,
  ...redemptionsRoutes,
  ...couponsRoutes,
  ...memberOperatorRoutes,
  ...auditRoutes,
  ...webhooksRoutes,
  ...connectorsRoutes,
} satisfies Record<string, RouteSpec>;

export type OperationId = keyof typeof ROUTES;

export const ROUTE_LIST: readonly (RouteSpec & { operationId: string })[] = Object.entries(ROUTES).map(
  ([operationId, r]) => ({
    operationId,
    ...(r as RouteSpec),
  }),
);
