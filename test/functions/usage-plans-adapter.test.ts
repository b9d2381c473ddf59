// The UsagePlans port on API Gateway, against a mocked API Gateway: the exact requests of a first
// sync, of a second one (nothing changes), of a sync that finds what an earlier one left, and of
// one API Gateway refuses half-way.
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlansCommand,
  LimitExceededException,
  NotFoundException,
  UpdateApiKeyCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiGatewayUsagePlans, planPatch, UsagePlanSyncFailed } from '../../adapters/apigateway/usage-plans';
import { DEFAULT_THROTTLE, type ThrottleLimits } from '../../core/programs/domain/throttle';

const apigw = mockClient(APIGatewayClient);
const plans = apiGatewayUsagePlans({
  client: new APIGatewayClient({ region: 'us-east-1' }),
  apiId: 'a1b2c3',
  stage: 'dev',
});
const NAME = 'loyalty-dev-shop';
const KEY = { id: 'key1', name: NAME, value: 'V4lue0fTheKey0123456789', enabled: true };
const PLAN = {
  id: 'plan1',
  name: NAME,
  apiStages: [{ apiId: 'a1b2c3', stage: 'dev' }],
  throttle: { rateLimit: 50, burstLimit: 100 },
};
const notFound = () => new NotFoundException({ message: 'Invalid identifier specified', $metadata: {} });
const commands = () => apigw.calls().map((c) => (c.args[0] as object).constructor.name);
const input = <T>(command: new (...args: any[]) => T) =>
  apigw.commandCalls(command as never).map((c) => c.args[0].input);

beforeEach(() => apigw.reset());

describe('the first sync of a program', () => {
  it('creates an enabled key, a plan on the stage with its limits, and links them, in that order', async () => {
    apigw.on(GetApiKeysCommand).resolves({ items: [] });
    apigw.on(CreateApiKeyCommand).resolves(KEY);
    apigw.on(GetUsagePlansCommand).resolves({ items: [] });
    apigw.on(CreateUsagePlanCommand).resolves({ ...PLAN, id: 'plan9' });
    apigw.on(GetUsagePlanKeyCommand).rejects(notFound());
    apigw.on(CreateUsagePlanKeyCommand).resolves({ id: 'key1', type: 'API_KEY' });
    const limits: ThrottleLimits = { rateLimit: 10, burstLimit: 20, quota: { limit: 1000, period: 'DAY' } };

    const binding = await plans.ensure('shop', limits);

    expect(binding).toEqual({ apiKeyId: 'key1', usageKey: KEY.value, usagePlanId: 'plan9' });
    expect(commands()).toEqual([
      'GetApiKeysCommand',
      'CreateApiKeyCommand',
      'GetUsagePlansCommand',
      'CreateUsagePlanCommand',
      'GetUsagePlanKeyCommand',
      'CreateUsagePlanKeyCommand',
    ]);
    const tags = { 'loyalty:program': 'shop', 'loyalty:stage': 'dev' };
    expect(input(GetApiKeysCommand)).toEqual([{ nameQuery: NAME, includeValues: true, limit: 500 }]);
    expect(input(CreateApiKeyCommand)).toEqual([{ name: NAME, enabled: true, description: expect.any(String), tags }]);
    expect(input(CreateUsagePlanCommand)).toEqual([
      {
        name: NAME,
        description: expect.stringContaining('shop'),
        apiStages: [{ apiId: 'a1b2c3', stage: 'dev' }],
        throttle: { rateLimit: 10, burstLimit: 20 },
        quota: { limit: 1000, period: 'DAY', offset: 0 },
        tags,
      },
    ]);
    expect(input(GetUsagePlanKeyCommand)).toEqual([{ usagePlanId: 'plan9', keyId: 'key1' }]);
    expect(input(CreateUsagePlanKeyCommand)).toEqual([{ usagePlanId: 'plan9', keyId: 'key1', keyType: 'API_KEY' }]);
  });

  it('creates a plan without a quota when the program has none', async () => {
    apigw.on(GetApiKeysCommand).resolves({ items: [] });
    apigw.on(CreateApiKeyCommand).resolves(KEY);
    apigw.on(GetUsagePlansCommand).resolves({ items: [] });
    apigw.on(CreateUsagePlanCommand).resolves(PLAN);
    apigw.on(GetUsagePlanKeyCommand).rejects(notFound());
    apigw.on(CreateUsagePlanKeyCommand).resolves({});

    await plans.ensure('shop', DEFAULT_THROTTLE);

    expect(input(CreateUsagePlanCommand)[0]).not.toHaveProperty('quota');
    expect(input(CreateUsagePlanCommand)[0]?.throttle).toEqual({ rateLimit: 50, burstLimit: 100 });
  });
});

