/**
 * Expire job bench: K due lots in a table of N members, then in a table of 10N members. The job
 * finds its work through the due-date index, so its time and DynamoDB requests should not move
 * with N (ratio near 1). `benchJobs()` is the section `npm run bench` prints; `npx tsx bench/jobs.ts`
 * runs it alone (BENCH_JOBS_N, BENCH_JOBS_K).
 */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ledgerItems, type MemberLedger, putItems } from '../adapters/dynamodb/bulk';
import { createDocumentClient } from '../adapters/dynamodb/client';
import { dynamoStores } from '../adapters/dynamodb/stores';
import { memoryPublisher } from '../adapters/memory/publisher';
import { putExpiryPolicy } from '../core/expiry/use-cases/expiry-policy';
import { type RunSummary, runJob } from '../core/jobs/use-cases/run-job';
import { fixedClock } from '../core/kernel/clock';
import type { Lot } from '../core/ledger/domain/types';
import { createProgram } from '../core/programs/use-cases/manage-programs';
import { startDynamoDbLocal } from '../local/dynamodb';
import { CostMeter, createBenchTable, fmt } from './support';

const PROGRAM = 'bench';
const EARNED = '2026-05-01T08:00:00.000Z';
const DUE_AT = '2026-06-01T07:30:00.000Z';
const LATER = '2027-05-01T08:00:00.000Z';
const AS_OF = '2026-06-01T08:00:00.000Z';

export interface JobsBenchRow {
  members: number;
  items: number;
  dueLots: number;
  ms: number;
  requests: Record<string, number>;
  totalRequests: number;
  summary: RunSummary;
}

/** A member with `lots` (and their earn transactions), balances equal to the sum of the lots. */
function member(memberId: string, lots: { lotId: string; points: number; expiresAt: string | null }[]): MemberLedger {
  const toLot = (l: (typeof lots)[number]): Lot => ({
    lotId: l.lotId,
    amount: l.points,
    remaining: l.points,
    earnedAt: EARNED,
    availableAt: EARNED,
    expiresAt: l.expiresAt,
    source: 'purchase',
    reason: 'bench',
  });
  return { memberId, lots: lots.map(toLot), at: EARNED };
}

/**
 * One table: `members` members that have nothing due (two lots each, one expiring in a year) plus `dueLots` members
 * with one lot due now.
 */
async function measure(endpoint: string, members: number, dueLots: number): Promise<JobsBenchRow> {
  const tableName = `loyalty-bench-jobs-${members}-${Date.now()}`;
  await createBenchTable(endpoint, tableName);
  const setup = createDocumentClient({ endpoint });
  const clock = fixedClock('2026-04-30T00:00:00.000Z');
  const setupDeps = { ...dynamoStores(setup, tableName, { cache: false }), clock };
  await createProgram({ programId: PROGRAM, currency: 'USD', pointsPerUnit: 1 }, setupDeps);
  await putExpiryPolicy(PROGRAM, { kind: 'after-earning', months: 12 }, setupDeps);

  const ledgers: MemberLedger[] = [];
  for (let i = 0; i < members; i++) {
    ledgers.push(
      member(`m${i}`, [
        { lotId: `A${i}`, points: 10, expiresAt: LATER },
        { lotId: `B${i}`, points: 5, expiresAt: null },
      ]),
    );
  }
  for (let i = 0; i < dueLots; i++) {
    ledgers.push(
      member(`due${i}`, [
        { lotId: `D${i}`, points: 7, expiresAt: DUE_AT },
        { lotId: `E${i}`, points: 3, expiresAt: LATER },
      ]),
    );
  }
  const items = ledgerItems(tableName, PROGRAM, ledgers, EARNED);
  await putItems(setup, tableName, items);

  // The hourly runs before this one have left the checkpoint at the previous day.
  const jobClient = createDocumentClient({ endpoint });
  clock.set('2026-05-31T08:00:00.000Z');
  const deps = { ...dynamoStores(jobClient, tableName), events: memoryPublisher(), clock };
  await runJob({ job: 'expire', asOf: '2026-05-31T08:00:00.000Z' }, deps);

  const meter = new CostMeter();
  meter.attach(jobClient);
  clock.set(AS_OF);
  const started = performance.now();
  const summary = await runJob({ job: 'expire', asOf: AS_OF }, deps);
  const ms = performance.now() - started;
  if (summary.totals.points !== dueLots * 7 || summary.totals.errors)
    throw new Error(
      `expire job expired ${summary.totals.points} points (${summary.totals.errors} errors), expected ${dueLots * 7}`,
    );
  const requests = Object.fromEntries([...meter.requests].sort());
  return {
    members: members + dueLots,
    items: items.length,
    dueLots,
    ms,
    requests,
    totalRequests: meter.total(),
    summary,
  };
}

export async function benchJobs(opts: {
  endpoint: string;
  n?: number;
  k?: number;
  log?: (line: string) => void;
}): Promise<JobsBenchRow[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const n = opts.n ?? Number(process.env.BENCH_JOBS_N ?? 2_000);
  const k = opts.k ?? Number(process.env.BENCH_JOBS_K ?? 200);
  await measure(opts.endpoint, Math.min(n, 100), k); // warm-up (JIT, connections), not reported
  const rows = [await measure(opts.endpoint, n, k), await measure(opts.endpoint, 10 * n, k)];
  const [small, large] = rows as [JobsBenchRow, JobsBenchRow];
  log(
    `\nExpire job: ${k} due lots (${k} members) in a table of N and 10N members, in-process (the state machine's ` +
      `plan/work/finish), DynamoDB Local`,
  );
  for (const r of rows) {
    const ops = Object.entries(r.requests)
      .map(([op, c]) => `${op} ${c}`)
      .join(', ');
    log(
      `  ${String(r.members).padStart(6)} members ${String(r.items).padStart(7)} items   ` +
        `${fmt(r.ms, 0).padStart(5)} ms   ${String(r.totalRequests).padStart(5)} DynamoDB requests ` +
        `(${fmt(r.totalRequests / r.dueLots, 2)} per due lot): ${ops}`,
    );
  }
  log(
    `  ratio 10N/N: time ${fmt(large.ms / small.ms, 2)}, requests ${fmt(large.totalRequests / small.totalRequests, 2)}`,
  );
  log(
    `  (index partitions read: ${small.summary.totals.partitions} and ${large.summary.totals.partitions}: 8 shards ` +
      `x 2 days since the checkpoint; every other request is per due member)`,
  );
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const ddb = await startDynamoDbLocal();
  try {
    await benchJobs({ endpoint: ddb.endpoint });
  } finally {
    await ddb.stop();
  }
}
