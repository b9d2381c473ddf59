// How a route is declared: once, with everything the API Gateway resources, the handler's
// dispatcher and the OpenAPI document need. The registry (routes/) lists every route; each
// function serves the routes of its group.
import type { z } from 'zod';
import type { Scope } from '../../core/programs/domain/program';
import type { ProblemSlug } from './problems';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** One Lambda function per group: the group's name is its entry under functions/. */
export const ROUTE_GROUPS = [
  'members-api',
  'purchases-api',
  'earning-rules-api',
  'program-admin-api',
  'rewards-admin-api',
  'redemptions-api',
  'coupons-api',
  'webhooks-api',
  'connectors-api',
  'connectors-webhooks',
] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

type AnyObject = z.ZodType<Record<string, unknown>>;

export interface ResponseSpec {
  description: string;
  /** The body (application/json); none for 204. */
  schema?: z.ZodType;
  /** Response headers worth documenting (Location, x-idempotent-replay, ...). */
  headers?: Record<string, string>;
}

export interface RouteSpec<
  P extends AnyObject = AnyObject,
  Q extends AnyObject = AnyObject,
  H extends AnyObject = AnyObject,
  B extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Full path with the version, e.g. `/v1/members/{memberId}`. */
  path: string;
  scope: Scope;
  /**
   * `api-key` (default): API Gateway needs `x-api-key` and the authorizer decides the program and scopes.
   * `signature`: public (no key, no authorizer); the handler authenticates the request itself
   * (a platform's webhook signature), and `scope` is unused.
   */
  auth?: 'api-key' | 'signature';
  group: RouteGroup;
  summary: string;
  description?: string;
  /** Path parameters, one field per `{name}` of the path. */
  params?: P;
  query?: Q;
  /** Request headers the route reads (names in lower case). */
  headers?: H;
  /** The request body: validated before the handler runs. */
  body?: B;
  /** A body the use case validates itself (it needs the path too): documented, not checked here. */
  bodyDoc?: z.ZodType;
  /** Success responses by status. */
  responses: Record<number, ResponseSpec>;
  /** Problem types this route answers with, beyond those every route can (validation, auth, internal). */
  problems: readonly ProblemSlug[];
  /** A request body that works against the demo program (OpenAPI example; validated by a test). */
  example?: unknown;
  /**
   * How the audit log records the route: `after-commit` (the default for admin and staff routes that are not
   * GETs: the dispatcher appends an entry once the handler answered 2xx), `in-transaction` (the use case writes
   * its entry in the change's own transaction, or on its own for a read that must be logged), `none`.
   */
  audit?: 'after-commit' | 'in-transaction' | 'none';
}

/** How the audit log records a route (see RouteSpec.audit). */
export function auditMode(route: Pick<RouteSpec, 'audit' | 'method' | 'scope'>): NonNullable<RouteSpec['audit']> {
  if (route.audit) return route.audit;
  const staff = route.scope === 'admin' || route.scope.startsWith('staff:');
  return staff && route.method !== 'GET' ? 'after-commit' : 'none';
}

/** What a handler sees: the caller (from the key, never from the request) and its validated input. */
export interface ApiRequest<R extends RouteSpec = RouteSpec> {
  programId: string;
  scopes: Scope[];
  keyId: string;
  requestId: string;
  correlationId: string;
  params: R['params'] extends z.ZodType ? z.output<R['params']> : Record<string, never>;
  query: R['query'] extends z.ZodType ? z.output<R['query']> : Record<string, never>;
  headers: R['headers'] extends z.ZodType ? z.output<R['headers']> & Record<string, string> : Record<string, string>;
  body: R['body'] extends z.ZodType ? z.output<R['body']> : unknown;
}

/** Declares a group's routes, keyed by operation id (the OpenAPI operationId and the handler's name). */
export function defineRoutes<const T extends Record<string, RouteSpec>>(routes: T): T {
  return routes;
}

/** Every problem any route can answer with, besides its own. */
export const COMMON_PROBLEMS: readonly ProblemSlug[] = [
  'validation-failed',
  'unauthorized',
  'forbidden',
  'program-not-provisioned',
  'throttled',
  'quota-exceeded',
  'service-unavailable',
  'internal',
];

/** Path parameter names of a path, in order. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!);
}
