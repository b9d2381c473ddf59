import type { ZodError } from 'zod';
import { DomainError, Unprocessable, ValidationFailed, type FieldError } from '../../core/kernel/errors';

export const PROBLEM_BASE = 'https://loyalty.dev/problems/';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function problem(status: number, type: string, title: string, detail?: string, extra: Record<string, unknown> = {}, instance?: string): HttpResponse {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({ type: PROBLEM_BASE + type, title, status, ...(detail ? { detail } : {}), ...(instance ? { instance } : {}), ...extra }),
  };
}

/** zod issues as one entry per bad field ("items.2.quantity"). */
export function fieldErrors(error: ZodError, prefix?: string): FieldError[] {
  const byField = new Map<string, string[]>();
  for (const { field, message } of issueErrors(error, prefix)) byField.set(field, [...(byField.get(field) ?? []), message]);
  return [...byField].map(([field, messages]) => ({ field, message: [...new Set(messages)].join('; ') }));
}

function issueErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [field, key].filter(Boolean).join('.'), message: 'is not a known field' }));
    }
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return [{ field: field || '(body)', message }];
  });
}

/** Typed errors become problem+json; anything else is a 500 that reveals nothing. */
export function toProblem(err: unknown, instance?: string): HttpResponse {
  if (err instanceof ValidationFailed) {
    return problem(400, err.type, err.title, `${err.errors.length} field(s) failed validation`, { errors: err.errors }, instance);
  }
  if (err instanceof Unprocessable) return problem(422, err.type, err.title, err.message, { errors: err.errors }, instance);
  if (err instanceof DomainError) return problem(err.status, err.type, err.title, err.message, {}, instance);
  return problem(500, 'internal', 'Something went wrong on our side', 'The error was logged; retrying is safe for idempotent requests', {}, instance);
}
