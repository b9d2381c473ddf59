// The redemption saga as it runs in AWS, minus AWS: the state machines synthesized by CDK, run by
// aws-local-stepfunctions behind the local Step Functions endpoint, their tasks running the real
// functions/redemption-steps.ts on a fresh DynamoDB Local table; the use cases call them through
// the production adapter (@aws-sdk/client-sfn). One harness per test file (handlers cache their
// clients per process, like Lambda).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SFNClient } from '@aws-sdk/client-sfn';
import { inject } from 'vitest';
import { dynamoStores } from '../../adapters/dynamodb/stores';
import { stepFunctionsWorkflows, WORKFLOW_ENV } from '../../adapters/stepfunctions/workflows';
import type { RunSummary } from '../../core/jobs/use-cases/run-job';
import { systemClock } from '../../core/kernel/clock';
import { ulid } from '../../core/kernel/ids';
import { ledgerViolations } from '../../core/ledger/domain/ledger';
import { NEW_MEMBER } from '../../core/ledger/domain/member-state';
import type { Lot, Transaction } from '../../core/ledger/domain/types';
import { type CreateProgramInput, createProgram } from '../../core/programs/use-cases/manage-programs';
import { RewardInput } from '../../core/rewards/schemas';
import { createReward } from '../../core/rewards/use-cases/manage-catalog';
import type { RedemptionDeps } from '../../core/rewards/use-cases/redemptions';
import { createModuleLoader } from '../../local/http-gateway';
import { createSfnListener } from '../../local/sfn-endpoint';
import { createLocalStepFunctions, type LocalStepFunctions, type TaskInterceptor } from '../../local/step-functions';
import { loadLocalModel } from '../../local/template';
import { tableEvents } from './stream';
import { createTestTable } from './table';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Captures what the step function publishes (it goes through the real EventBridge client). */
async function eventSink() {
  const events: { detailType: string; detail: any }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const entries = JSON.parse(body).Entries ?? [];
      for (const e of entries) events.push({ detailType: e.DetailType, detail: JSON.parse(e.Detail) });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(
        JSON.stringify({
          FailedEntryCount: 0,
          Entries: entries.map((_: unknown, i: number) => ({ EventId: String(i) })),
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { events, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export async function sagaHarness(opts: { retryIntervalMs?: number } = {}) {
  const table = await createTestTable('redeem');
  const sink = await eventSink();
  // The step function (loaded by the local runner) builds its clients from these, once.
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
    EVENTBRIDGE_ENDPOINT: sink.url,
    EVENT_BUS_NAME: 'test-bus',
  });
  const model = await loadLocalModel({ stage: 'local' });
  let interceptor: TaskInterceptor | undefined;
  const sfn: LocalStepFunctions = await createLocalStepFunctions({
    templates: model.templates,
    functions: model.functions,
    loadHandler: createModuleLoader(REPO_ROOT),
    retryIntervalMs: opts.retryIntervalMs ?? 5,
    intercept: (ctx, invoke) => (interceptor ? interceptor(ctx, invoke) : invoke()),
  });
  Object.assign(process.env, sfn.environment);
  const server: Server = createServer(createSfnListener(sfn));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SFNClient({
    region: 'us-east-1',
    endpoint,
    disableHostPrefix: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  const repos = dynamoStores(table.ddb, table.tableName, { cache: false });
  const stream = tableEvents(table);
  const deps = {
    ...repos,
    workflows: stepFunctionsWorkflows(() => client),
    clock: systemClock,
  } satisfies RedemptionDeps;

  const h = {
    table,
    model,
    sfn,
    deps,
    /** What the table's stream announced (the saga's steps, the API's cancel, the sweeper), up to the last drain. */
    events: stream.events as { detailType: string; detail: any }[],
    /** Reads the stream to its end: call it before looking at `events`. */
    drain: () => stream.drain(),
    /**
     * A run of the sweep job through the synthesized jobs state machine, as EventBridge Scheduler
     * starts it, as of `asOf` (allowed in the future: this is a test table). Its first run reads the
     * due index from today, then from its checkpoint.
     */
    async sweep(asOf: string, opts: { dryRun?: boolean } = {}): Promise<RunSummary> {
      const jobs = sfn.machines.find((m) => Array.isArray(m.metadata['loyalty:jobs']));
      if (!jobs) throw new Error('no jobs state machine in the template');
      const input = {
        job: 'sweep',
        asOf,
        allowFuture: true,
        settings: { firstRunLookbackDays: 0 },
        ...(opts.dryRun ? { dryRun: true } : {}),
      };
      const run = await sfn.waitForExecution(sfn.startExecution(jobs.arn, input).executionArn);
      if (run.status !== 'SUCCEEDED') throw new Error(`sweep ${run.status}: ${run.error} ${run.cause}`);
      return run.output as RunSummary;
    },
    /** Replaces the task interceptor (undefined: run tasks untouched). */
    intercept(fn: TaskInterceptor | undefined) {
      interceptor = fn;
    },
    async program(programId: string, settings: Partial<CreateProgramInput> = {}) {
      await createProgram({ programId, currency: 'USD', ...settings }, deps);
    },
    async reward(programId: string, input: Record<string, unknown>) {
      return createReward(programId, RewardInput.parse(input), deps);
    },
    /** A member with lots of these sizes and expiries (credited through the ledger writer, as earning does). */
    async member(
      programId: string,
      memberId: string,
      lots: { points: number; expiresAt?: string | null }[],
      profile: { attributes?: Record<string, string | number | boolean>; tier?: string } = {},
    ) {
      const now = new Date().toISOString();
      await deps.ledger.upsertMember(
        programId,
        memberId,
        { attributes: profile.attributes ?? {} },
        `seed-${memberId}`,
        now,
      );
      const member = await deps.ledger.loadMember(programId, memberId);
      const made: Lot[] = lots.map((l, i) => ({
        lotId: ulid(Date.now() + i),
        amount: l.points,
        remaining: l.points,
        earnedAt: now,
        availableAt: now,
        expiresAt: l.expiresAt ?? null,
        source: 'admin',
        reason: 'test credit',
      }));
      const total = lots.reduce((s, l) => s + l.points, 0);
      const tx: Transaction = {
        transactionId: ulid(),
        memberId,
        type: 'earn',
        points: total,
        reason: 'test credit',
        source: 'admin',
        status: 'credited',
        breakdown: [],
        lots: made.map((l) => ({ lotId: l.lotId, points: l.amount })),
        occurredAt: now,
        recordedAt: now,
      };
      await deps.ledger.commit(
        {
          programId,
          members: [
            {
              memberId,
              before: member.exists ? member : NEW_MEMBER,
              after: {
                ...member,
                available: member.available + total,
                lifetimeEarned: member.lifetimeEarned + total,
                tier: profile.tier ?? member.tier,
              },
            },
          ],
          lotPuts: made.map((lot) => ({ memberId, lot })),
          transactions: [tx],
        },
        now,
      );
      return made;
    },
    /**
     * Everything a redemption may touch for one member: balances, every lot, every transaction, the reward's stock,
     * the limit counters.
     */
    async ledger(programId: string, memberId: string, rewardId?: string) {
      const items = (await table.scanAll()).filter((i) => String(i.pk).startsWith(`PROGRAM#${programId}#`));
      const memberPk = `PROGRAM#${programId}#MEMBER#${memberId}`;
      const m = items.find((i) => i.pk === memberPk && i.sk === 'PROFILE')!;
      const lots = items
        .filter((i) => i.pk === memberPk && String(i.sk).startsWith('LOT#'))
        .map((i) => ({
          lotId: i.lotId,
          amount: i.amount,
          remaining: i.remaining,
          expiresAt: i.expiresAt ?? null,
          sk: i.sk,
          gsi1pk: i.gsi1pk ?? null,
        }));
      const txs = items.filter((i) => i.pk === memberPk && String(i.sk).startsWith('TX#')) as unknown as Transaction[];
      const usage = Object.fromEntries(
        items.filter((i) => i.pk === memberPk && String(i.sk).startsWith('RUSAGE#')).map((i) => [i.sk, i.used]),
      );
      const reward = rewardId
        ? items.find((i) => i.pk === `PROGRAM#${programId}#REWARDS` && i.sk === `REWARD#${rewardId}`)
        : undefined;
      const balances = {
        available: m.available ?? 0,
        pending: m.pending ?? 0,
        lifetimeEarned: m.lifetimeEarned ?? 0,
        debt: m.debt ?? 0,
      };
      return {
        balances,
        lots: lots.sort((a, b) => a.lotId.localeCompare(b.lotId)),
        transactions: txs,
        usage,
        stock: reward ? (reward.stockRemaining ?? null) : null,
        violations: ledgerViolations(balances, lots as unknown as Lot[], txs),
      };
    },
    async stop() {
      await sfn.close();
      await new Promise<void>((r) => server.close(() => r()));
      sink.server.close();
      client.destroy();
      await table.drop();
    },
  };
  return h;
}

export type SagaHarness = Awaited<ReturnType<typeof sagaHarness>>;

export { WORKFLOW_ENV };