describe('a sync when API Gateway already has them', () => {
  it('with the stored ids and nothing changed: reads the key, the plan and the link, and writes nothing', async () => {
    apigw.on(GetApiKeyCommand, { apiKey: 'key1', includeValue: true }).resolves(KEY);
    apigw.on(GetUsagePlanCommand, { usagePlanId: 'plan1' }).resolves(PLAN);
    apigw.on(GetUsagePlanKeyCommand).resolves({ id: 'key1', type: 'API_KEY', name: NAME });

    const binding = await plans.ensure('shop', DEFAULT_THROTTLE, {
      apiKeyId: 'key1',
      usageKey: KEY.value,
      usagePlanId: 'plan1',
    });

    expect(binding).toEqual({ apiKeyId: 'key1', usageKey: KEY.value, usagePlanId: 'plan1' });
    expect(commands()).toEqual(['GetApiKeyCommand', 'GetUsagePlanCommand', 'GetUsagePlanKeyCommand']);
  });

  it('without stored ids: finds them by exact name across pages, enables the key, updates what differs', async () => {
    apigw
      .on(GetApiKeysCommand)
      .resolvesOnce({ items: [{ id: 'other', name: `${NAME}2`, value: 'x', enabled: true }], position: 'p2' })
      .resolvesOnce({ items: [{ ...KEY, enabled: false }] });
    apigw.on(UpdateApiKeyCommand).resolves({ ...KEY, enabled: true });
    apigw
      .on(GetUsagePlansCommand)
      .resolvesOnce({ items: [{ id: 'planX', name: 'loyalty-prod-shop' }], position: 'next' })
      .resolvesOnce({ items: [{ ...PLAN, quota: { limit: 5, period: 'WEEK', offset: 0 } }] });
    apigw.on(UpdateUsagePlanCommand).resolves({});
    apigw.on(GetUsagePlanKeyCommand).resolves({ id: 'key1' });

    const binding = await plans.ensure('shop', {
      rateLimit: 80,
      burstLimit: 100,
      quota: { limit: 5, period: 'MONTH' },
    });

    expect(binding).toEqual({ apiKeyId: 'key1', usageKey: KEY.value, usagePlanId: 'plan1' });
    // Two pages each (the paginator reuses one input object, so only the last position can be read).
    expect(input(GetApiKeysCommand)).toHaveLength(2);
    expect(input(GetApiKeysCommand).at(-1)?.position).toBe('p2');
    expect(input(GetUsagePlansCommand)).toHaveLength(2);
    expect(input(UpdateApiKeyCommand)).toEqual([
      { apiKey: 'key1', patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }] },
    ]);
    expect(input(UpdateUsagePlanCommand)).toEqual([
      {
        usagePlanId: 'plan1',
        patchOperations: [
          { op: 'replace', path: '/throttle/rateLimit', value: '80' },
          { op: 'replace', path: '/quota/period', value: 'MONTH' },
        ],
      },
    ]);
    expect(apigw.commandCalls(CreateApiKeyCommand)).toHaveLength(0);
    expect(apigw.commandCalls(CreateUsagePlanCommand)).toHaveLength(0);
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand)).toHaveLength(0);
  });

  it('stored ids API Gateway no longer knows: falls back to the names', async () => {
    apigw.on(GetApiKeyCommand).rejects(notFound());
    apigw.on(GetApiKeysCommand).resolves({ items: [KEY] });
    apigw.on(GetUsagePlanCommand).rejects(notFound());
    apigw.on(GetUsagePlansCommand).resolves({ items: [PLAN] });
    apigw.on(GetUsagePlanKeyCommand).resolves({ id: 'key1' });

    const binding = await plans.ensure('shop', DEFAULT_THROTTLE, {
      apiKeyId: 'deleted',
      usageKey: 'old',
      usagePlanId: 'deleted',
    });

    expect(binding).toEqual({ apiKeyId: 'key1', usageKey: KEY.value, usagePlanId: 'plan1' });
    expect(commands()).toEqual([
      'GetApiKeyCommand',
      'GetApiKeysCommand',
      'GetUsagePlanCommand',
      'GetUsagePlansCommand',
      'GetUsagePlanKeyCommand',
    ]);
  });
});

