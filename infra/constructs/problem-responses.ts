import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { PROBLEMS, type ProblemSlug, problemType } from '../../adapters/http/problems';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A response API Gateway produces before (or instead of) a handler, as one of the registry's problems. */
export interface GatewayProblem {
  readonly type: apigw.ResponseType;
  readonly problem: ProblemSlug;
  /** The DEFAULT_* families keep API Gateway's own status (400, 403, 413, 502, 504, ...). */
  readonly keepStatus?: boolean;
}

/**
 * Gateway responses with the same problem types as the handlers, so clients see one error format
 * whoever answered. Bodies are plain JSON; `$context.requestId` is the only substitution, so the
 * local runner can serve them as they are.
 */
export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  { type: apigw.ResponseType.UNAUTHORIZED, problem: 'unauthorized' },
  { type: apigw.ResponseType.ACCESS_DENIED, problem: 'forbidden' },
  // What API Gateway answers for a path/method with no route (it asks for a token it cannot use).
  { type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, problem: 'not-found' },
  { type: apigw.ResponseType.BAD_REQUEST_PARAMETERS, problem: 'validation-failed' },
  // The program's usage plan (rate, burst) or the stage throttle; its quota for the period.
  { type: apigw.ResponseType.THROTTLED, problem: 'throttled' },
  { type: apigw.ResponseType.QUOTA_EXCEEDED, problem: 'quota-exceeded' },
  // The authorizer's usage identifier is no API key of a usage plan on this stage: the program was not synced.
  { type: apigw.ResponseType.INVALID_API_KEY, problem: 'program-not-provisioned' },
  // API Gateway's own limits: a body over 10 MB, a request line and headers over 10 KiB.
  { type: apigw.ResponseType.REQUEST_TOO_LARGE, problem: 'payload-too-large' },
  // The authorizer could not decide (its table read did not answer, it timed out or threw): the key
  // was not judged, so retry later. API Gateway reports a throwing authorizer as a configuration error.
  { type: apigw.ResponseType.AUTHORIZER_FAILURE, problem: 'service-unavailable' },
  { type: apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, problem: 'service-unavailable' },
  { type: apigw.ResponseType.DEFAULT_4XX, problem: 'bad-request', keepStatus: true },
  { type: apigw.ResponseType.DEFAULT_5XX, problem: 'internal', keepStatus: true },
];

/** The mapping template: the problem document with `instance` set to the request id. */
export function problemBody({ problem, keepStatus }: GatewayProblem): string {
  const { title, status } = PROBLEMS[problem];
  return JSON.stringify({
    type: problemType(problem),
    title,
    ...(keepStatus ? {} : { status }),
    instance: '$context.requestId',
  });
}

export function addProblemResponses(api: apigw.RestApi): void {
  for (const p of GATEWAY_PROBLEMS) {
    const { status } = PROBLEMS[p.problem];
    const retryAfter = (PROBLEMS[p.problem] as { retryAfterSeconds?: number }).retryAfterSeconds;
    api.addGatewayResponse(`Problem${pascal(p.type.responseType)}`, {
      type: p.type,
      statusCode: p.keepStatus ? undefined : String(status),
      // Keyed by application/json so API Gateway picks it whatever the client's Accept header says;
      // the header override is what the client sees.
      templates: { 'application/json': problemBody(p) },
      responseHeaders: {
        'Content-Type': `'${PROBLEM_CONTENT_TYPE}'`,
        ...(retryAfter ? { 'Retry-After': `'${retryAfter}'` } : {}),
      },
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
