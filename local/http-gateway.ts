// The REST API as API Gateway runs it, for the embedded run: route matching on the resource tree,
// the REQUEST/TOKEN Lambda authorizer and its policy, API keys with their usage plans' throttle and
// quota and the stage throttle (local/throttle.ts), Lambda proxy events, gateway responses.
// Where API Gateway has an observable behaviour (401 without calling the authorizer when the
// identity source is missing, stringified authorizer context, 502 on a malformed proxy result),
// this does the same, so a handler that works here works behind the real gateway.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AuthorizerModel, GatewayResponseModel, LambdaFunctionModel, RouteModel } from './template';
import { LOCAL_ACCOUNT } from './template';
import { createMeter, type UsagePlanLimits } from './throttle';

// ---------------------------------------------------------------------------------------------
// Lambda invocation (shared with the event bus)

export type LambdaHandler = (
  event: any,
  context: LambdaContext,
  callback?: (err: unknown, result?: unknown) => void,
) => unknown;
/** The subset of a function's model needed to load and invoke it. */
export type LambdaRef = Pick<
  LambdaFunctionModel,
  'entry' | 'functionName' | 'handlerExport' | 'timeoutSeconds' | 'memorySize'
> &
  Partial<Pick<LambdaFunctionModel, 'environment'>>;
export type LoadHandler = (fn: LambdaRef) => Promise<LambdaHandler>;

export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(error?: unknown, result?: unknown): void;
  fail(error: unknown): void;
  succeed(result: unknown): void;
}

export class LambdaTimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

/** Variables the local process owns: NODE_OPTIONS would leak into child processes, AWS_* are ours. */
const LOCAL_ONLY_ENV = /^(NODE_OPTIONS|AWS_.*|_.*)$/;

/**
 * Imports handler modules relative to `rootDir` (once each). A function's literal environment
 * variables from the template are applied first, without overriding what is already set,
 * because handlers read their configuration at module load.
 */
export function createModuleLoader(rootDir: string): LoadHandler {
  const cache = new Map<string, Promise<LambdaHandler>>();
  return (fn) => {
    if (!fn.entry) return Promise.reject(new Error(`${fn.functionName} has no local entry (loyalty:entry metadata)`));
    const key = `${fn.entry}#${fn.handlerExport}`;
    let loaded = cache.get(key);
    if (!loaded) {
      for (const [name, value] of Object.entries(fn.environment ?? {})) {
        if (!LOCAL_ONLY_ENV.test(name)) process.env[name] ??= value;
      }
      loaded = import(pathToFileURL(resolve(rootDir, fn.entry)).href).then((mod) => {
        const handler = mod[fn.handlerExport] ?? mod.default?.[fn.handlerExport];
        if (typeof handler !== 'function') throw new Error(`${fn.entry} does not export "${fn.handlerExport}"`);
        return handler as LambdaHandler;
      });
      loaded.catch(() => cache.delete(key));
      cache.set(key, loaded);
    }
    return loaded;
  };
}

export function lambdaContext(fn: LambdaRef, region: string, deadline: number): LambdaContext {
  const noop = () => {};
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: noop,
    fail: noop,
    succeed: noop,
  };
}

/** Invokes a handler as the Lambda runtime would: promise or callback style, bounded by the function's timeout. */
export async function invokeLambda(
  fn: LambdaRef,
  loadHandler: LoadHandler,
  event: unknown,
  opts: { region: string; timeoutMs?: number },
): Promise<unknown> {
  const handler = await loadHandler(fn);
  const timeoutMs = opts.timeoutMs ?? fn.timeoutSeconds * 1000;
  const context = lambdaContext(fn, opts.region, Date.now() + timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LambdaTimeoutError(timeoutMs / 1000)), timeoutMs);
    timer.unref();
  });
  const run = new Promise<unknown>((resolvePromise, reject) => {
    const callback = (err: unknown, result?: unknown) => (err ? reject(err) : resolvePromise(result));
    context.done = callback;
    context.fail = (err) => reject(err);
    context.succeed = (result) => resolvePromise(result);
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function')
        (returned as Promise<unknown>).then(resolvePromise, reject);
      else if (handler.length < 3) resolvePromise(returned);
    } catch (err) {
      reject(err);
    }
  });
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Gateway