describe('when API Gateway refuses', () => {
  it('stops at the failing step, says which, and the next run creates only what is still missing', async () => {
    apigw.on(GetApiKeysCommand).resolves({ items: [] });
    apigw.on(CreateApiKeyCommand).resolves(KEY);
    apigw.on(GetUsagePlansCommand).resolves({ items: [] });
    apigw
      .on(CreateUsagePlanCommand)
      .rejectsOnce(new LimitExceededException({ message: 'Usage plans per account exceeded', $metadata: {} }));

    const err = await plans.ensure('shop', DEFAULT_THROTTLE).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UsagePlanSyncFailed);
    expect((err as Error).message).toBe(
      'API Gateway refused to create usage plan loyalty-dev-shop ' +
        '(LimitExceededException: Usage plans per account exceeded)',
    );
    expect((err as Error).cause).toBeInstanceOf(LimitExceededException);
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand)).toHaveLength(0);

    // Act again: the key created by the first run is found by name.
    apigw.on(GetApiKeysCommand).resolves({ items: [KEY] });
    apigw.on(CreateUsagePlanCommand).resolves(PLAN);
    apigw.on(GetUsagePlanKeyCommand).rejects(notFound());
    apigw.on(CreateUsagePlanKeyCommand).resolves({});
    expect(await plans.ensure('shop', DEFAULT_THROTTLE)).toEqual({
      apiKeyId: 'key1',
      usageKey: KEY.value,
      usagePlanId: 'plan1',
    });
    expect(apigw.commandCalls(CreateApiKeyCommand)).toHaveLength(1);
    expect(apigw.commandCalls(CreateUsagePlanCommand)).toHaveLength(2);
  });

  it('a read that fails for another reason than "not found" is not taken for a missing key', async () => {
    apigw.on(GetApiKeyCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));

    await expect(
      plans.ensure('shop', DEFAULT_THROTTLE, { apiKeyId: 'key1', usageKey: 'v', usagePlanId: 'plan1' }),
    ).rejects.toThrow('API Gateway refused to find API key loyalty-dev-shop (TooManyRequestsException: Rate exceeded)');
    expect(apigw.commandCalls(CreateApiKeyCommand)).toHaveLength(0);
  });
});

describe('planPatch', () => {
  it('adds the stage a plan lacks and replaces each throttle and quota member, the only op API Gateway takes', () => {
    expect(
      planPatch({ id: 'p' }, { rateLimit: 5, burstLimit: 6, quota: { limit: 7, period: 'WEEK' } }, 'api', 's'),
    ).toEqual([
      { op: 'add', path: '/apiStages', value: 'api:s' },
      { op: 'replace', path: '/throttle/rateLimit', value: '5' },
      { op: 'replace', path: '/throttle/burstLimit', value: '6' },
      { op: 'replace', path: '/quota/limit', value: '7' },
      { op: 'replace', path: '/quota/period', value: 'WEEK' },
      { op: 'replace', path: '/quota/offset', value: '0' },
    ]);
  });

  it('removes a quota the program no longer has, resets an offset, and leaves a plan in line alone', () => {
    expect(
      planPatch({ ...PLAN, quota: { limit: 1, period: 'DAY', offset: 2 } }, DEFAULT_THROTTLE, 'a1b2c3', 'dev'),
    ).toEqual([{ op: 'remove', path: '/quota' }]);
    expect(
      planPatch(
        { ...PLAN, quota: { limit: 7, period: 'WEEK', offset: 1 } },
        { ...DEFAULT_THROTTLE, quota: { limit: 7, period: 'WEEK' } },
        'a1b2c3',
        'dev',
      ),
    ).toEqual([{ op: 'replace', path: '/quota/offset', value: '0' }]);
    expect(planPatch(PLAN, DEFAULT_THROTTLE, 'a1b2c3', 'dev')).toEqual([]);
  });
});
