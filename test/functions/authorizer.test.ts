import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../core/programs/use-cases/authenticate';

// The authorizer talks to DynamoDB without the SDK (adapters/aws), so instead of aws-sdk-client-mock
// a stub speaks DynamoDB's JSON protocol on a local port: every request it sees is checked as AWS
// would see it (target, content type, a SigV4 authorization with the environment's credentials).
const items = new Map<string, Record<string, unknown>>();
const seen: { target?: string; headers: IncomingHttpHeaders; body: any }[] = [];
let failNext = 0;
let failUpdates = false;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const parsed = JSON.parse(body);
    seen.push({ target: req.headers['x-amz-target'] as string, headers: req.headers, body: parsed });
    const update = req.headers['x-amz-target'] === 'DynamoDB_20120810.UpdateItem';
    if (failNext > 0 || (update && failUpdates)) {
      if (!update || !failUpdates) failNext--;
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'boom' }));
      return;
    }
    const key = `${parsed.Key.pk.S}|${parsed.Key.sk.S}`;
    const item = items.get(key);
    if (update) {
      if (item) item.lastUsedOn = parsed.ExpressionAttributeValues[':d'].S;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(item ? { Item: marshall(item, { removeUndefinedValues: true }) } : {}));
  });
});

let authorizer: typeof import('../../functions/authorizer')['handler'];
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  Object.assign(process.env, {
    TABLE_NAME: 'stub-table',
    AWS_REGION: 'eu-west-1',
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: 'AKIDLAMBDA',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'session-token',
  });
  ({ handler: authorizer } = await import('../../functions/authorizer'));
});
afterAll(() => server.close());
beforeEach(() => {
  items.clear();
  seen.length = 0;
  failNext = 0;
  failUpdates = false;
});

const authEvent = (headers: Record<string, string>) =>
  ({ type: 'REQUEST', methodArn: 'arn:aws:execute-api:us-east-1:123:api1/v1/GET/v1/members/alice', headers }) as any;
const program = { programId: 'shop', name: 'Shop', currency: 'USD', createdAt: '2026-01-01T00:00:00Z' };
const goodKey = () =>
  items.set(`APIKEY#${hashApiKey('lk_good')}|APIKEY`, {
    keyId: 'k1',
    programId: 'shop',
    scopes: ['members:read'],
    createdAt: 'x',
  });