export interface GatewayOptions {
  routes: RouteModel[];
  gatewayResponses: GatewayResponseModel[];
  loadHandler: LoadHandler;
  /** API Gateway stage name, as in the template. Default `v1`. */
  stage?: string;
  region?: string;
  apiId?: string;
  log?: (line: string) => void;
  /** Logs handler errors; defaults to console.error. */
  logError?: (message: string, error: unknown) => void;
  /** Where methods that require an API key take it from (the RestApi's ApiKeySourceType). Default HEADER. */
  apiKeySource?: 'HEADER' | 'AUTHORIZER';
  /**
   * The usage plans of the stage: the limits of the plan holding `apiKey`, null when none holds it
   * (API Gateway's 403 INVALID_API_KEY). Absent: keys are required but not metered.
   */
  usagePlanOf?: (apiKey: string) => Promise<UsagePlanLimits | null>;
  /** The throttles' clock (epoch ms). Default Date.now. */
  now?: () => number;
}

/** API Gateway's integration timeout: beyond it the client gets a 504 whatever the Lambda timeout. */
const INTEGRATION_TIMEOUT_MS = 29_000;

const BUILTIN_RESPONSES: Record<string, { status: number; message: string | null; errorType?: string }> = {
  UNAUTHORIZED: { status: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  ACCESS_DENIED: {
    status: 403,
    message: 'User is not authorized to access this resource',
    errorType: 'AccessDeniedException',
  },
  MISSING_AUTHENTICATION_TOKEN: {
    status: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, message: null, errorType: 'AuthorizerConfigurationException' },
  AUTHORIZER_FAILURE: { status: 500, message: null, errorType: 'AuthorizerFailureException' },
  INVALID_API_KEY: { status: 403, message: 'Forbidden', errorType: 'ForbiddenException' },
  THROTTLED: { status: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  QUOTA_EXCEEDED: { status: 429, message: 'Limit Exceeded', errorType: 'LimitExceededException' },
  INTEGRATION_FAILURE: { status: 504, message: 'Internal server error' },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long' },
  DEFAULT_4XX: { status: 400, message: 'Bad Request' },
  DEFAULT_5XX: { status: 502, message: 'Internal server error' },
};

interface RequestInfo {
  requestId: string;
  extendedRequestId: string;
  method: string;
  path: string;
  received: number;
  sourceIp: string;
  userAgent: string | null;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  query: Record<string, string> | null;
  multiValueQuery: Record<string, string[]> | null;
  route?: RouteModel;
  pathParameters?: Record<string, string> | null;
  authorizer?: Record<string, string | null>;
  /** What the authorizer returned as the API key of the request (`usageIdentifierKey`). */
  usageIdentifierKey?: string;
}

interface HttpResult {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
}

/**
 * The route template a request matched, as API Gateway's access log records it; the raw path
 * only when nothing matched. Paths carry member ids, which may be email addresses.
 */
function routeOf(info: { path: string; route?: { resourcePath: string } }): string {
  return info.route?.resourcePath ?? '(no route)';
}

export function createGateway(opts: GatewayOptions): RequestListener {
  const stage = opts.stage ?? 'v1';
  const region = opts.region ?? 'us-east-1';
  const apiId = opts.apiId ?? 'local';
  const log = opts.log ?? ((line) => console.log(line));
  const logError = opts.logError ?? ((message, error) => console.error(message, error));
  const responses = new Map(opts.gatewayResponses.map((r) => [r.type, r]));
  const matcher = routeMatcher(opts.routes);
  const authorizerCache = new Map<string, { result: AuthorizerResult; expires: number }>();
  const apiKeySource = opts.apiKeySource ?? 'HEADER';
  const meter = createMeter();
  const now = opts.now ?? Date.now;

  const methodArn = (info: RequestInfo) =>
    `arn:aws:execute-api:${region}:${LOCAL_ACCOUNT}:${apiId}/${stage}/${info.method}${info.path}`;

  const requestContext = (info: RequestInfo) => ({
    accountId: LOCAL_ACCOUNT,
    apiId,
    resourceId: info.route ? resourceIdOf(info.route.resourcePath) : '',
    stage,
    requestId: info.requestId,
    extendedRequestId: info.extendedRequestId,
    requestTime: clfTime(new Date(info.received)),
    requestTimeEpoch: info.received,
    path: `/${stage}${info.path}`,
    resourcePath: info.route?.resourcePath ?? info.path,
    httpMethod: info.method,
    protocol: 'HTTP/1.1',
    domainName: info.headers[headerKey(info.headers, 'host') ?? ''] ?? '127.0.0.1',
    domainPrefix: apiId,
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: info.sourceIp,
      user: null,
      userAgent: info.userAgent,
      userArn: null,
      clientCert: null,
    },
  });

  const gatewayResponse = (type: string, info: RequestInfo, message?: string | null): HttpResult => {
    const builtin = BUILTIN_RESPONSES[type] ?? BUILTIN_RESPONSES.DEFAULT_4XX!;
    const family = builtin.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
    const custom = responses.get(type) ?? responses.get(family);
    const status = custom?.statusCode ?? builtin.status;
    const errorMessage = message === undefined ? builtin.message : message;
    const headers: Record<string, string> = { 'x-amzn-RequestId': info.requestId };
    if (builtin.errorType) headers['x-amzn-ErrorType'] = builtin.errorType;
    if (!custom) {
      headers['Content-Type'] = 'application/json';
      return { status, headers, body: JSON.stringify({ message: errorMessage }) };
    }
    const vars = contextVariables(info, requestContext(info), { type, message: errorMessage });
    for (const [param, source] of Object.entries(custom.parameters)) {
      const header = /^gatewayresponse\.header\.(.+)$/.exec(param)?.[1];
      const value = header && parameterValue(source, info);
      if (header && value !== undefined) headers[header] = value;
    }
    if (!headerKey(headers, 'content-type')) headers['Content-Type'] = 'application/json';
    const template = pickTemplate(custom.templates, info.headers[headerKey(info.headers, 'accept') ?? '']);
    const body = template === undefined ? JSON.stringify({ message: errorMessage }) : renderTemplate(template, vars);
    return { status, headers, body };
  };

  const authorize = async (route: RouteModel, auth: AuthorizerModel, info: RequestInfo): Promise<HttpResult | null> => {
    const identity = identityValues(auth.identitySource, info);
    if (identity === null) return gatewayResponse('UNAUTHORIZED', info);
    const arn = methodArn(info);
    const cacheKey = `${auth.function.functionName}|${identity.join('|')}`;
    let result = auth.resultTtlSeconds > 0 ? authorizerCache.get(cacheKey) : undefined;
    if (!result || result.expires < Date.now()) {
      const event =
        auth.type === 'TOKEN'
          ? { type: 'TOKEN', authorizationToken: identity[0], methodArn: arn }
          : {
              type: 'REQUEST',
              methodArn: arn,
              resource: route.resourcePath,
              path: info.path,
              httpMethod: info.method,
              headers: info.headers,
              multiValueHeaders: info.multiValueHeaders,
              queryStringParameters: info.query ?? {},
              multiValueQueryStringParameters: info.multiValueQuery ?? {},
              pathParameters: info.pathParameters ?? {},
              stageVariables: {},
              requestContext: requestContext(info),
            };
      let output: unknown;
      try {
        output = await invokeLambda(auth.function, opts.loadHandler, event, {
          region,
          timeoutMs: Math.min(auth.function.timeoutSeconds * 1000, INTEGRATION_TIMEOUT_MS),
        });
      } catch (err) {
        if (err instanceof Error && err.message === 'Unauthorized') return gatewayResponse('UNAUTHORIZED', info);
        if (err === 'Unauthorized') return gatewayResponse('UNAUTHORIZED', info);
        logError(`authorizer ${auth.entry} failed for ${info.method} ${routeOf(info)}`, err);
        return gatewayResponse('AUTHORIZER_CONFIGURATION_ERROR', info);
      }
      const parsed = parseAuthorizerResult(output);
      if (!parsed) {
        logError(`authorizer ${auth.entry} returned an invalid result`, output);
        return gatewayResponse('AUTHORIZER_CONFIGURATION_ERROR', info);
      }
      result = { result: parsed, expires: Date.now() + auth.resultTtlSeconds * 1000 };
      if (auth.resultTtlSeconds > 0) authorizerCache.set(cacheKey, result);
    }
    const decision = evaluatePolicy(result.result.statements, arn);
    if (decision !== 'Allow') {
      return gatewayResponse(
        'ACCESS_DENIED',
        info,
        decision === 'ExplicitDeny'
          ? 'User is not authorized to access this resource with an explicit deny'
          : undefined,
      );
    }
    info.authorizer = { ...result.result.context, principalId: result.result.principalId };
    if (result.result.usageIdentifierKey !== undefined) info.usageIdentifierKey = result.result.usageIdentifierKey;
    return null;
  };

  /** The API key's usage plan, then the stage throttle: null when the request may go on. */
  const throttle = async (route: RouteModel, info: RequestInfo): Promise<HttpResult | null> => {
    let apiKey: string | null = null;
    let plan: UsagePlanLimits | null = null;
    if (route.apiKeyRequired) {
      apiKey =
        (apiKeySource === 'AUTHORIZER'
          ? info.usageIdentifierKey
          : info.headers[headerKey(info.headers, 'x-api-key') ?? '']) || null;
      if (!apiKey) return gatewayResponse('INVALID_API_KEY', info);
      if (opts.usagePlanOf) {
        try {
          plan = await opts.usagePlanOf(apiKey);
        } catch (err) {
          logError(`usage plan lookup failed for ${info.method} ${routeOf(info)}`, err);
          return gatewayResponse('DEFAULT_5XX', info);
        }
        if (!plan) return gatewayResponse('INVALID_API_KEY', info);
      }
    }
    const verdict = meter.admit(
      { apiKey, plan, method: `${route.method} ${route.resourcePath}`, stage: route.throttle },
      now(),
    );
    return verdict === 'ADMITTED' ? null : gatewayResponse(verdict, info);
  };

  const integrate = async (route: RouteModel, info: RequestInfo, body: Buffer): Promise<HttpResult> => {
    const event = {
      resource: route.resourcePath,
      path: info.path,
      httpMethod: info.method,
      headers: Object.keys(info.headers).length ? info.headers : null,
      multiValueHeaders: Object.keys(info.multiValueHeaders).length ? info.multiValueHeaders : null,
      queryStringParameters: info.query,
      multiValueQueryStringParameters: info.multiValueQuery,
      pathParameters: info.pathParameters ?? null,
      stageVariables: null,
      requestContext: {
        ...requestContext(info),
        ...(info.authorizer && { authorizer: { ...info.authorizer, integrationLatency: Date.now() - info.received } }),
      },
      body: body.length ? body.toString('utf8') : null,
      isBase64Encoded: false,
    };
    const lambdaTimeoutMs = route.function.timeoutSeconds * 1000;
    let output: unknown;
    try {
      output = await invokeLambda(route.function, opts.loadHandler, event, {
        region,
        timeoutMs: Math.min(lambdaTimeoutMs, INTEGRATION_TIMEOUT_MS),
      });
    } catch (err) {
      logError(`${route.entry} threw on ${info.method} ${routeOf(info)}`, err);
      if (err instanceof LambdaTimeoutError && lambdaTimeoutMs > INTEGRATION_TIMEOUT_MS)
        return gatewayResponse('INTEGRATION_TIMEOUT', info);
      return gatewayResponse('DEFAULT_5XX', info);
    }
    const result = proxyResult(output);
    if (!result) {
      logError(`${route.entry} returned a malformed Lambda proxy response on ${info.method} ${routeOf(info)}`, output);
      return gatewayResponse('DEFAULT_5XX', info);
    }
    result.headers['x-amzn-RequestId'] ??= info.requestId;
    if (!headerKey(result.headers, 'content-type')) result.headers['Content-Type'] = 'application/json';
    return result;
  };

  return (req, res) => {
    const received = Date.now();
    readBody(req)
      .then(async (body) => {
        const info = requestInfo(req, received);
        const match = matcher(info.method, info.path);
        let result: HttpResult;
        if (body.length > MAX_PAYLOAD_BYTES) {
          result = gatewayResponse('REQUEST_TOO_LARGE', info);
        } else if (!match) {
          result = gatewayResponse('MISSING_AUTHENTICATION_TOKEN', info);
        } else {
          info.route = match.route;
          info.pathParameters = match.pathParameters;
          const denied = match.route.authorizer ? await authorize(match.route, match.route.authorizer, info) : null;
          result = denied ?? (await throttle(match.route, info)) ?? (await integrate(match.route, info, body));
        }
        write(res, result);
        log(`${info.method} ${routeOf(info)} ${result.status} ${Date.now() - received}ms`);
      })
      .catch((err) => {
        logError(`gateway failure on ${req.method} ${req.url}`, err);
        if (!res.headersSent)
          write(res, {
            status: 500,
            headers: { 'Content-Type': 'application/json' },
            body: '{"message":"Internal server error"}',
          });
      });
  };
}

// ---------------------------------------------------------------------------------------------
// Routing

interface RouteMatch {
  route: RouteModel;
  pathParameters: Record<string, string> | null;
}

/**
 * API Gateway prefers literal path parts over `{param}` over `{proxy+}`, left to right, and the
 * exact method over ANY. An unknown path or method is MISSING_AUTHENTICATION_TOKEN, as in AWS.
 */
export function routeMatcher(routes: RouteModel[]): (method: string, path: string) => RouteMatch | null {
  const compiled = routes.map((route) => ({ route, parts: route.resourcePath.split('/').filter(Boolean) }));
  return (method, path) => {
    const segments = path.split('/').filter(Boolean);
    let best: { match: RouteMatch; score: number[] } | null = null;
    for (const { route, parts } of compiled) {
      if (route.method !== method && route.method !== 'ANY') continue;
      const params: Record<string, string> = {};
      const score: number[] = [];
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const part = parts[i]!;
        const greedy = /^\{(.+)\+\}$/.exec(part);
        if (greedy) {
          const rest = segments.slice(i);
          if (rest.length === 0) ok = false;
          else params[greedy[1]!] = rest.map(safeDecode).join('/');
          score.push(0);
          break;
        }
        const segment = segments[i];
        if (segment === undefined) ok = false;
        else if (/^\{.+\}$/.test(part)) {
          params[part.slice(1, -1)] = safeDecode(segment);
          score.push(1);
        } else if (part === segment) score.push(2);
        else ok = false;
      }
      const greedyRoute = parts.some((p) => p.endsWith('+}'));
      if (!ok || (!greedyRoute && parts.length !== segments.length)) continue;
      score.push(route.method === method ? 1 : 0);
      if (!best || compareScores(score, best.score) > 0) {
        best = { match: { route, pathParameters: Object.keys(params).length ? params : null }, score };
      }
    }
    return best?.match ?? null;
  };
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and responses

function requestInfo(req: IncomingMessage, received: number): RequestInfo {
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Maps, then Object.fromEntries: a header or parameter named "__proto__" stays data, as in API Gateway.
  const headerValues = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    headerValues.set(name, [...(headerValues.get(name) ?? []), req.rawHeaders[i + 1]!]);
  }
  const headers = Object.fromEntries([...headerValues].map(([k, v]) => [k, v.at(-1)!])); // the last value wins
  const multiValueHeaders = Object.fromEntries(headerValues);
  // API Gateway sends null, not {}, when there is no query string.
  const queryValues = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) queryValues.set(name, [...(queryValues.get(name) ?? []), value]);
  const query = queryValues.size ? Object.fromEntries([...queryValues].map(([k, v]) => [k, v.at(-1)!])) : null;
  const multiValueQuery = queryValues.size ? Object.fromEntries(queryValues) : null;
  const path = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return {
    requestId: randomUUID(),
    extendedRequestId: randomUUID().replace(/-/g, '').slice(0, 16),
    method: (req.method ?? 'GET').toUpperCase(),
    path,
    received,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    userAgent: req.headers['user-agent'] ?? null,
    headers,
    multiValueHeaders,
    query,
    multiValueQuery,
  };
}

