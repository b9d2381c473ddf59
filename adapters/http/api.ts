import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { z } from 'zod';
import { DomainError, type FieldError, ValidationFailed } from '../../core/kernel/errors';
import { check } from '../../core/kernel/validation';
import type { Scope } from '../../core/programs/domain/program';
import { Forbidden, Unauthorized } from '../../core/programs/errors';
import { logger, publishMetrics } from '../runtime/observability';
import { type HttpResponse, problem, toProblem } from './problem';
import type { ApiRequest, RouteSpec } from './route';

export type Handler<R extends RouteSpec> = (req: ApiRequest<R>) => Promise<HttpResponse>;
export type Handlers<T extends Record<string, RouteSpec>> = { [K in keyof T]: Handler<T[K]> };

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
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
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationFailed([{ field: '(body)', message: 'is not valid JSON' }]);
  }
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

export function hasScope(scopes: Scope[], needed: Scope): boolean {
  return scopes.includes(needed) || scopes.includes('admin');
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

async function dispatch(
  routes: Record<string, RouteSpec>,
  handlers: Record<string, Handler<RouteSpec>>,
  byResource: Map<string, string>,
  event: APIGatewayProxyEvent,
): Promise<HttpResponse> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
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
    const res = await handlers[operationId]!({ ...who, requestId, correlationId, ...input } as ApiRequest<RouteSpec>);
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

/**
 * One Lambda per route group: the group's routes from the registry, a handler for each (the
 * compiler checks none is missing), parse -> scope check -> validate -> handler -> problem+json.
 */
export function apiHandler<T extends Record<string, RouteSpec>>(routes: T, handlers: Handlers<T>) {
  const byResource = new Map(Object.entries(routes).map(([id, r]) => [`${r.method} ${r.path}`, id]));
  return middy<APIGatewayProxyEvent, HttpResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics())
    .handler((event) => dispatch(routes, handlers as Record<string, Handler<RouteSpec>>, byResource, event));
}
