// The operator CLI with --aws, every AWS service mocked: where it finds the table and the API
// (the stacks' outputs), and what it asks API Gateway when a program's limits change.
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
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../tools/cli';

const apigw = mockClient(APIGatewayClient);
const cfn = mockClient(CloudFormationClient);
const ddb = mockClient(DynamoDBDocumentClient);

const KEY = { id: 'key1', name: 'loyalty-prod-shop', value: 'AgwKeyValue0123456789abcdef', enabled: true };
const PLAN = {
  id: 'plan1',
  name: 'loyalty-prod-shop',
  apiStages: [{ apiId: 'api123', stage: 'prod' }],
  throttle: { rateLimit: 50, burstLimit: 100 },
};
const program = (extra: Record<string, unknown> = {}) => ({
  pk: 'PROGRAM#shop',
  sk: 'SETTINGS',
  programId: 'shop',
  name: 'Shop',
  currency: 'USD',
  pointsPerUnit: 1,
  autoEnrol: true,
  createdAt: '2026-01-01T00:00:00Z',
  ...extra,
});

/** The program item as the mocked table holds it: reads see what creates and updates wrote. */
function storedProgram(initial?: Record<string, unknown>) {
  let item = initial;
  ddb.on(GetCommand, { Key: { pk: 'PROGRAM#shop', sk: 'SETTINGS' } }).callsFake(() => ({ Item: item }));
  ddb.on(PutCommand).callsFake(({ Item }) => {
    if (Item.sk === 'SETTINGS') item = Item;
    return {};
  });
  ddb.on(UpdateCommand).callsFake(({ ExpressionAttributeNames = {}, ExpressionAttributeValues }) => {
    for (const [ref, field] of Object.entries(ExpressionAttributeNames as Record<string, string>))
      item![field] = ExpressionAttributeValues[`:v${ref.slice(2)}`];
    return { Attributes: item };
  });
}

let printed: string[];
beforeEach(() => {
  for (const m of [apigw, cfn, ddb]) m.reset();
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((...a) => void printed.push(a.join(' ')));
  cfn.on(DescribeStacksCommand, { StackName: 'Loyalty-prod-Stateful' }).resolves({
    Stacks: [
      {
        StackName: 'x',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [{ OutputKey: 'TableName', OutputValue: 'prod-table' }],
      },
    ],
  });
  cfn.on(DescribeStacksCommand, { StackName: 'Loyalty-prod-Stateless' }).resolves({
    Stacks: [
      {
        StackName: 'y',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [
          { OutputKey: 'RestApiId', OutputValue: 'api123' },
          { OutputKey: 'ApiStageName', OutputValue: 'prod' },
        ],
      },
    ],
  });
});
afterEach(() => vi.restoreAllMocks());

describe('program set --rate --burst --quota --aws', () => {
  it("stores the new limits, then brings the program's usage plan to them and prints no key value", async () => {
    const binding = { apiKeyId: 'key1', usageKey: KEY.value, usagePlanId: 'plan1' };
    const limits = { rateLimit: 10, burstLimit: 20, quota: { limit: 5000, period: 'DAY' } };
    storedProgram(program({ usagePlan: binding }));
    apigw.on(GetApiKeyCommand).resolves(KEY);
    apigw.on(GetUsagePlanCommand).resolves(PLAN);
    apigw.on(UpdateUsagePlanCommand).resolves({});
    apigw.on(GetUsagePlanKeyCommand).resolves({ id: 'key1' });

    const code = await main(
      ['program', 'set', 'shop', '--rate', '10', '--burst', '20', '--quota', '5000/day'].concat([
        '--aws',
        '--stage',
        'prod',
        '--json',
      ]),
    );

    expect(code).toBe(0);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'prod-table',
      ExpressionAttributeValues: { ':v0': limits },
    });
    expect(apigw.commandCalls(UpdateUsagePlanCommand).map((c) => c.args[0].input)).toEqual([
      {
        usagePlanId: 'plan1',
        patchOperations: [
          { op: 'replace', path: '/throttle/rateLimit', value: '10' },
          { op: 'replace', path: '/throttle/burstLimit', value: '20' },
          { op: 'replace', path: '/quota/limit', value: '5000' },
          { op: 'replace', path: '/quota/period', value: 'DAY' },
          { op: 'replace', path: '/quota/offset', value: '0' },
        ],
      },
    ]);
    const shown = JSON.parse(printed.join('\n'));
    expect(shown).toMatchObject({
      programId: 'shop',
      throttle: limits,
      usagePlan: { apiKeyId: 'key1', usagePlanId: 'plan1' },
    });
    expect(printed.join('\n')).not.toContain(KEY.value);
  });

  it('a burst below the new rate is refused before anything is written, here or on API Gateway', async () => {
    ddb.on(GetCommand).resolves({ Item: program() });

    await expect(
      main(['program', 'set', 'shop', '--rate', '500', '--time-zone', 'Europe/Paris', '--aws', '--stage', 'prod']),
    ).rejects.toThrow('burstLimit: must be at least the rate limit (500), received 100');

    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(apigw.calls()).toHaveLength(0);
  });
});

