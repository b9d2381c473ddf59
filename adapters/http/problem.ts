import { DomainError } from '../../core/kernel/errors';
import { isUnavailable } from '../runtime/unavailable';
import { isProblemSlug, PROBLEMS, type ProblemSlug, problemType } from './problems';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** An RFC 9457 problem document of a registered type, with Retry-After when the type has one. */
export function problem(
  slug: ProblemSlug,
  detail?: string,
  extensions: Record<string, unknown> = {},
  instance?: string,
): HttpResponse {
  const { status, title } = PROBLEMS[slug];
  const retryAfter = (PROBLEMS[slug] as { retryAfterSeconds?: number }).retryAfterSeconds;
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/problem+json',
      ...(retryAfter ? { 'retry-after': String(retryAfter) } : {}),
    },
    body: JSON.stringify({
      type: problemType(slug),
      title,
      status,
      ...(detail ? { detail } : {}),
      ...(instance ? { instance } : {}),
      ...extensions,
    }),
  };
}

/**
 * Typed errors become problem+json; a dependency that could not serve (down, throttling, timing
 * out) is a 503 with Retry-After; anything else is a 500 that reveals nothing.
 */
export function toProblem(err: unknown, instance?: string): HttpResponse {
  if (err instanceof DomainError && isProblemSlug(err.type)) {
    const detail = err.type === 'validation-failed' ? validationDetail(err) : err.message;
    return problem(err.type, detail, err.extensions, instance);
  }
  if (isUnavailable(err))
    return problem('service-unavailable', 'A dependency did not answer; retry later', {}, instance);
  return problem('internal', 'The error was logged; retrying is safe for idempotent requests', {}, instance);
}

function validationDetail(err: DomainError): string {
  const errors = (err.extensions as { errors?: unknown[] }).errors;
  return errors ? `${errors.length} field(s) failed validation` : err.message;
}
