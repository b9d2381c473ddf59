// The operator API on the embedded stack over DynamoDB Local: staff roles, adjustments (idempotent, within
// the role's limit, never below zero under cap-at-balance), member search, the audit log, export and erasure.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/start';

let stack: LocalStack;
const keys: Record<string, string> = {};

async function api(method: string, path: string, opts: { key?: string; body?: unknown; idem?: string } = {}) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'x-api-key': opts.key ?? stack.adminKey,
      ...(opts.idem ? { 'idempotency-key': opts.idem } : {}),
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const adjust = (memberId: string, body: unknown, key: string, idem = randomUUID()) =>
  api('POST', `/v1/admin/members/${memberId}/adjustments`, { key, body, idem });
const transactions = async (memberId: string) =>
  (await api('GET', `/v1/members/${memberId}/transactions?limit=100`)).body.items as { type: string }[];
const auditLog = async () => (await api('GET', '/v1/admin/audit-log?limit=100')).body.items as any[];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    stepFunctionsPort: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName: `loyalty-operator-it-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 10,
    demoThrottle: { rateLimit: 5_000, burstLimit: 5_000 },
    log: () => {},
  });
  for (const role of ['viewer', 'support', 'manager'] as const) {
    const created = await api('POST', '/v1/admin/keys', { body: { scopes: [`staff:${role}`], label: `${role} desk` } });
    expect(created.status).toBe(201);
    keys[role] = created.body.apiKey;
  }
  for (const [memberId, email] of [
    ['olga', 'Olga@Example.com'],
    ['pia', 'pia@example.com'],
  ]) {
    expect(
      (await api('PUT', `/v1/members/${memberId}`, { key: stack.apiKey, body: { email, name: 'X' } })).status,
    ).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await stack?.bus.whenIdle();
  await stack?.stop();
});

describe('staff roles', () => {
  it('refuse a viewer an adjustment with a 403 naming the role it needs', async () => {
    const res = await adjust('olga', { points: 5, reason: 'x' }, keys.viewer!);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ role: 'support', scope: 'staff:support' });
  });

  it('let a viewer read admin data but not change it', async () => {
    expect((await api('GET', '/v1/admin/program', { key: keys.viewer })).status).toBe(200);
    expect((await api('GET', '/v1/admin/audit-log', { key: keys.viewer })).status).toBe(200);
    const res = await api('PUT', '/v1/admin/expiry-policy', { key: keys.viewer, body: { kind: 'none' } });
    expect(res.body).toMatchObject({ status: 403, role: 'manager' });
  });

  it('keep API keys for admins only', async () => {
    expect((await api('GET', '/v1/admin/keys', { key: keys.manager })).body).toMatchObject({ role: 'admin' });
  });
});

describe('adjustments', () => {
  it('record once for an Idempotency-Key sent twice', async () => {
    const idem = randomUUID();
    const first = await adjust('olga', { points: 300, reason: 'Goodwill' }, keys.support!, idem);
    const second = await adjust('olga', { points: 300, reason: 'Goodwill' }, keys.support!, idem);

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await transactions('olga')).filter((t) => t.type === 'adjust')).toHaveLength(1);
    expect((await api('GET', '/v1/members/olga', { key: stack.apiKey })).body.points.available).toBe(300);
  });

  it("refuse a support adjustment over the program's limit, naming points, writing nothing", async () => {
    const [txBefore, logBefore] = [await transactions('olga'), await auditLog()];

    const res = await adjust('olga', { points: -1001, reason: 'Too much' }, keys.support!);

    expect(res.status).toBe(403);
    expect(res.body.type).toMatch(/adjustment-over-limit$/);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'points' })]);
    expect(await transactions('olga')).toEqual(txBefore);
    expect(await auditLog()).toEqual(logBefore);
  });

  it('refuse an adjustment without a reason with a 400 naming reason', async () => {
    const res = await adjust('olga', { points: 5 }, keys.support!);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
  });

  it('refuse a debit beyond the balance (cap-at-balance) with a 422 naming points', async () => {
    const res = await adjust('olga', { points: -5000, reason: 'Fraud' }, keys.manager!);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['points']);
    expect((await api('GET', '/v1/members/olga', { key: stack.apiKey })).body.points.available).toBe(300);
  });

  it('debit the lots and show the change in the audit log, before and after', async () => {
    expect((await adjust('olga', { points: -100, reason: 'Correction' }, keys.manager!)).status).toBe(201);

    const entry = (await auditLog()).find((e) => e.operation === 'adjustPoints');

    expect(entry).toMatchObject({
      target: { memberId: 'olga' },
      actor: { role: 'manager', label: 'manager desk' },
      before: { balances: { available: 300 } },
      after: { balances: { available: 200 }, transaction: { points: -100, reason: 'Correction' } },
    });
  });
});

describe('member search', () => {
  it('finds by member id, by email (normalised) and by referral code', async () => {
    const code = (await api('GET', '/v1/members/pia', { key: stack.apiKey })).body.referralCode;
    const find = async (q: string) =>
      (await api('GET', `/v1/admin/members?query=${encodeURIComponent(q)}`, { key: keys.viewer })).body.items.map(
        (i: { matchedBy: string; member: { memberId: string } }) => `${i.matchedBy}:${i.member.memberId}`,
      );

    expect(await find('pia')).toEqual(['memberId:pia']);
    expect(await find(' OLGA@example.COM ')).toEqual(['email:olga']);
    expect(await find(code)).toEqual(['referralCode:pia']);
    expect(await find('nobody@example.com')).toEqual([]);
  });
});

describe('the audit log of other admin writes', () => {
  it('records a change with its document before and after, and never a key', async () => {
    const before = (await api('GET', '/v1/admin/expiry-policy')).body;
    const policy = { kind: 'after-earning', months: 12 };
    expect((await api('PUT', '/v1/admin/expiry-policy', { key: keys.manager, body: policy })).status).toBe(200);

    const log = await auditLog();
    const change = log.find((e) => e.operation === 'putExpiryPolicy');
    const created = log.filter((e) => e.operation === 'createKey');

    expect(change).toMatchObject({
      actor: { role: 'manager' },
      before,
      after: { expiryPolicy: { kind: 'after-earning' } },
    });
    expect(created).toHaveLength(3);
    expect(created[0].after.apiKey).toBeUndefined();
    for (const key of Object.values(keys)) expect(JSON.stringify(log)).not.toContain(key);
    // Restored, so the rest of the suite's credits never expire.
    expect((await api('PUT', '/v1/admin/expiry-policy', { body: before.expiryPolicy })).status).toBe(200);
  });
});

describe('data protection', () => {
  it('exports everything held on the member, the adjustment included', async () => {
    const res = await api('POST', '/v1/admin/members/olga/export', { key: keys.support });
    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({ memberId: 'olga', email: 'Olga@Example.com', erasedAt: null });
    expect(res.body.transactions.map((t: { type: string }) => t.type)).toEqual(['adjust', 'adjust']);
    expect(res.body.lookups).toMatchObject({ email: true });
  });

  it('erases personal data, keeps the ledger anonymised, and the email finds nobody', async () => {
    expect((await api('DELETE', '/v1/admin/members/olga', { key: keys.manager })).status).toBe(403);
    const erased = await api('DELETE', '/v1/admin/members/olga');
    const again = await api('DELETE', '/v1/admin/members/olga');
    const data = (await api('POST', '/v1/admin/members/olga/export')).body;

    expect(erased.body).toMatchObject({ erased: true, removed: ['email', 'name', 'referralCode'] });
    expect(again.body).toMatchObject({ erased: false, erasedAt: erased.body.erasedAt });
    expect(data.profile).toMatchObject({ email: null, name: null, referralCode: null, attributes: {} });
    expect(data.profile.points.available).toBe(200);
    expect(data.transactions).toHaveLength(2);
    expect(data.lookups).toEqual({ referralCode: null, email: false });
    const found = await api('GET', '/v1/admin/members?query=olga@example.com', { key: keys.viewer });
    expect(found.body.items).toEqual([]);
    const entry = (await auditLog()).find((e) => e.operation === 'eraseMember');
    expect(JSON.stringify(entry)).not.toMatch(/Olga@Example\.com/);
  });
});