/** API Gateway's payload limit (REST APIs): larger requests never reach an integration. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolvePromise(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, result: HttpResult): void {
  const body = typeof result.body === 'string' ? Buffer.from(result.body) : result.body;
  // Framing is ours: a handler's content-length or transfer-encoding would contradict the body we send.
  const headers = Object.fromEntries(
    Object.entries(result.headers).filter(([k]) => !/^(content-length|transfer-encoding)$/i.test(k)),
  );
  res.writeHead(result.status, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}

/** A Lambda proxy result as API Gateway accepts it; null when API Gateway would answer 502. */
function proxyResult(output: unknown): HttpResult | null {
  if (typeof output !== 'object' || output === null) return null;
  const o = output as Record<string, unknown>;
  const allowed = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);
  if (Object.keys(o).some((k) => !allowed.has(k))) return null;
  const status = Number(o.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return null;
  if (o.body !== undefined && o.body !== null && typeof o.body !== 'string') return null;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries((o.headers ?? {}) as Record<string, unknown>)) headers[k] = String(v);
  for (const [k, v] of Object.entries((o.multiValueHeaders ?? {}) as Record<string, unknown>)) {
    const values = (Array.isArray(v) ? v : [v]).map(String);
    const existing = headers[k];
    headers[k] =
      existing === undefined ? values : [...new Set([...(Array.isArray(existing) ? existing : [existing]), ...values])];
  }
  const text = (o.body as string | undefined | null) ?? '';
  return { status, headers, body: o.isBase64Encoded ? Buffer.from(text, 'base64') : text };
}

