import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiEvent, lambdaContext, problemOf } from '../support/events';

process.env.TABLE_NAME = 'mock-table';
process.env.EVENT_BUS_NAME = 'mock-bus';
process.env.REDEMPTION_INSTANT_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123:stateMachine:instant';
process.env.REDEMPTION_FULFILMENT_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123:stateMachine:partner';

const ddb = mockClient(DynamoDBDocumentClient);
const eb = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);
const { handler: redemptions } = await import('../../functions/redemptions-api');
const { handler: admin } = await import('../../functions/rewards-admin-api');
const { handler: coupons } = await import('../../functions/coupons-api');
const { handler: steps } = await import('../../functions/redemption-steps');

const NOW = new Date().toISOString();
const program = {
  pk: 'PROGRAM#shop',
  sk: 'SETTINGS',
  programId: 'shop',
  name: 'Shop',
  currency: 'USD',
  pointsPerUnit: 1,
  autoEnrol: true,
  createdAt: '2026-01-01T00:00:00Z',
};
const member = {
  pk: 'PROGRAM#shop#MEMBER#alice',
  sk: 'PROFILE',
  programId: 'shop',
  memberId: 'alice',
  version: 4,
  available: 500,
  pending: 0,
  lifetimeEarned: 500,
  attributes: {},
  enrolledAt: '2026-01-01T00:00:00Z',
};
const reward = {
  pk: 'PROGRAM#shop#REWARDS',
  sk: 'REWARD#coffee',
  rewardId: 'coffee',
  name: 'Coffee',
  type: 'coupon-fixed',
  details: { type: 'coupon-fixed', discount: { amount: 500, currency: 'USD' }, minimumSpend: null },
  cost: { points: 100, byTier: {} },
  eligibility: { tiers: null, attributes: {}, minMembershipDays: 0 },
  coupon: { format: { prefix: '', alphabet: 'alphanumeric', length: 12, groupSize: 4 }, validityDays: 90 },
  maxQuantity: 2,
  cancellationWindowHours: 24,
  status: 'active',
  createdAt: NOW,
  updatedAt: NOW,
};
/** The member's one lot: their 500 points, no expiry. */
const lot = {
  pk: 'PROGRAM#shop#MEMBER#alice',
  sk: 'LOT#9999-12-31T23:59:59.999Z#L1',
  entity: 'lot',
  lotId: 'L1',
  amount: 500,
  remaining: 500,
  earnedAt: '2026-01-01T00:00:00Z',
  availableAt: '2026-01-01T00:00:00Z',
  expiresAt: null,
  source: 'purchase',
  reason: 'purchase',
};
const post = (body: unknown, headers: Record<string, string> = { 'idempotency-key': 'k-1' }, scopes?: string) =>
  redemptions(
    apiEvent({
      method: 'POST',
      resource: '/v1/members/{memberId}/redemptions',
      pathParameters: { memberId: 'alice' },
      body,
      headers,
      programId: 'shop',
      scopes,
    }),
    lambdaContext,
  );
const view = (status: string, extra: Record<string, unknown> = {}) => ({
  redemptionId: 'R1',
  memberId: 'alice',
  rewardId: 'coffee',
  status,
  points: 100,
  pointsReturned: 0,
  fulfilment: 'instant',
  ...extra,
});

beforeEach(() => {
  ddb.reset();
  eb.reset();
  sfn.reset();
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
  ddb.on(GetCommand, { Key: { pk: 'PROGRAM#shop', sk: 'SETTINGS' } }).resolves({ Item: program });
  ddb.on(QueryCommand).resolves({ Items: [lot] });
});