describe('authorizer', () => {
  it('looks the key up by its SHA-256 and allows the whole API with the program and scopes as context', async () => {
    goodKey();
    items.set('PROGRAM#shop|SETTINGS', program);
    const res = await authorizer(authEvent({ 'X-Api-Key': 'lk_good' }));
    expect(res.context).toEqual({ programId: 'shop', scopes: 'members:read', keyId: 'k1' });
    expect(res.policyDocument.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Resource: 'arn:aws:execute-api:us-east-1:123:api1/v1/*/*',
    });
    expect(seen.map((s) => [s.target, s.body.TableName, s.body.Key.pk.S.split('#')[0]])).toEqual([
      ['DynamoDB_20120810.GetItem', 'stub-table', 'APIKEY'],
      ['DynamoDB_20120810.UpdateItem', 'stub-table', 'APIKEY'],
      ['DynamoDB_20120810.GetItem', 'stub-table', 'PROGRAM'],
    ]);
  });

  it('records the day a key is used at most once a day; a failure to record it refuses nothing', async () => {
    goodKey();
    await authorizer(authEvent({ 'x-api-key': 'lk_good' }));
    await authorizer(authEvent({ 'x-api-key': 'lk_good' }));
    const updates = seen.filter((s) => s.target === 'DynamoDB_20120810.UpdateItem');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedOn) OR lastUsedOn < :d)',
      ExpressionAttributeValues: { ':d': { S: new Date().toISOString().slice(0, 10) } },
    });
    // A day later the UpdateItem fails (3 attempts): the key is let in all the same.
    items.get(`APIKEY#${hashApiKey('lk_good')}|APIKEY`)!.lastUsedOn = '2026-01-01';
    failUpdates = true;
    expect((await authorizer(authEvent({ 'x-api-key': 'lk_good' }))).context?.programId).toBe('shop');
    expect(seen.filter((s) => s.target === 'DynamoDB_20120810.UpdateItem')).toHaveLength(4);
  });

  it('refuses a revoked or expired key (401)', async () => {
    items.set(`APIKEY#${hashApiKey('lk_revoked')}|APIKEY`, {
      keyId: 'k2',
      programId: 'shop',
      scopes: ['admin'],
      createdAt: 'x',
      revokedAt: '2026-01-01T00:00:00.000Z',
    });
    items.set(`APIKEY#${hashApiKey('lk_expired')}|APIKEY`, {
      keyId: 'k3',
      programId: 'shop',
      scopes: ['admin'],
      createdAt: 'x',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    await expect(authorizer(authEvent({ 'x-api-key': 'lk_revoked' }))).rejects.toThrow('Unauthorized');
    await expect(authorizer(authEvent({ 'x-api-key': 'lk_expired' }))).rejects.toThrow('Unauthorized');
    expect(seen.filter((s) => s.target === 'DynamoDB_20120810.UpdateItem')).toHaveLength(0);
  });

  it("signs each request with the function's credentials from the environment", async () => {
    goodKey();
    await authorizer(authEvent({ 'x-api-key': 'lk_good' }));
    const { headers } = seen[0]!;
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(headers['x-amz-security-token']).toBe('session-token');
    const signed = 'content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target';
    expect(headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=AKIDLAMBDA/\\d{8}/eu-west-1/dynamodb/aws4_request, SignedHeaders=${signed}, ` +
          'Signature=[0-9a-f]{64}$',
      ),
    );
  });

  it("returns the program's API Gateway key as usageIdentifierKey, so its usage plan meters it", async () => {
    goodKey();
    const usagePlan = { apiKeyId: 'abc123', usageKey: 'AgwKeyValue0123456789abcdef', usagePlanId: 'up1' };
    items.set('PROGRAM#shop|SETTINGS', { ...program, usagePlan });
    const res = await authorizer(authEvent({ 'x-api-key': 'lk_good' }));
    expect(res.usageIdentifierKey).toBe('AgwKeyValue0123456789abcdef');
  });

  it('a program not synced to API Gateway yet is metered by its id (on AWS: no such key, a 403)', async () => {
    goodKey();
    items.set('PROGRAM#shop|SETTINGS', program);
    expect((await authorizer(authEvent({ 'x-api-key': 'lk_good' }))).usageIdentifierKey).toBe('shop');
  });

  it('an unknown key is Unauthorized (401)', async () => {
    await expect(authorizer(authEvent({ 'x-api-key': 'lk_nope' }))).rejects.toThrow('Unauthorized');
  });

  it('a missing key is Unauthorized without a table read', async () => {
    await expect(authorizer(authEvent({}))).rejects.toThrow('Unauthorized');
    expect(seen).toHaveLength(0);
  });

  it('a fault of DynamoDB is retried (3 attempts in all, as the SDK does)', async () => {
    goodKey();
    failNext = 2;
    expect((await authorizer(authEvent({ 'x-api-key': 'lk_good' }))).context?.programId).toBe('shop');
    expect(
      seen.filter((s) => s.target === 'DynamoDB_20120810.GetItem' && s.body.Key.pk.S.startsWith('APIKEY#')),
    ).toHaveLength(3);
  });

  it('fails (not 401) when the key cannot be looked up: API Gateway answers 503', async () => {
    failNext = 3;
    const err = await authorizer(authEvent({ 'x-api-key': 'lk_x' })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toBe('Unauthorized');
    expect((err as Error).name).toBe('InternalServerError');
  });
});
