import type { z } from 'zod';
import { type FieldError, ValidationFailed } from './errors';

/**
 * Parses hostile input: the value, or a ValidationFailed naming every bad field. Inputs are
 * reported so a wrong type says what came ("expected number, received string"); "is required"
 * is kept for a field that is missing.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new ValidationFailed(fieldErrors(result.error, prefix));
  return result.data;
}

/** The same check without throwing: the errors (empty when valid) and the value. */
export function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix?: string,
): { ok: true; value: z.output<S> } | { ok: false; errors: FieldError[] } {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error, prefix) };
}

/** Keys that name JavaScript's object machinery, not data: refused wherever they appear in input. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deeper than any real document (a rule's conditions nest a few levels): refused before anything walks it. */
export const MAX_JSON_DEPTH = 32;

/**
 * What no schema should have to see in parsed JSON: a field named like object machinery
 * ("attributes.constructor"), or nesting deeper than MAX_JSON_DEPTH. Walks without recursion, so
 * a hostile document cannot overflow the stack.
 */
export function unsafeShape(value: unknown, prefix?: string): FieldError[] {
  const found: FieldError[] = [];
  const pending: { node: unknown; path: string[] }[] = [{ node: value, path: prefix ? [prefix] : [] }];
  const base = prefix ? 1 : 0;
  while (pending.length) {
    const { node, path } = pending.pop()!;
    if (!node || typeof node !== 'object') continue;
    if (path.length - base >= MAX_JSON_DEPTH) {
      found.push({ field: path.join('.') || '(body)', message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
      continue;
    }
    const entries = Array.isArray(node) ? node.map((n, i) => [String(i), n] as const) : Object.entries(node);
    for (const [key, child] of entries) {
      const at = [...path, key];
      if (!Array.isArray(node) && PROTOTYPE_KEYS.has(key)) {
        found.push({ field: at.join('.'), message: 'is a reserved name, not a field' });
      } else pending.push({ node: child, path: at });
    }
  }
  return found.sort((a, b) => a.field.localeCompare(b.field));
}

/** zod issues as one entry per bad field ("items.2.quantity"). */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  const byField = new Map<string, string[]>();
  for (const { field, message } of issueErrors(error, prefix)) {
    byField.set(field, [...(byField.get(field) ?? []), message]);
  }
  return [...byField].map(([field, messages]) => ({ field, message: [...new Set(messages)].join('; ') }));
}

function issueErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [field, key].filter(Boolean).join('.'),
        message: 'is not a known field',
      }));
    }
    return [{ field: field || '(body)', message: issueMessage(issue) }];
  });
}

const DEFAULT_TYPE_MESSAGE = /^Invalid input: expected /;

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return issue.message;
  const reported = 'input' in issue;
  const missing = reported ? issue.input === undefined : / received undefined$/.test(issue.message);
  // A schema's own hint for a missing field ("is required (send a unique Idempotency-Key ...)") is kept.
  if (missing)
    return /required/.test(issue.message) && !DEFAULT_TYPE_MESSAGE.test(issue.message) ? issue.message : 'is required';
  const came = reported ? received(issue.input) : (/received (\w+)$/.exec(issue.message)?.[1] ?? 'another type');
  // A message of the schema's own ("must be in minor units ...") says more than zod's generic one.
  if (!DEFAULT_TYPE_MESSAGE.test(issue.message)) return `${issue.message} (received ${came})`;
  return `expected ${issue.expected}, received ${came}`;
}

function received(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'integer' : Number.isFinite(value) ? 'number' : String(value);
  return typeof value;
}