describe('POST /v1/members/{memberId}/redemptions', () => {
  it(
    'names a bad body and a missing Idempotency-Key together, and touches neither the table nor Step ' + 'Functions',
    async () => {
      const res = await post({ rewardId: 'bad#id', quantity: 1.5, extra: true }, {});
      expect(res.statusCode).toBe(400);
      expect(
        problemOf(res)
          .errors.map((e: { field: string }) => e.field)
          .sort(),
      ).toEqual(['Idempotency-Key', 'extra', 'quantity', 'rewardId']);
      expect(ddb.calls()).toHaveLength(0);
      expect(sfn.calls()).toHaveLength(0);
    },
  );

  it('needs members:write', async () => {
    const res = await post({ rewardId: 'coffee' }, undefined, 'members:read');
    expect(res.statusCode).toBe(403);
    expect(sfn.calls()).toHaveLength(0);
  });

  it(
    'creates the redemption holding its points, with its key guard, in one transaction after one read and one ' +
      'query, runs the Express machine synchronously and answers 201 with the code',
    async () => {
      ddb.on(BatchGetCommand).resolves({ Responses: { 'mock-table': [member, reward] } });
      ddb.on(TransactWriteCommand).resolves({});
      sfn
        .on(StartSyncExecutionCommand)
        .resolves({ status: 'SUCCEEDED', output: JSON.stringify(view('completed', { code: 'AAAA-BBBB-CCCC' })) });

      const res = await post({ rewardId: 'coffee', quantity: 1 });

      expect(res.statusCode).toBe(201);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'completed', code: 'AAAA-BBBB-CCCC' });
      expect(res.headers.location).toBe('/v1/redemptions/R1');
      // Besides the program's settings (cached per container on Lambda):
      const requests = ddb.calls().filter((c) => (c.args[0].input as any).Key?.sk !== 'SETTINGS');
      expect(requests.map((c) => c.args[0].constructor.name)).toEqual([
        'BatchGetCommand',
        'QueryCommand',
        'TransactWriteCommand',
      ]);
      const [write] = ddb.commandCalls(TransactWriteCommand);
      const items = write!.args[0].input.TransactItems!;
      const puts = items.filter((i) => i.Put).map((i) => i.Put!);
      expect(puts.map((p) => p.Item!.entity)).toEqual(['idempotency', 'redemption', 'redemptionRef', 'tx']);
      expect(puts.slice(0, 3).every((p) => p.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
      expect(puts[1]!.Item).toMatchObject({
        status: 'pending',
        reservation: { points: 100, lots: [{ lotId: 'L1', points: 100 }] },
      });
      expect(puts[1]!.Item).not.toHaveProperty('stockReserved');
      const updates = items.filter((i) => i.Update).map((i) => i.Update!);
      expect(updates.map((u) => u.Key)).toEqual([
        { pk: 'PROGRAM#shop#MEMBER#alice', sk: 'PROFILE' },
        { pk: 'PROGRAM#shop#MEMBER#alice', sk: 'LOT#9999-12-31T23:59:59.999Z#L1' },
      ]);
      const [start] = sfn.commandCalls(StartSyncExecutionCommand);
      expect(start!.args[0].input.stateMachineArn).toBe(process.env.REDEMPTION_INSTANT_STATE_MACHINE_ARN);
      const started = JSON.parse(start!.args[0].input.input!).redemption;
      expect(started).toMatchObject({
        programId: 'shop',
        memberId: 'alice',
        rewardId: 'coffee',
        points: 100,
        flow: 'instant',
        reserved: { transactionId: puts[3]!.Item!.transactionId, stock: 0 },
      });
    },
  );

  it('a saga that failed on points answers the insufficient-points problem with the redemption', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { 'mock-table': [member, reward] } });
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(StartSyncExecutionCommand).resolves({
      status: 'SUCCEEDED',
      output: JSON.stringify(
        view('failed', {
          failure: { reason: 'insufficient-points', message: 'This needs 100 points; the member has 20 available' },
        }),
      ),
    });

    const res = await post({ rewardId: 'coffee' });

    expect(res.statusCode).toBe(409);
    const body = problemOf(res);
    expect(body).toMatchObject({
      type: 'https://loyalty.dev/problems/insufficient-points',
      redemptionId: 'R1',
      redemption: { status: 'failed' },
    });
  });

  it('an execution that could not finish is a 503 telling the client to retry with the same key', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { 'mock-table': [member, reward] } });
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(StartSyncExecutionCommand).resolves({ status: 'TIMED_OUT' });
    ddb.on(GetCommand).callsFake((input) =>
      input.Key.sk === 'SETTINGS'
        ? { Item: program }
        : {
            Item: {
              ...input.Key,
              entity: 'redemption',
              redemptionId: 'R9',
              memberId: 'alice',
              rewardId: 'coffee',
              flow: 'instant',
              status: 'pending',
              points: 100,
              quantity: 1,
              createdAt: NOW,
              updatedAt: NOW,
              cancellationWindowHours: 24,
            },
          },
    );

    const res = await post({ rewardId: 'coffee' });

    expect(res.statusCode).toBe(503);
    expect(problemOf(res)).toMatchObject({
      type: 'https://loyalty.dev/problems/redemption-incomplete',
      redemptionId: 'R9',
    });
  });

  it('a partner reward starts the Standard machine named after the redemption and answers 202', async () => {
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        'mock-table': [
          member,
          {
            ...reward,
            type: 'free-product',
            details: { type: 'free-product', sku: 'TOTE', productName: null },
            coupon: null,
          },
        ],
      },
    });
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });

    const res = await post({ rewardId: 'coffee' });

    expect(res.statusCode).toBe(202);
    const [start] = sfn.commandCalls(StartExecutionCommand);
    expect(start!.args[0].input).toMatchObject({
      stateMachineArn: process.env.REDEMPTION_FULFILMENT_STATE_MACHINE_ARN,
      name: JSON.parse(res.body).redemptionId,
    });
    expect(sfn.commandCalls(StartSyncExecutionCommand)).toHaveLength(0);
  });

  it('refusals found before anything is written start no execution', async () => {
    ddb
      .on(BatchGetCommand)
      .resolves({ Responses: { 'mock-table': [{ ...member, available: 10, lifetimeEarned: 10 }, reward] } });
    const res = await post({ rewardId: 'coffee' });
    expect(res.statusCode).toBe(409);
    expect(problemOf(res).type).toBe('https://loyalty.dev/problems/insufficient-points');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('rewards-admin-api', () => {
  it('is for admin keys only', async () => {
    const res = await admin(
      apiEvent({
        method: 'GET',
        resource: '/v1/admin/rewards',
        programId: 'shop',
        scopes: 'members:read,members:write,purchases:write',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(403);
  });

  it('rejects an unknown reward type by naming the field, with no write', async () => {
    const res = await admin(
      apiEvent({
        method: 'POST',
        resource: '/v1/admin/rewards',
        body: { type: 'pony', name: 'x', cost: { points: 1 } },
        programId: 'shop',
        scopes: 'admin',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).errors).toEqual([expect.objectContaining({ field: 'type' })]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('coupons-api', () => {
  it('a code that cannot be a code is a 400, without a read', async () => {
    const res = await coupons(
      apiEvent({
        method: 'POST',
        resource: '/v1/coupons/lookup',
        body: { code: 'a#b' },
        programId: 'shop',
        scopes: 'purchases:write',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).errors).toEqual([expect.objectContaining({ field: 'code' })]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a second use is a 409 coupon-used', async () => {
    const { ConditionalCheckFailedException } = await import('@aws-sdk/client-dynamodb');
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    ddb
      .on(GetCommand)
      .resolves({ Item: { code: 'AAAA-BBBB', status: 'used', usedAt: NOW, expiresAt: '2099-01-01T00:00:00Z' } });
    const res = await coupons(
      apiEvent({
        method: 'POST',
        resource: '/v1/coupons/redeem',
        body: { code: 'aaaa-bbbb' },
        programId: 'shop',
        scopes: 'purchases:write',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(409);
    expect(problemOf(res).type).toBe('https://loyalty.dev/problems/coupon-used');
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.Key).toEqual({
      pk: 'PROGRAM#shop#COUPON#AAAA-BBBB',
      sk: 'COUPON',
    });
  });
});

describe('redemption-steps', () => {
  const snapshot = {
    programId: 'shop',
    redemptionId: 'R1',
    memberId: 'alice',
    rewardId: 'coffee',
    rewardName: 'Coffee',
    rewardType: 'coupon-fixed',
    quantity: 1,
    points: 100,
    stockTracked: true,
    flow: 'instant',
  };

  it('raises a business refusal under its saga name (not retried by the state machine)', async () => {
    const { TransactionCanceledException } = await import('@aws-sdk/client-dynamodb');
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'x',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    ddb.on(GetCommand).resolves({ Item: { ...reward, stockTotal: 5, stockRemaining: 0 } });
    await expect(steps({ step: 'reserveStock', redemption: snapshot } as any, lambdaContext)).rejects.toMatchObject({
      name: 'OutOfStock',
    });
  });

  it('raises anything unexpected as TransientError, which the state machine retries with backoff', async () => {
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(steps({ step: 'reserveStock', redemption: snapshot } as any, lambdaContext)).rejects.toMatchObject({
      name: 'TransientError',
      message: 'ThrottlingException: Rate exceeded',
    });
  });

  it('refuses an event that is not a redemption step', async () => {
    await expect(steps({ step: 'dance', redemption: snapshot } as any, lambdaContext)).rejects.toThrow(
      /Not a redemption step/,
    );
    expect(ddb.calls()).toHaveLength(0);
  });

  it('the reserve steps of a redemption holding its points and stock since its creation do no request', async () => {
    const held = { ...snapshot, reserved: { transactionId: 'T1', stock: 1 } };
    expect(await steps({ step: 'reservePoints', redemption: held } as any, lambdaContext)).toEqual({
      transactionId: 'T1',
      points: 100,
      replayed: true,
    });
    expect(await steps({ step: 'reserveStock', redemption: held } as any, lambdaContext)).toEqual({
      reserved: 1,
      replayed: true,
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('issue writes the code and completes the redemption in one transaction, then Reward Redeemed', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const held = {
      ...snapshot,
      coupon: reward.coupon,
      cancellationWindowHours: 24,
      createdAt: NOW,
      reserved: { transactionId: 'T1', stock: 1 },
    };

    const out = await steps({ step: 'issue', redemption: held } as any, lambdaContext);

    expect(out).toMatchObject({ status: 'completed', code: expect.any(String), pointsReturned: 0 });
    expect(ddb.calls()).toHaveLength(1);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put!.Item).toMatchObject({ entity: 'coupon', code: (out as any).code, status: 'issued' });
    expect(items[1]!.Update!.UpdateExpression).toMatch(/REMOVE taskToken, sweepAt, gsi1pk, gsi1sk$/);
    expect(Object.values(items[1]!.Update!.ExpressionAttributeValues!)).toEqual(
      expect.arrayContaining(['completed', (out as any).code]),
    );
    // Reward Redeemed comes from the completed item on the table's stream: the step publishes nothing.
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('a step without stock to reserve writes nothing', async () => {
    expect(
      await steps({ step: 'reserveStock', redemption: { ...snapshot, stockTracked: false } } as any, lambdaContext),
    ).toEqual({ reserved: 0, replayed: false });
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('reads', () => {
  it("GET /v1/redemptions/{id} of another program is a 404 (the pointer is under the caller's program)", async () => {
    ddb.on(GetCommand).resolves({});
    const res = await redemptions(
      apiEvent({
        method: 'GET',
        resource: '/v1/redemptions/{redemptionId}',
        pathParameters: { redemptionId: 'R1' },
        programId: 'other',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(404);
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual({
      pk: 'PROGRAM#other#REDEMPTION#R1',
      sk: 'REDEMPTION',
    });
  });

  it('a list cursor from another endpoint is a 400', async () => {
    const cursor = Buffer.from(JSON.stringify({ sk: 'TX#01' })).toString('base64url');
    ddb.on(QueryCommand).resolves({ Items: [] });
    const res = await redemptions(
      apiEvent({
        method: 'GET',
        resource: '/v1/members/{memberId}/redemptions',
        pathParameters: { memberId: 'alice' },
        query: { cursor },
        programId: 'shop',
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });
});
