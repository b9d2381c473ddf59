// EventBridge event-pattern matching, following the semantics of aws/event-ruler (the matcher
// EventBridge runs): a pattern is an object whose leaves are arrays of matchers; all named fields
// must match (AND), any matcher in a leaf array may match (OR); `$or` holds alternative sub-patterns.
// Arrays in the event are flattened: a field matches when any of its leaf values matches.

export type EventPattern = { [key: string]: unknown };

const OR = '$or';

/** True when the event matches the pattern. An empty pattern matches nothing (EventBridge rejects it). */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(pattern) || Object.keys(pattern).length === 0) return false;
  return matchObject(pattern, [event]);
}

function matchObject(pattern: Record<string, unknown>, nodes: unknown[]): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === OR && isOrPrimitive(sub)) {
      if (!sub.some((alternative) => matchObject(alternative, nodes))) return false;
      continue;
    }
    const children = nodes.flatMap((node) => childValues(node, key));
    if (Array.isArray(sub)) {
      if (!matchLeaf(sub, leaves(children))) return false;
    } else if (isObject(sub)) {
      if (!matchObject(sub, children.flatMap(flattenArrays).filter(isObject))) return false;
    } else {
      throw new Error(`Invalid event pattern: "${key}" must be an array or an object`);
    }
  }
  return true;
}

function isOrPrimitive(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length >= 2 && value.every(isObject);
}

function childValues(node: unknown, key: string): unknown[] {
  return flattenArrays(node)
    .filter(isObject)
    .filter((o) => Object.hasOwn(o, key))
    .map((o) => o[key]);
}

function flattenArrays(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(flattenArrays) : [value];
}

/** Leaf values: primitives and null. Objects are not leaves (event-ruler: exists only sees leaves). */
function leaves(values: unknown[]): Leaf[] {
  return values.flatMap(flattenArrays).filter((v): v is Leaf => !isObject(v));
}

type Leaf = string | number | boolean | null;

function matchLeaf(matchers: unknown[], values: Leaf[]): boolean {
  return matchers.some((m) => matchOne(m, values));
}

function matchOne(matcher: unknown, values: Leaf[]): boolean {
  if (!isObject(matcher)) return values.some((v) => v === matcher);
  const entries = Object.entries(matcher);
  if (entries.length !== 1) throw new Error(`Invalid event pattern matcher ${JSON.stringify(matcher)}`);
  const [op, arg] = entries[0]!;
  switch (op) {
    case 'exists':
      return arg ? values.length > 0 : values.length === 0;
    case 'anything-but':
      return values.some((v) => !anythingButExcludes(arg, v));
    default:
      return values.some((v) => stringMatcher(op, arg, v));
  }
}

function stringMatcher(op: string, arg: unknown, v: Leaf): boolean {
  switch (op) {
    case 'prefix':
      return (
        typeof v === 'string' &&
        (isObject(arg) ? ignoreCase(arg, (s) => v.toLowerCase().startsWith(s)) : v.startsWith(String(arg)))
      );
    case 'suffix':
      return (
        typeof v === 'string' &&
        (isObject(arg) ? ignoreCase(arg, (s) => v.toLowerCase().endsWith(s)) : v.endsWith(String(arg)))
      );
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === String(arg).toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && wildcard(String(arg)).test(v);
    case 'numeric':
      return typeof v === 'number' && numeric(arg as unknown[], v);
    case 'cidr':
      return typeof v === 'string' && cidr(String(arg), v);
    default:
      throw new Error(`Unsupported event pattern matcher "${op}"`);
  }
}

function ignoreCase(arg: Record<string, unknown>, test: (lowered: string) => boolean): boolean {
  const value = arg['equals-ignore-case'];
  if (typeof value !== 'string') throw new Error(`Unsupported matcher ${JSON.stringify(arg)}`);
  return test(value.toLowerCase());
}

/** True when `v` is one of the excluded values (so anything-but does not match it). */
function anythingButExcludes(arg: unknown, v: Leaf): boolean {
  if (Array.isArray(arg)) return arg.includes(v);
  if (isObject(arg)) {
    const [[op, value] = []] = Object.entries(arg);
    const list = Array.isArray(value) ? value : [value];
    return list.some((item) => stringMatcher(op as string, item, v));
  }
  return arg === v;
}

function numeric(conditions: unknown[], v: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      op === '>'
        ? v > bound
        : op === '>='
          ? v >= bound
          : op === '<'
            ? v < bound
            : op === '<='
              ? v <= bound
              : op === '='
                ? v === bound
                : (() => {
                    throw new Error(`Unsupported numeric operator "${String(op)}"`);
                  })();
    if (!ok) return false;
  }
  return true;
}

function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (c === '*') source += '.*';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cidr(block: string, ip: string): boolean {
  const [base, bitsText] = block.split('/');
  const a = ipToBigInt(base ?? '');
  const b = ipToBigInt(ip);
  if (a === null || b === null || a.width !== b.width) return false;
  const bits = bitsText === undefined ? a.width : Number(bitsText);
  const shift = BigInt(a.width - bits);
  return a.value >> shift === b.value >> shift;
}

function ipToBigInt(ip: string): { value: bigint; width: number } | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), width: 32 };
  }
  if (ip.includes(':')) {
    const [head = '', tail] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
    return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), width: 128 };
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
