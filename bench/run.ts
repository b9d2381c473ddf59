import '../adapters/runtime/node20';
/**
 * npm run bench: figures measured in one run on DynamoDB Local, printed, never asserted.
 * Earn: purchases through the real API handler (validation, authorizer context, use case,
 * DynamoDB, event publish) beside a baseline that sends the same DynamoDB requests with no app.
 */
import { createServer } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bareEarn, getStoredItem } from '../adapters/dynamodb/bulk';
import { createDocumentClient } from '../adapters/dynamodb/client';
import { startDynamoDbLocal } from '../local/dynamodb';
import { apiEvent, lambdaContext } from '../test/support/events';
import { benchBundles } from './bundles';
import { earnCost } from './cost';
import { sizeTransactWrites, type WireItem } from './item-size';
import { benchJobs, type JobsBenchRow } from './jobs';
import { runLoad } from './load';
import { benchRedemptions } from './redemptions';
import { CostMeter, createBenchTable, fmt, load } from './support';

const N = Number(process.env.BENCH_N ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MEMBERS = 200;
const JSON_OUT = process.argv.includes('--json');
const LOAD = process.argv.includes('--load');
// With --json, stdout carries one JSON object and the readable lines go to stderr.
const log = JSON_OUT ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);

async function fakeEventBus() {
  let events = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const entries = JSON.parse(body).Entries ?? [];
      events += entries.length;
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
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    count: () => events,
    close: () => server.close(),
  };
}

