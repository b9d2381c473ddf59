import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Scope } from '../../core/ledger/domain/types';
import { Forbidden, Unauthorized, ValidationFailed, DomainError } from '../../core/kernel/errors';
import { logger, publishMetrics } from '../runtime/observability';
import { fieldErrors, problem, toProblem, type HttpResponse } from './problem';

/** What a route sees: the caller's program (from the key, never from the request) and parsed input. */
export interface ApiRequest {
  programId: string;
  scopes: Scope[];
  keyId: string;
  requestId: string;
  correlationId: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

export interface Route {
  scope: Scope;
  handler: (req: ApiRequest) => Promise<HttpResponse>;
}

/** Routes keyed by "METHOD /resource/{param}", as API Gateway names them in event.resource. */
export type Routes = Record<string, Route>;

export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationFailed(fieldErrors(result.error, prefix));
  return result.data;
}

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
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
  const scopes = String(ctx.scopes ?? '').split(',').filter(Boolean) as Scope[];
  return { programId: ctx.programId, scopes, keyId: String(ctx.keyId ?? '') };
}

export function hasScope(scopes: Scope[], needed: Scope): boolean {
  return scopes.includes(needed) || scopes.includes('admin');
}

async function dispatch(routes: Routes, event: APIGatewayProxyEvent): Promise<HttpResponse> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const headers = lowerCaseHeaders(event.headers);
  const correlationId = headers['x-correlation-id'] ?? requestId;
  logger.appendKeys({ correlationId });
  try {
    const route = routes[`${event.httpMethod} ${event.resource}`];
    if (!route) return problem(404, 'not-found', 'No such route', `${event.httpMethod} ${event.path}`, {}, requestId);
    const who = caller(event);
    logger.appendKeys({ programId: who.programId, keyId: who.keyId });
    if (!hasScope(who.scopes, route.scope)) throw new Forbidden(route.scope);
    const res = await route.handler({
      ...who,
      requestId,
      correlationId,
      params: Object.fromEntries(Object.entries(event.pathParameters ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>,
      query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>,
      headers,
      body: parseBody(event, headers),
    });
    res.headers['x-correlation-id'] = correlationId;
    return res;
  } catch (err) {
    if (err instanceof DomainError) logger.info('request rejected', { status: err.status, type: err.type, detail: err.message });
    else logger.error('request failed', err as Error);
    const res = toProblem(err, requestId);
    res.headers['x-correlation-id'] = correlationId;
    return res;
  }
}

/** One Lambda per route group: parse -> scope check -> route -> problem+json on any error. */
export function apiHandler(routes: Routes) {
  return middy<APIGatewayProxyEvent, HttpResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics())
    .handler((event) => dispatch(routes, event));
}
