import '../adapters/runtime/node20';
import { readdirSync } from 'node:fs';
/**
 * npm run bench: figures measured in one run on DynamoDB Local, printed, never asserted.
 * Earn: purchases through the real API handler (validation, authorizer context, use case,
 * DynamoDB, event publish) beside a baseline that sends the same DynamoDB requests with no app.
 */
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bareEarn } from '../adapters/dynamodb/bulk';
import { createDocumentClient } from '../adapters/dynamodb/client';
import { startDynamoDbLocal } from '../local/dynamodb';
import { apiEvent, lambdaContext } from '../test/support/events';
import { benchJobs } from './jobs';
import { benchRedemptions } from './redemptions';
import { CostMeter, createBenchTable, fmt, load } from './support';

const N = Number(process.env.BENCH_N ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MEMBERS = 200;

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

async function bundleSizes() {
  const rows: { fn: string; bytes: number; gzip: number }[] = [];
  for (const file of readdirSync('functions')
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const out = await build({
      entryPoints: [`functions/${file}`],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      mainFields: ['module', 'main'],
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    });
    const code = out.outputFiles[0]!.contents;
    rows.push({ fn: file.replace(/\.ts$/, ''), bytes: code.length, gzip: gzipSync(code).length });
  }
  return rows;
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
    const baseDdb = createDocumentClient({ endpoint: ddbLocal.endpoint });
    const baseMeter = new CostMeter();
    baseMeter.attach(baseDdb);
    const baselineEarn = async (i: number, prefix: string) => {
      const p = purchase(i, prefix);
      await bareEarn(baseDdb, tableName, 'bench', {
        memberId: p.memberId,
        orderId: p.orderId,
        purchase: p,
        points: 10,
        id: `${prefix}${i}`.padStart(26, '0'),
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

    meter.reset();
    const replays = 200;
    const r = await load(replays, CONCURRENCY, (i) => post(purchase(i, 'earn1')));

    console.log(
      `\nloyalty bench: DynamoDB Local (in-memory), ${half * 2} purchases per side, ${CONCURRENCY} concurrent, ` +
        `${MEMBERS} members`,
    );
    console.log(
      `\nEarn (POST /v1/purchases through the real handler, ${demoEarningRules().length} demo rules: base, coffee ` +
        `x2, weekend x1.5, welcome, windfall, events, daily cap)`,
    );
    console.log(
      `  app        ${fmt(appRate, 0)} purchases/s   p50 ${fmt((e1.p50 + e2.p50) / 2)} ms   p99 ` +
        `${fmt(Math.max(e1.p99, e2.p99))} ms`,
    );
    console.log(
      `  baseline   ${fmt(baseRate, 0)} purchases/s   p50 ${fmt((a1.p50 + a2.p50) / 2)} ms   p99 ` +
        `${fmt(Math.max(a1.p99, a2.p99))} ms   (same BatchGet + TransactWrite, no app)`,
    );
    console.log(`  ratio      app/baseline throughput ${fmt(appRate / baseRate, 2)}`);
    console.log(
      `  DynamoDB   ${fmt(earnReq, 2)} requests per earn (${earnOps}); consumed ${fmt(earnRead, 2)} RCU + ` +
        `${fmt(earnWrite, 2)} WCU as DynamoDB Local reports it`,
    );
    console.log(
      `             (on AWS a transactional write of 4 items under 1 KB bills 8 WCU and a consistent BatchGet of 2 ` +
        `items 2 RCU)`,
    );
    console.log(
      `  events     ${eventsPerEarn} published for ${half * 2 + 50} credits (Points Earned, plus Member Enrolled ` +
        `on first purchase)`,
    );
    console.log(`\nReplay (same order again -> 200, original body)`);
    console.log(
      `  ${fmt(r.perSecond, 0)} replays/s   p50 ${fmt(r.p50)} ms   p99 ${fmt(r.p99)} ms   ` +
        `${fmt(meter.total() / replays, 2)} requests per replay (${meter.perOp(replays)}), ` +
        `${fmt(meter.write / replays, 2)} WCU`,
    );

    console.log('\nBundles (esbuild as infra/constructs/loyalty-function.ts: ESM, minified, pinned AWS SDK bundled)');
    for (const b of await bundleSizes())
      console.log(`  ${b.fn.padEnd(22)} ${fmt(b.bytes / 1024)} KiB   gzip ${fmt(b.gzip / 1024)} KiB`);

    // --- Redemptions (bench/redemptions.ts): members m-* earned above, so they have points to spend ---
    await benchRedemptions({
      programId: 'bench',
      members: MEMBERS,
      n: Number(process.env.BENCH_REDEEM_N ?? 300),
      concurrency: CONCURRENCY,
    });

    // --- Expiry job (bench/jobs.ts): K due lots in tables of N and 10N members, its own tables ---
    await benchJobs({ endpoint: ddbLocal.endpoint });
    console.log('');
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
