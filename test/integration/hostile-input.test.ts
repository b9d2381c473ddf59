// Every input is hostile until validated. Against the embedded stack (as `npm start` runs it),
// every route with a body gets its documented example mutated field by field (wrong types, huge
// and fractional numbers, control characters, lone surrogates, prototype keys, deep nesting),
// then raw bodies that are not what they claim; every route gets hostile path parameters and
// queries. The answer is never a 5xx, and a rejected request writes nothing: the table is the same
// item for item before and after.
import { createHash, randomUUID } from 'node:crypto';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OperationId, ROUTE_LIST } from '../../adapters/http/routes';
import { MAX_JSON_DEPTH } from '../../core/kernel/validation';
import { type LocalStack, startLocalStack } from '../../local/start';

let stack: LocalStack;
let ddb: DynamoDBClient;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    stepFunctionsPort: 0,
    stepFunctionsRetryIntervalMs: 10,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName: `loyalty-hostile-it-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 10,
    // Many requests back to back, none about throttling (throttling.test.ts is): the bucket stays out of the way.
    demoThrottle: { rateLimit: 5_000, burstLimit: 5_000 },
    log: () => {},
    logError: () => {},
  });
  ddb = new DynamoDBClient({
    endpoint: stack.dynamodbEndpoint,
    region: stack.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 120_000);

afterAll(async () => {
  ddb?.destroy();
  await stack?.bus.whenIdle();
  await stack?.stop();
});

/** The table, item for item, as one digest (and a count for the message). */
async function snapshot(): Promise<{ digest: string; items: number }> {
  const hash = createHash('sha256');
  const lines: string[] = [];
  for await (const page of paginateScan({ client: ddb }, { TableName: stack.tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      // The authorizer records the day a key was first used (once a day): the key's, not the request's.
      const { lastUsedOn: _keyUse, ...rest } = item;
      const kept = item.entity?.S === 'apiKey' ? rest : item;
      lines.push(JSON.stringify(kept, Object.keys(kept).sort()));
    }
  }
  for (const line of lines.sort()) hash.update(line);
  return { digest: hash.digest('hex'), items: lines.length };
}

/** Waits for what a successful request set off (bus deliveries, sagas) before the next snapshot. */
async function settle() {
  await stack.bus.whenIdle();
  await Promise.all(
    stack.stepFunctions
      .executions()
      .filter((e) => e.status === 'RUNNING')
      .map((e) => stack.stepFunctions.waitForExecution(e.executionArn)),
  );
}

/** Demo data the paths name, so a request gets as far into the use case as its input lets it. */
const PARAMS: Record<string, string> = {
  memberId: 'alice',
  orderId: 'seed-order-1',
  ruleId: 'base',
  rewardId: 'coffee-5',
  redemptionId: 'no-such-redemption',
};

interface Tally {
  requests: number;
  kinds: Set<string>;
  statuses: Map<number, number>;
  serverErrors: string[];
  rejectedWrites: string[];
}
const tally: Tally = { requests: 0, kinds: new Set(), statuses: new Map(), serverErrors: [], rejectedWrites: [] };

interface Attempt {
  operationId: OperationId;
  kind: string;
  path?: string;
  query?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** The table as the last rejected request left it (null after a success: read it again). */
let known: { digest: string; items: number } | null = null;

/** Sends one hostile request and checks its answer: never a 5xx; a rejection changes nothing. */
async function attempt(a: Attempt): Promise<number> {
  const route = ROUTE_LIST.find((r) => r.operationId === a.operationId)!;
  const path = a.path ?? route.path.replace(/\{(\w+)\}/g, (_, name: string) => PARAMS[name] ?? 'x');
  known ??= await snapshot();
  const before = known;
  const res = await fetch(`${stack.apiUrl}${path}${a.query ?? ''}`, {
    method: route.method,
    headers: {
      'content-type': 'application/json',
      // Admin and staff routes take the admin key (the admin role holds every staff role).
      'x-api-key': route.scope === 'admin' || route.scope.startsWith('staff:') ? stack.adminKey : stack.apiKey,
      ...(['POST', 'PUT'].includes(route.method) ? { 'idempotency-key': randomUUID() } : {}),
      ...a.headers,
    },
    ...(a.body === undefined ? {} : { body: a.body }),
  });
  const text = await res.text();
  const where = `${a.operationId} ${a.kind} ${a.query ?? ''} -> ${res.status} ${text.slice(0, 200)}`;
  tally.requests++;
  tally.kinds.add(a.kind.replace(/ at .*$/, ''));
  tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
  if (res.status >= 500) tally.serverErrors.push(where);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), where).toBe('application/problem+json');
    known = await snapshot();
    if (known.digest !== before.digest) tally.rejectedWrites.push(`${where} (${before.items} -> ${known.items} items)`);
  } else {
    await settle();
    known = null;
  }
  return res.status;
}

/** Values no field expects: each replaces one field of an example in turn. */
const HOSTILE_VALUES: [string, string][] = [
  ['null', 'null'],
  ['negative', '-1'],
  ['huge integer', '9007199254740993'],
  ['float overflow', '1e309'],
  ['tiny fraction', '0.000001'],
  ['empty string', '""'],
  ['blank string', '"   "'],
  ['long string', JSON.stringify('x'.repeat(20_000))],
  ['control characters', JSON.stringify('a\u0000b\u001fc')],
  ['lone surrogate', '"\\ud800"'],
  ['markup', JSON.stringify('<script>alert(1)</script>')],
  ['key separator', JSON.stringify('alice#PROGRAM#x')],
  ['five decimals', '"1.00001"'],
  ['boolean', 'true'],
  ['empty array', '[]'],
  ['empty object', '{}'],
  ['prototype object', '{"__proto__":{"admin":true}}'],
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a JSON value ([] is the value itself). */
function paths(value: Json, at: string[] = []): string[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => paths(v, [...at, String(i)]))];
  if (value && typeof value === 'object')
    return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  return [at];
}

const MARK = '"__HOSTILE_VALUE__"';

/** The example as JSON text with the value at `at` replaced by raw JSON text. */
function replaced(example: Json, at: string[], raw: string): string {
  const copy = structuredClone(example) as Json;
  if (!at.length) return raw;
  let node = copy as Record<string, Json>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string, Json>;
  node[at.at(-1)!] = '__HOSTILE_VALUE__';
  return JSON.stringify(copy).replace(MARK, raw);
}

/** The example with an extra field named `key` in the object at `at`. */
function withKey(example: Json, at: string[], key: string): string {
  const json = JSON.stringify(structuredClone(example));
  const marker = `__hostile_${randomUUID().slice(0, 8)}`;
  const copy = JSON.parse(json) as Json;
  let node = copy as Record<string, Json>;
  for (const k of at) node = node[k] as Record<string, Json>;
  node[marker] = 1;
  return JSON.stringify(copy).replace(`"${marker}":1`, `"${key}":{"polluted":true}`);
}

const bodyRoutes = ROUTE_LIST.filter((r) => r.example !== undefined);
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('hostile input never gets a 5xx and never writes', () => {
  it.each(bodyRoutes.map((r) => r.operationId as OperationId))(
    '%s: every field of its example, replaced',
    async (id) => {
      const route = ROUTE_LIST.find((r) => r.operationId === id)!;
      const example = route.example as Json;
      for (const at of paths(example)) {
        for (const [kind, raw] of HOSTILE_VALUES) {
          await attempt({
            operationId: id,
            kind: `${kind} at ${at.join('.') || '(body)'}`,
            body: replaced(example, at, raw),
          });
        }
      }
    },
    300_000,
  );

  it.each(bodyRoutes.map((r) => r.operationId as OperationId))(
    '%s: prototype keys and deep nesting',
    async (id) => {
      const route = ROUTE_LIST.find((r) => r.operationId === id)!;
      const example = route.example as Json;
      const objects = paths(example).filter((at) => {
        let node: Json = example;
        for (const k of at) node = (node as Record<string, Json>)[k]!;
        return node !== null && typeof node === 'object' && !Array.isArray(node);
      });
      for (const at of objects) {
        for (const key of ['__proto__', 'constructor', 'prototype']) {
          const status = await attempt({
            operationId: id,
            kind: `prototype key at ${at.join('.')}`,
            body: withKey(example, at, key),
          });
          expect(status, `${id}: ${key} at ${at.join('.') || '(body)'}`).toBe(400);
        }
      }
      const nested = replaced(example, paths(example).at(-1)!, deep(MAX_JSON_DEPTH + 8));
      expect(await attempt({ operationId: id, kind: 'deep nesting', body: nested })).toBe(400);
      expect(await attempt({ operationId: id, kind: 'very deep nesting', body: deep(200_000) })).toBe(400);
    },
    300_000,
  );

  it.each(bodyRoutes.map((r) => r.operationId as OperationId))(
    '%s: bodies that are not what they claim',
    async (id) => {
      const raw: [string, string | undefined, Record<string, string>?][] = [
        ['no body', undefined],
        ['empty body', ''],
        ['truncated JSON', '{"a":'],
        ['JSON null', 'null'],
        ['JSON array', '[1,2]'],
        ['JSON string', '"x"'],
        ['not JSON', 'amount=1&memberId=alice'],
        ['wrong content type', '{}', { 'content-type': 'text/plain' }],
        ['duplicate keys', '{"a":1,"a":2}'],
      ];
      for (const [kind, body, headers] of raw) await attempt({ operationId: id, kind, body, headers });
      const big = JSON.stringify({
        ...(ROUTE_LIST.find((r) => r.operationId === id)!.example as object),
        pad: 'x'.repeat(1_100_000),
      });
      expect(await attempt({ operationId: id, kind: 'body over 1 MiB', body: big })).toBe(413);
    },
    300_000,
  );

  it('every route: hostile path parameters, queries and headers', async () => {
    const values = ['x'.repeat(3000), 'a#b', '..', '%00', '%F0%9F%92%A9', ' ', '%ZZ', 'a%2Fb'];
    for (const route of ROUTE_LIST) {
      const id = route.operationId as OperationId;
      const body = route.example === undefined ? undefined : JSON.stringify(route.example);
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      for (const name of names) {
        for (const value of values) {
          const path = route.path.replace(/\{(\w+)\}/g, (_, n: string) => (n === name ? value : (PARAMS[n] ?? 'x')));
          await attempt({ operationId: id, kind: 'hostile path parameter', path, body });
        }
      }
      for (const query of ['?limit=-1', '?limit=1e9', '?limit=abc', '?cursor=garbage', '?cursor=', '?__proto__=1']) {
        await attempt({ operationId: id, kind: 'hostile query', query, body });
      }
      await attempt({
        operationId: id,
        kind: 'hostile idempotency key',
        body,
        headers: { 'idempotency-key': 'x'.repeat(500) },
      });
    }
  }, 300_000);

  it('headers over 10 KiB are a 431 problem; a body over the gateway limit a 413', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/members/alice`, {
      headers: { 'x-api-key': stack.apiKey, 'x-padding': 'p'.repeat(11 * 1024) },
    });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { type: string }).type).toMatch(/headers-too-large$/);
    const huge = await attempt({
      operationId: 'recordPurchase',
      kind: 'body over 10 MB',
      body: 'x'.repeat(10_500_000),
    });
    expect(huge).toBe(413);
  });

  afterAll(() => {
    const statuses = [...tally.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    console.log(
      `hostile input: ${tally.requests} requests, ${tally.kinds.size} kinds, statuses {${statuses.join(', ')}}, ` +
        `${tally.serverErrors.length} 5xx, ${tally.rejectedWrites.length} rejected requests that wrote`,
    );
    expect(tally.serverErrors).toEqual([]);
    expect(tally.rejectedWrites, tally.rejectedWrites.join('\n')).toEqual([]);
  });
});
