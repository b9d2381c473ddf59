import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { z } from 'zod';
import { type AuditDeps, recordAudit } from '../../core/audit/use-cases/audit-log';
import { withDeadline } from '../../core/kernel/deadline';
import { DomainError, type FieldError, ValidationFailed } from '../../core/kernel/errors';
import { check, unsafeShape } from '../../core/kernel/validation';
import type { Scope } from '../../core/programs/domain/program';
import { grants, staffRole } from '../../core/programs/domain/staff-roles';
import { Forbidden, Unauthorized } from '../../core/programs/errors';
import { deps } from '../runtime/deps';
import { emfMetrics, logger, publishMetrics } from '../runtime/observability';
import { type HttpResponse, problem, toProblem } from './problem';
import { type ApiRequest, auditMode, type RouteSpec } from './route';

export type Handler<R extends RouteSpec> = (req: ApiRequest<R>) => Promise<HttpResponse>;
export type Handlers<T extends Record<string, RouteSpec>> = { [K in keyof T]: Handler<T[K]> };

/** What an audited route's document was before the change (read just before the handler runs). */
export type BeforeReaders<T extends Record<string, RouteSpec>> = {
  [K in keyof T]?: (req: ApiRequest<T[K]>) => Promise<unknown>;
};

export interface ApiOptions<T extends Record<string, RouteSpec>> {
  before?: BeforeReaders<T>;
  /** Where after-commit entries go (default: the composition root's audit store and clock). */
  audit?: () => AuditDeps;
}

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers']): Record<string, string> {
  // fromEntries: a header named "__proto__" stays a header.
  return Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k.toLowerCase(), v]])),
  );
}

function defined(values: Record<string, string | undefined> | null): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function parseBody(event: APIGatewayProxyEvent, headers: Record<string, string>): unknown {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const type = headers['content-type'] ?? 'application/json';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ValidationFailed([{ field: '(body)', message: 'must be JSON (content-type: application/json)' }]);
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ValidationFailed([{ field: '(body)', message: 'is not valid JSON' }]);
  }
  const reserved = unsafeShape(body);
  if (reserved.length) throw new ValidationFailed(reserved);
  return body;
}

/** The largest body the API reads: far above any real request (500 items, 500 rules), far below Lambda's 6 MB. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** API Gateway's limit on the request line and headers together. */
export const MAX_HEADER_BYTES = 10 * 1024;

function tooLarge(event: APIGatewayProxyEvent): 'payload-too-large' | 'headers-too-large' | null {
  const headerBytes = Object.entries(event.headers ?? {}).reduce((n, [k, v]) => n + k.length + (v?.length ?? 0) + 4, 0);
  if (headerBytes + (event.path?.length ?? 0) > MAX_HEADER_BYTES) return 'headers-too-large';
  const body = event.body ?? '';
  const bodyBytes = event.isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body);
  return bodyBytes > MAX_BODY_BYTES ? 'payload-too-large' : null;
}

/** The caller's identity as the authorizer put it on the request. admin implies every scope. */
function caller(event: APIGatewayProxyEvent): { programId: string; scopes: Scope[]; keyId: string } {
  const ctx = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  if (typeof ctx.programId !== 'string' || !ctx.programId) throw new Unauthorized();
  const scopes = String(ctx.scopes ?? '')
    .split(',')
    .filter(Boolean) as Scope[];
  return { programId: ctx.programId, scopes, keyId: String(ctx.keyId ?? '') };
}

/** Staff roles are ranked (core/programs/domain/staff-roles.ts); admin implies every scope. */
export function hasScope(scopes: Scope[], needed: Scope): boolean {
  return grants(scopes, needed);
}

/** Path, query, headers and body checked together, so one 400 names every bad field. */
function requestInput(route: RouteSpec, event: APIGatewayProxyEvent, headers: Record<string, string>) {
  const errors: FieldError[] = [];
  const part = (schema: z.ZodType | undefined, value: unknown, prefix?: string) => {
    if (!schema) return value;
    const result = check(schema, value, prefix);
    if (!result.ok) errors.push(...result.errors);
    return result.ok ? result.value : undefined;
  };
  // Path parameters are named by the field alone ("memberId"); a header by its name.
  const params = part(route.params, defined(event.pathParameters));
  const query = part(route.query, defined(event.queryStringParameters));
  const headerValues = route.headers
    ? { ...headers, ...(part(route.headers, headers) as Record<string, string>) }
    : headers;
  const rawBody = parseBody(event, headers);
  const body = route.body ? part(route.body, rawBody ?? {}) : rawBody;
  if (errors.length) throw new ValidationFailed(errors.map(headerFieldName(route)));
  return { params: params ?? {}, query: query ?? {}, headers: headerValues, body };
}

