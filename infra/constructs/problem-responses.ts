import * as apigw from 'aws-cdk-lib/aws-apigateway';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_BASE = 'https://loyalty.dev/problems';

/** The RFC 9457 body API Gateway sends for one of its own responses. */
export interface GatewayProblem {
  readonly type: apigw.ResponseType;
  /** Omitted for the DEFAULT_* families, which keep API Gateway's status (400, 403, 413, 502, 504, ...). */
  readonly status?: number;
  readonly problem: { readonly type: string; readonly title: string; readonly detail?: string };
}

/**
 * Responses API Gateway produces before (or instead of) a handler. The same `type` URIs as the
 * handlers' problem mapper, so clients see one error format whoever answered. Bodies are plain
 * JSON; `$context.requestId` is the only substitution, so the local runner can serve them as is.
 */
export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  {
    type: apigw.ResponseType.UNAUTHORIZED,
    status: 401,
    problem: { type: `${PROBLEM_BASE}/unauthorized`, title: 'Missing or unknown API key' },
  },
  {
    type: apigw.ResponseType.ACCESS_DENIED,
    status: 403,
    problem: { type: `${PROBLEM_BASE}/forbidden`, title: 'The API key does not allow this operation' },
  },
  {
    // What API Gateway answers for a path/method with no route (it asks for a token it cannot use).
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: 404,
    problem: { type: `${PROBLEM_BASE}/not-found`, title: 'No such route' },
  },
  {
    type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
    status: 400,
    problem: { type: `${PROBLEM_BASE}/validation`, title: 'Invalid request parameters' },
  },
  {
    type: apigw.ResponseType.THROTTLED,
    status: 429,
    problem: { type: `${PROBLEM_BASE}/throttled`, title: 'Too many requests' },
  },
  {
    type: apigw.ResponseType.DEFAULT_4XX,
    problem: { type: `${PROBLEM_BASE}/bad-request`, title: 'The request was rejected' },
  },
  {
    type: apigw.ResponseType.DEFAULT_5XX,
    problem: { type: `${PROBLEM_BASE}/internal`, title: 'Internal error' },
  },
];

/** The mapping template: the problem document with `instance` set to the request id. */
export function problemBody({ status, problem }: GatewayProblem): string {
  return JSON.stringify({ ...problem, ...(status ? { status } : {}), instance: '$context.requestId' });
}

export function addProblemResponses(api: apigw.RestApi): void {
  for (const p of GATEWAY_PROBLEMS) {
    api.addGatewayResponse(`Problem${pascal(p.type.responseType)}`, {
      type: p.type,
      statusCode: p.status?.toString(),
      // Keyed by application/json so API Gateway picks it whatever the client's Accept header says;
      // the header override is what the client sees.
      templates: { 'application/json': problemBody(p) },
      responseHeaders: { 'Content-Type': `'${PROBLEM_CONTENT_TYPE}'` },
    });
  }
}

function pascal(s: string): string {
  return s
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