describe('program create --aws', () => {
  it('creates the key, the plan on the stage and the link, and stores the binding the authorizer reads', async () => {
    storedProgram();
    apigw.on(GetApiKeysCommand).resolves({ items: [] });
    apigw.on(CreateApiKeyCommand).resolves(KEY);
    apigw.on(GetUsagePlansCommand).resolves({ items: [] });
    apigw.on(CreateUsagePlanCommand).resolves(PLAN);
    apigw.on(GetUsagePlanKeyCommand).rejects(new NotFoundException({ message: 'no', $metadata: {} }));
    apigw.on(CreateUsagePlanKeyCommand).resolves({});

    const code = await main([
      'program',
      'create',
      'shop',
      '--rate',
      '5',
      '--burst',
      '5',
      '--aws',
      '--stage',
      'prod',
      '--json',
    ]);

    expect(code).toBe(0);
    expect(apigw.commandCalls(CreateUsagePlanCommand)[0]?.args[0].input).toMatchObject({
      name: 'loyalty-prod-shop',
      apiStages: [{ apiId: 'api123', stage: 'prod' }],
      throttle: { rateLimit: 5, burstLimit: 5 },
    });
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':v0']).toEqual({
      apiKeyId: 'key1',
      usageKey: KEY.value,
      usagePlanId: 'plan1',
    });
    expect(JSON.parse(printed.join('\n'))).toMatchObject({
      programId: 'shop',
      adminKey: expect.any(String),
      usagePlanId: 'plan1',
    });
  });

  it('API Gateway refusing the plan still prints the admin key (shown once) and says how to finish', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a) => void errors.push(a.join(' ')));
    storedProgram();
    apigw.on(GetApiKeysCommand).resolves({ items: [] });
    apigw.on(CreateApiKeyCommand).resolves(KEY);
    apigw.on(GetUsagePlansCommand).resolves({ items: [] });
    apigw.on(CreateUsagePlanCommand).rejects(new LimitExceededException({ message: 'too many plans', $metadata: {} }));

    const code = await main(['program', 'create', 'shop', '--aws', '--stage', 'prod', '--json']);

    expect(code).toBe(1);
    expect(JSON.parse(printed.join('\n'))).toMatchObject({
      programId: 'shop',
      adminKey: expect.stringMatching(/^lk_/),
      usagePlanId: null,
    });
    expect(errors.join('\n')).toContain('npm run --silent loyalty -- program sync shop --aws --stage prod');
  });
});

describe('program sync', () => {
  it('is refused without --aws: locally the gateway meters programs by id from their settings', async () => {
    await expect(main(['program', 'sync', 'shop', '--table', 't', '--endpoint', 'http://127.0.0.1:1'])).rejects.toThrow(
      'aws: is required',
    );
  });
});