function headerKey(headers: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(headers).find((k) => k.toLowerCase() === name);
}

// ---------------------------------------------------------------------------------------------
// Authorizer

interface AuthorizerResult {
  principalId: string;
  statements: { Effect: string; Action: string[]; Resource: string[] }[];
  context: Record<string, string | null>;
  usageIdentifierKey?: string;
}

/** Values of the identity sources, null when one is missing or empty (API Gateway then answers 401). */
function identityValues(identitySource: string, info: RequestInfo): string[] | null {
  const values: string[] = [];
  for (const source of identitySource
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let value: string | undefined;
    const header = /^method\.request\.header\.(.+)$/i.exec(source)?.[1];
    const query = /^method\.request\.querystring\.(.+)$/i.exec(source)?.[1];
    if (header) value = info.headers[headerKey(info.headers, header.toLowerCase()) ?? ''];
    else if (query) value = info.query?.[query];
    else value = source; // stage variables / context: not modelled, treated as present
    if (value === undefined || value === '') return null;
    values.push(value);
  }
  return values;
}

function parseAuthorizerResult(output: unknown): AuthorizerResult | null {
  if (typeof output !== 'object' || output === null) return null;
  const o = output as Record<string, any>;
  if (
    o.principalId === undefined ||
    o.principalId === null ||
    typeof o.policyDocument !== 'object' ||
    !o.policyDocument
  )
    return null;
  const rawStatements = o.policyDocument.Statement;
  const list = (Array.isArray(rawStatements) ? rawStatements : [rawStatements]).filter(Boolean);
  const asArray = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
  const context: Record<string, string | null> = {};
  for (const [k, v] of Object.entries((o.context ?? {}) as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object') return null; // objects and arrays: AuthorizerConfigurationException
    context[k] = v === null ? null : String(v); // API Gateway stringifies context values
  }
  return {
    principalId: String(o.principalId),
    statements: list.map((s: any) => ({
      Effect: String(s.Effect),
      Action: asArray(s.Action),
      Resource: asArray(s.Resource),
    })),
    context,
    ...(typeof o.usageIdentifierKey === 'string' && { usageIdentifierKey: o.usageIdentifierKey }),
  };
}

function evaluatePolicy(
  statements: AuthorizerResult['statements'],
  arn: string,
): 'Allow' | 'ExplicitDeny' | 'ImplicitDeny' {
  const applies = (s: AuthorizerResult['statements'][number]) =>
    s.Action.some((a) => glob(a.toLowerCase(), 'execute-api:invoke')) && s.Resource.some((r) => glob(r, arn));
  if (statements.some((s) => s.Effect.toLowerCase() === 'deny' && applies(s))) return 'ExplicitDeny';
  return statements.some((s) => s.Effect.toLowerCase() === 'allow' && applies(s)) ? 'Allow' : 'ImplicitDeny';
}

function glob(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

// ---------------------------------------------------------------------------------------------
// Gateway response templates

function contextVariables(
  info: RequestInfo,
  c: Record<string, any>,
  error: { type: string; message: string | null },
): Record<string, string> {
  const vars: Record<string, string> = {
    requestId: info.requestId,
    extendedRequestId: info.extendedRequestId,
    awsEndpointRequestId: info.requestId,
    accountId: c.accountId,
    apiId: c.apiId,
    stage: c.stage,
    path: c.path,
    resourcePath: c.resourcePath,
    resourceId: c.resourceId,
    httpMethod: info.method,
    protocol: c.protocol,
    domainName: c.domainName,
    domainPrefix: c.domainPrefix,
    requestTime: c.requestTime,
    requestTimeEpoch: String(info.received),
    'identity.sourceIp': info.sourceIp,
    'identity.userAgent': info.userAgent ?? '',
    'error.message': error.message ?? '',
    'error.messageString': JSON.stringify(error.message),
    'error.responseType': error.type,
    'error.validationErrorString': '',
  };
  for (const [k, v] of Object.entries(info.authorizer ?? {})) vars[`authorizer.${k}`] = v ?? '';
  return vars;
}

/** Substitutes `$context.x`, `$!context.x`, `${context.x}` and `$!{context.x}`; unknown ones render empty. */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  return template
    .replace(/\$!?\{context\.([A-Za-z0-9_.]+)\}/g, (_m, name: string) => vars[name] ?? '')
    .replace(/\$!?context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g, (_m, name: string) => {
      // `$context.requestId.` ends a sentence: try the longest known name first.
      for (let n = name; n; n = n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : '') {
        if (n in vars) return vars[n] + name.slice(n.length);
      }
      return '';
    });
}

function pickTemplate(templates: Record<string, string>, accept: string | undefined): string | undefined {
  const types = Object.keys(templates);
  if (types.length === 0) return undefined;
  const wanted = (accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const chosen =
    types.find((t) => wanted.includes(t.toLowerCase())) ?? types.find((t) => t === 'application/json') ?? types[0]!;
  return templates[chosen];
}

/** `'literal'` or `method.request.header.X` / `.querystring.X` / `.path.X`, as in ResponseParameters. */
function parameterValue(source: string, info: RequestInfo): string | undefined {
  const literal = /^'(.*)'$/s.exec(source);
  if (literal) return literal[1];
  const [, where, name] = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(source) ?? [];
  if (where === 'header') return info.headers[headerKey(info.headers, name!.toLowerCase()) ?? ''];
  if (where === 'querystring') return info.query?.[name!];
  if (where === 'path') return info.pathParameters?.[name!];
  return undefined;
}

function resourceIdOf(resourcePath: string): string {
  let h = 0;
  for (const ch of resourcePath) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h.toString(36).slice(0, 6).padStart(6, '0');
}

/** API Gateway's `requestTime` format: `23/Nov/2026:08:00:00 +0000`. */
function clfTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  const time = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${time} +0000`;
}