/** Header errors name the header as a client sends it ("Idempotency-Key"). */
function headerFieldName(route: RouteSpec) {
  const names = new Map(
    Object.keys(route.headers ? ((route.headers as { shape?: object }).shape ?? {}) : {}).map((h) => [h, canonical(h)]),
  );
  return (e: FieldError): FieldError => {
    const [head, ...rest] = e.field.split('.');
    const name = names.get(head ?? '');
    return name ? { field: [name, ...rest].join('.'), message: e.message } : e;
  };
}

const canonical = (header: string) =>
  header
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('-');

/**
 * The audit entry of an admin write the use case does not record itself: after the handler answered 2xx, with
 * the document before (if the route has a reader) and the answer as the document after, secrets stripped. A
 * failure to append is logged with the entry and counted (AuditWriteFailed): the change stands.
 */
async function audited(
  operationId: string,
  req: ApiRequest<RouteSpec>,
  run: () => Promise<HttpResponse>,
  opts: ApiOptions<Record<string, RouteSpec>>,
): Promise<HttpResponse> {
  const reader = opts.before?.[operationId];
  const before = reader ? await reader(req).catch(() => null) : null;
  const res = await run();
  if (res.statusCode < 200 || res.statusCode > 299) return res;
  const after = res.body ? JSON.parse(res.body) : null;
  const e = { operation: operationId, actor: { keyId: req.keyId, role: staffRole(req.scopes) }, target: req.params };
  const ids = { requestId: req.requestId, correlationId: req.correlationId };
  try {
    await recordAudit(req.programId, { ...e, before, after }, ids, (opts.audit ?? deps)());
  } catch (err) {
    emfMetrics.count('AuditWriteFailed');
    logger.error('audit entry not written', { err: err as Error, entry: { ...e, ...ids } });
  }
  return res;
}

async function dispatch(
  routes: Record<string, RouteSpec>,
  handlers: Record<string, Handler<RouteSpec>>,
  byResource: Map<string, string>,
  event: APIGatewayProxyEvent,
  opts: ApiOptions<Record<string, RouteSpec>>,
): Promise<HttpResponse> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const oversize = tooLarge(event);
  if (oversize) return problem(oversize, undefined, {}, requestId);
  const headers = lowerCaseHeaders(event.headers);
  const correlationId = headers['x-correlation-id'] ?? requestId;
  logger.appendKeys({ correlationId });
  try {
    const operationId = byResource.get(`${event.httpMethod} ${event.resource}`);
    if (!operationId) return problem('not-found', `${event.httpMethod} ${event.path}`, {}, requestId);
    const route = routes[operationId]!;
    const who = caller(event);
    logger.appendKeys({ programId: who.programId, keyId: who.keyId, operationId });
    if (!hasScope(who.scopes, route.scope)) throw new Forbidden(route.scope);
    const input = requestInput(route, event, headers);
    const req = { ...who, requestId, correlationId, ...input } as ApiRequest<RouteSpec>;
    const run = () => handlers[operationId]!(req);
    const res = auditMode(route) === 'after-commit' ? await audited(operationId, req, run, opts) : await run();
    res.headers['x-correlation-id'] = correlationId;
    return res;
  } catch (err) {
    if (err instanceof DomainError) logger.info('request rejected', { type: err.type, detail: err.message });
    else logger.error('request failed', err as Error);
    const res = toProblem(err, requestId);
    res.headers['x-correlation-id'] = correlationId;
    return res;
  }
}

/** Time kept back from the Lambda's: retries of a conflict stop in time to answer 409 instead of timing out. */
export const ANSWER_MARGIN_MS = 1500;
/** When Middy answers 503 on its own: this long before the Lambda's timeout. */
export const EARLY_TIMEOUT_MS = 500;

/**
 * One Lambda per route group: the group's routes from the registry, a handler for each (the
 * compiler checks none is missing), parse -> scope check -> validate -> handler -> problem+json.
 */
export function apiHandler<T extends Record<string, RouteSpec>>(
  routes: T,
  handlers: Handlers<T>,
  opts: ApiOptions<T> = {},
) {
  const byResource = new Map(Object.entries(routes).map(([id, r]) => [`${r.method} ${r.path}`, id]));
  return middy<APIGatewayProxyEvent, HttpResponse, Error, Context>({
    // The last resort when a dependency hangs past every budget: answer before Lambda cuts us off.
    timeoutEarlyInMillis: EARLY_TIMEOUT_MS,
    timeoutEarlyResponse: () => {
      logger.error('request ran out of time');
      return problem('service-unavailable', 'The request did not finish in time; retrying with the same ids is safe');
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics())
    .handler((event, context) =>
      withDeadline(Date.now() + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS, () =>
        dispatch(
          routes,
          handlers as Record<string, Handler<RouteSpec>>,
          byResource,
          event,
          opts as ApiOptions<Record<string, RouteSpec>>,
        ),
      ),
    );
}
