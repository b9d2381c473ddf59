/**
 * Redemption bench (called at the end of bench/run.ts): instant redemptions through the real
 * redemptions-api handler, which starts the synthesized Express state machine through the SDK's
 * StartSyncExecution against the local Step Functions endpoint; the tasks run the real
 * functions/redemption-steps.ts. Latency is end to end (API handler in, code out); DynamoDB
 * requests are counted on the one client every handler of the process shares.
 */

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WORKFLOW_ENV } from '../adapters/stepfunctions/workflows';
import { createModuleLoader } from '../local/http-gateway';
import { createSfnListener } from '../local/sfn-endpoint';
import { createLocalStepFunctions } from '../local/step-functions';
import { loadLocalModel } from '../local/template';
import { apiEvent, lambdaContext } from '../test/support/events';
import { CostMeter, fmt, load } from './support';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface RedemptionFigures {
  /** DynamoDB requests per instant redemption without stock, and with stock. */
  requests: number;
  requestsWithStock: number;
  p50Ms: number;
  p50MsWithStock: number;
  requestsByOp: Record<string, number>;
}

export async function benchRedemptions(opts: {
  programId: string;
  members: number;
  n: number;
  concurrency: number;
  log?: (line: string) => void;
}): Promise<RedemptionFigures> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const model = await loadLocalModel({ stage: 'local' });
  const sfn = await createLocalStepFunctions({
    templates: model.templates,
    functions: model.functions,
    loadHandler: createModuleLoader(REPO_ROOT),
  });
  const server = createServer(createSfnListener(sfn));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  Object.assign(process.env, {
    [WORKFLOW_ENV.endpoint]: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ...sfn.environment,
  });
  try {
    const { documentClient } = await import('../adapters/dynamodb/client');
    const { deps } = await import('../adapters/runtime/deps');
    const { createReward } = await import('../core/rewards/use-cases/manage-catalog');
    const { RewardInput } = await import('../core/rewards/schemas');
    const { handler } = await import('../functions/redemptions-api');
    const { programId } = opts;
    const coupon = {
      type: 'coupon-fixed',
      details: { discount: { amount: 100, currency: 'USD' } },
      cost: { points: 5 },
    };
    await createReward(
      programId,
      RewardInput.parse({ rewardId: 'bench-coupon', name: 'Bench coupon', ...coupon }),
      deps(),
    );
    await createReward(
      programId,
      RewardInput.parse({
        rewardId: 'bench-stocked',
        name: 'Bench stocked coupon',
        ...coupon,
        stock: { total: 1_000_000 },
      }),
      deps(),
    );

    const redeem = async (rewardId: string, i: number) => {
      const res = await handler(
        apiEvent({
          method: 'POST',
          resource: '/v1/members/{memberId}/redemptions',
          pathParameters: { memberId: `m-${i % opts.members}` },
          headers: { 'idempotency-key': randomUUID() },
          body: { rewardId },
          programId,
          scopes: 'members:write',
        }),
        lambdaContext,
      );
      if (res.statusCode !== 201) throw new Error(`${res.statusCode} ${res.body}`);
      return res;
    };

    const meter = new CostMeter();
    meter.attach(documentClient());
    // warm-up: module load, JIT, connections
    await load(100, opts.concurrency, (i) => redeem(i % 2 ? 'bench-stocked' : 'bench-coupon', i));
    // Two interleaved rounds per reward, so drift in the DynamoDB Local JVM affects both alike.
    const half = Math.floor(opts.n / 2);
    const stats: Record<
      string,
      {
        wallMs: number;
        p50: number[];
        p99: number[];
        requests: Map<string, number>;
        total: number;
        tasks: number;
        runs: number;
        retried: number;
      }
    > = {};
    for (const rewardId of ['bench-coupon', 'bench-stocked', 'bench-coupon', 'bench-stocked']) {
      meter.reset();
      const before = sfn.executions().length;
      const r = await load(half, opts.concurrency, (i) => redeem(rewardId, i));
      const runs = sfn.executions().slice(before);
      stats[rewardId] ??= {
        wallMs: 0,
        p50: [],
        p99: [],
        requests: new Map(),
        total: 0,
        tasks: 0,
        runs: 0,
        retried: 0,
      };
      const s = stats[rewardId];
      s.wallMs += r.wallMs;
      s.p50.push(r.p50);
      s.p99.push(r.p99);
      for (const [op, c] of meter.requests) s.requests.set(op, (s.requests.get(op) ?? 0) + c);
      s.total += meter.total();
      s.tasks += runs.reduce((sum, e) => sum + e.tasks.length, 0);
      s.runs += runs.length;
      s.retried += runs.filter((e) => e.tasks.some((t) => t.outcome === 'failed')).length;
    }
    const rows = Object.entries(stats).map(([rewardId, s]) => {
      const n = half * 2;
      const perOp = [...s.requests].map(([op, c]) => `${op} ${(c / n).toFixed(2)}`).join(', ');
      return (
        `  ${rewardId === 'bench-coupon' ? 'coupon     ' : 'with stock '} ${fmt(n / (s.wallMs / 1000), 0)} ` +
        `redemptions/s   p50 ${fmt((s.p50[0]! + s.p50[1]!) / 2)} ms   p99 ${fmt(Math.max(...s.p99))} ms   ` +
        `${fmt(s.total / n, 2)} DynamoDB requests per redemption (${perOp}); ${fmt(s.tasks / s.runs, 1)} tasks per ` +
        `execution, ${s.retried} executions retried a task`
      );
    });
    log(
      `\nRedeem, instant path (POST /v1/members/{id}/redemptions -> StartSyncExecution -> Express machine as ` +
        `synthesized, ${opts.n} per row, ${opts.concurrency} concurrent, ${opts.members} members)`,
    );
    for (const row of rows) log(row);
    log(
      '             locally the machine runs in-process (aws-local-stepfunctions behind the SDK endpoint); on AWS ' +
        'add a Lambda invoke',
    );
    log(
      '             per task and the StartSyncExecution round trip: these figures are the app and DynamoDB share, ' +
        'not AWS latency',
    );
    const n = half * 2;
    const plain = stats['bench-coupon']!;
    const stocked = stats['bench-stocked']!;
    return {
      requests: plain.total / n,
      requestsWithStock: stocked.total / n,
      p50Ms: (plain.p50[0]! + plain.p50[1]!) / 2,
      p50MsWithStock: (stocked.p50[0]! + stocked.p50[1]!) / 2,
      requestsByOp: Object.fromEntries([...plain.requests].map(([op, c]) => [op, c / n])),
    };
  } finally {
    await sfn.close();
    server.close();
  }
}