async function main() {
  const ddbLocal = await startDynamoDbLocal();
  const bus = await fakeEventBus();
  const tableName = 'loyalty-bench';
  try {
    await createBenchTable(ddbLocal.endpoint, tableName);
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: ddbLocal.endpoint,
      EVENTBRIDGE_ENDPOINT: bus.url,
      EVENT_BUS_NAME: 'bench',
      LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const { documentClient } = await import('../adapters/dynamodb/client');
    const { handler } = await import('../functions/purchases-api');
    const { deps } = await import('../adapters/runtime/deps');
    const { createProgram } = await import('../core/programs/use-cases/manage-programs');
    const { demoEarningRules } = await import('../core/earning/domain');
    // A realistic program: the demo rule set (base, category multiplier, weekend campaign, welcome
    // bonus, windfall, event rules, daily cap). Rules come from the in-memory cache: no read per earn.
    await createProgram(
      { programId: 'bench', currency: 'USD', pointsPerUnit: 1, timeZone: 'America/New_York' },
      deps(),
    );
    for (const rule of demoEarningRules()) {
      const set = await deps().rules.getRuleSet('bench');
      await deps().rules.saveRule('bench', rule, set, {
        changedAt: new Date().toISOString(),
        changedBy: 'bench',
        change: 'created',
      });
    }

    const meter = new CostMeter();
    meter.attach(documentClient());
    // Last Saturday, noon in New York: the weekend campaign applies, and it is inside the accepted lateness.
    const saturday = new Date();
    saturday.setUTCDate(saturday.getUTCDate() - ((saturday.getUTCDay() + 1) % 7 || 7));
    saturday.setUTCHours(16, 0, 0, 0);
    // Baskets mix coffee and other goods.
    const purchase = (i: number, prefix: string) => {
      const coffee = 500 + (i % 13) * 45;
      const other = 1_000 + (i % 97) * 137;
      return {
        orderId: `${prefix}-${i}`,
        memberId: `m-${i % MEMBERS}`,
        occurredAt: saturday.toISOString(),
        currency: 'USD',
        amount: coffee + other,
        channel: 'app',
        items: [
          { sku: 'beans-250g', quantity: 1, unitPrice: coffee, category: 'coffee' },
          { sku: `sku-${i % 50}`, quantity: 1, unitPrice: other, category: 'home' },
        ],
      };
    };
    const post = async (body: unknown) => {
      const res = await handler(
        apiEvent({ method: 'POST', resource: '/v1/purchases', body, programId: 'bench', scopes: 'purchases:write' }),
        lambdaContext,
      );
      if (res.statusCode >= 300 && res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
      return res;
    };

    // Warm up both paths (JIT, connections, program cache), not measured.
    await load(50, CONCURRENCY, (i) => post(purchase(i, 'warm')));
    // A repeat purchase's result: the baseline writes its breakdown, so its items are the app's size.
    const sample = JSON.parse((await post(purchase(0, 'sample'))).body) as Parameters<typeof bareEarn>[3];
    const baseDdb = createDocumentClient({ endpoint: ddbLocal.endpoint });
    const baseMeter = new CostMeter();
    baseMeter.attach(baseDdb);
    const baselineEarn = async (i: number, prefix: string) => {
      await bareEarn(baseDdb, tableName, 'bench', {
        purchase: purchase(i, prefix),
        points: sample.points,
        breakdown: sample.breakdown,
        id: `${prefix}${i}`.padStart(26, '0'),
        now: new Date().toISOString(),
      });
    };
    await load(50, CONCURRENCY, (i) => baselineEarn(i, 'bwarm'));

    // Interleave two rounds of each so drift in the JVM affects both sides alike.
    meter.reset();
    baseMeter.reset();
    const half = Math.floor(N / 2);
    const a1 = await load(half, CONCURRENCY, (i) => baselineEarn(i, 'base1'));
    const e1 = await load(half, CONCURRENCY, (i) => post(purchase(i, 'earn1')));
    const a2 = await load(half, CONCURRENCY, (i) => baselineEarn(i, 'base2'));
    const e2 = await load(half, CONCURRENCY, (i) => post(purchase(i, 'earn2')));
    const appRate = (half * 2) / ((e1.wallMs + e2.wallMs) / 1000);
    const baseRate = (half * 2) / ((a1.wallMs + a2.wallMs) / 1000);
    const earnReq = meter.total() / (half * 2);
    const earnRead = meter.read / (half * 2);
    const earnWrite = meter.write / (half * 2);
    const earnOps = meter.perOp(half * 2);
    const eventsPerEarn = bus.count();
    // The items of every measured earn, sized by AWS's rules (members as they are at the end).
    const raw = new DynamoDBClient({
      endpoint: ddbLocal.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // Keys come back from the wire as they went (strings); the stored items are what AWS would size.
    const readBack = (key: WireItem) => getStoredItem(raw, tableName, key as never) as Promise<WireItem | undefined>;
    const billed = await sizeTransactWrites(meter.transactWrites, readBack);
    const baseBilled = await sizeTransactWrites(baseMeter.transactWrites, readBack);
    const baseWrite = baseMeter.write / (half * 2);

    meter.reset();
    const replays = Math.min(200, half);
    const r = await load(replays, CONCURRENCY, (i) => post(purchase(i, 'earn1')));
    const replay = { requests: meter.total() / replays, wcu: meter.write / replays, p50Ms: r.p50 };

    log(
      `\nloyalty bench: DynamoDB Local (in-memory), ${half * 2} purchases per side, ${CONCURRENCY} concurrent, ` +
        `${MEMBERS} members`,
    );
    log(
      `\nEarn (POST /v1/purchases through the real handler, ${demoEarningRules().length} demo rules: base, coffee ` +
        `x2, weekend x1.5, welcome, windfall, events, daily cap)`,
    );
    log(
      `  app        ${fmt(appRate, 0)} purchases/s   p50 ${fmt((e1.p50 + e2.p50) / 2)} ms   p99 ` +
        `${fmt(Math.max(e1.p99, e2.p99))} ms`,
    );
    log(
      `  baseline   ${fmt(baseRate, 0)} purchases/s   p50 ${fmt((a1.p50 + a2.p50) / 2)} ms   p99 ` +
        `${fmt(Math.max(a1.p99, a2.p99))} ms   (same BatchGet + TransactWrite, no app)`,
    );
    log(`  ratio      app/baseline throughput ${fmt(appRate / baseRate, 2)}`);
    log(
      `  DynamoDB   ${fmt(earnReq, 2)} requests per earn (${earnOps}); consumed ${fmt(earnRead, 2)} RCU + ` +
        `${fmt(earnWrite, 2)} WCU as DynamoDB Local reports it`,
    );
    log(
      `             by AWS's item-size rules ${fmt(billed.wcuPerWrite, 2)} WCU per earn (2 per started KB per ` +
        `transactional item); item bytes ${Object.entries(billed.largestBytes)
          .map(([e, b]) => `${e} ${billed.smallestBytes[e]}-${b}`)
          .join(', ')}`,
    );
    log(
      `             baseline: ${fmt(baseWrite, 2)} WCU as DynamoDB Local reports it, ` +
        `${fmt(baseBilled.wcuPerWrite, 2)} by AWS's rules (on AWS a consistent BatchGet of 2 items bills 2 RCU)`,
    );
    log(
      `  events     ${eventsPerEarn} published for ${half * 2 + 50} credits (Points Earned, plus Member Enrolled ` +
        `on first purchase)`,
    );
    log(`\nReplay (same order again -> 200, original body)`);
    log(
      `  ${fmt(r.perSecond, 0)} replays/s   p50 ${fmt(r.p50)} ms   p99 ${fmt(r.p99)} ms   ` +
        `${fmt(replay.requests, 2)} requests per replay (${meter.perOp(replays)}), ${fmt(replay.wcu, 2)} WCU`,
    );

    const bundles = await benchBundles();
    log(
      '\nBundles (as infra/constructs/bundle-options.ts: ESM, minified, pinned AWS SDK bundled; cold import: ' +
        'a fresh Node process, median of 5)',
    );
    for (const [fn, b] of Object.entries(bundles))
      log(
        `  ${fn.padEnd(22)} ${fmt(b.minifiedBytes / 1024).padStart(6)} KiB   ` +
          `gzip ${fmt(b.gzipBytes / 1024).padStart(6)} KiB   cold import ${fmt(b.coldImportMs).padStart(6)} ms`,
      );

    // --- Redemptions (bench/redemptions.ts): members m-* earned above, so they have points to spend ---
    // (the warm-up and one round of earns enrolled this many: a small BENCH_N leaves fewer than MEMBERS)
    const redemption = await benchRedemptions({
      programId: 'bench',
      members: Math.min(MEMBERS, Math.max(50, Math.floor(N / 2))),
      n: Number(process.env.BENCH_REDEEM_N ?? 300),
      concurrency: CONCURRENCY,
      log,
    });

    // --- Expiry job (bench/jobs.ts): K due lots in tables of N and 10N members, its own tables ---
    const [small, large] = (await benchJobs({ endpoint: ddbLocal.endpoint, log })) as [JobsBenchRow, JobsBenchRow];

    const appP50 = (e1.p50 + e2.p50) / 2;
    const baseP50 = (a1.p50 + a2.p50) / 2;
    // Writes priced as AWS bills them: DynamoDB Local's consumed capacity does not size items one by one.
    const cost = earnCost({
      rcu: earnRead,
      wcu: billed.wcuPerWrite,
      eventsPublished: eventsPerEarn / (half * 2 + 50),
      appMs: appP50 - baseP50,
    });
    log(
      `\nCost per million earns at list price (${cost.prices.date}, ${cost.prices.region}; ` +
        `${cost.prices.awsDependencyMsPerEarn} ms of AWS dependency time assumed per earn, see bench/cost.ts)`,
    );
    for (const path of ['https', 'bus'] as const)
      log(
        `  ${path.padEnd(6)} $${fmt(path === 'https' ? cost.httpsPerMillionUsd : cost.busPerMillionUsd, 2)}   ` +
          Object.entries(cost.breakdown[path])
            .map(([k, v]) => `${k} ${fmt(v, 2)}`)
            .join(', '),
      );

    const loadRun = LOAD ? await runLoad(log) : undefined;
    log('');
    const report = {
      earn: {
        ratio: appRate / baseRate,
        perSecond: appRate,
        baselinePerSecond: baseRate,
        requestsPerEarn: earnReq,
        rcuPerEarn: earnRead,
        wcuPerEarn: earnWrite,
        wcuPerEarnBilled: billed.wcuPerWrite,
        itemBytes: billed.largestBytes,
        baselineWcuPerEarn: baseWrite,
        baselineWcuPerEarnBilled: baseBilled.wcuPerWrite,
        p50Ms: appP50,
        p99Ms: Math.max(e1.p99, e2.p99),
      },
      replay,
      redemption,
      bundles,
      jobs: {
        ratio10N: large.totalRequests / small.totalRequests,
        timeRatio10N: large.ms / small.ms,
        requestsPerDueLot: small.totalRequests / small.dueLots,
      },
      cost,
      ...(loadRun && { load: loadRun }),
    };
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (loadRun && (loadRun.non2xx || loadRun.errors || loadRun.timeouts))
      throw new Error(`the load run had ${loadRun.non2xx} non-2xx answers, ${loadRun.errors} errors`);
  } finally {
    bus.close();
    await ddbLocal.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
