/**
 * Expire job bench: K due lots in a table of N members, then in a table of 10N members. The job
 * finds its work through the due-date index, so its time and DynamoDB requests should not move
 * with N (ratio near 1). `benchJobs()` is the section `npm run bench` prints; `npx tsx bench/jobs.ts`
 * runs it alone (BENCH_JOBS_N, BENCH_JOBS_K).
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb';
import { createDocumentClient } from '../adapters/runtime/clients';
import { fixedClock } from '../core/kernel/clock';
import { dueKeys, keys } from '../adapters/dynamodb/keys';
import { dueWorkRepository } from '../adapters/dynamodb/due-work';
import { repositories } from '../adapters/dynamodb/repositories';
import { memoryPublisher } from '../adapters/eventbridge/publisher';
import { createProgram } from '../core/programs/use-cases/manage-programs';
import { putExpiryPolicy } from '../core/programs/use-cases/program-admin';
import { runJob, type RunSummary } from '../core/jobs/use-cases/run-job';
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

type Item = Record<string, unknown>;

/** A member with `lots` (and their earn transactions), balances equal to the sum of the lots. */
function memberItems(memberId: string, lots: { lotId: string; points: number; expiresAt: string | null }[]): Item[] {
  const available = lots.reduce((s, l) => s + l.points, 0);
  const items: Item[] = [
    { ...keys.member(PROGRAM, memberId), entity: 'member', programId: PROGRAM, memberId, available, pending: 0, lifetimeEarned: available, version: 1, enrolledAt: EARNED, updatedAt: EARNED, attributes: {}, lastActivityAt: EARNED },
  ];
  for (const l of lots) {
    const lot = { lotId: l.lotId, amount: l.points, remaining: l.points, earnedAt: EARNED, availableAt: EARNED, expiresAt: l.expiresAt, source: 'purchase', reason: 'bench' };
    items.push({ ...keys.lot(PROGRAM, memberId, l.expiresAt, l.lotId), entity: 'lot', programId: PROGRAM, memberId, ...lot, ...(l.expiresAt ? dueKeys('EXPIRE', l.expiresAt, PROGRAM, memberId, l.lotId) : {}) });
    items.push({
      ...keys.transaction(PROGRAM, memberId, `T${l.lotId}`), entity: 'tx', programId: PROGRAM, transactionId: `T${l.lotId}`, memberId, type: 'earn', points: l.points,
      reason: 'bench', source: 'purchase', status: 'credited', breakdown: [], lots: [{ lotId: l.lotId, points: l.points }], occurredAt: EARNED, recordedAt: EARNED,
    });
  }
  return items;
}

async function writeAll(ddb: ReturnType<typeof createDocumentClient>, tableName: string, items: Item[], concurrency = 8): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chunks.length) {
        let pending: { PutRequest: { Item: Item } }[] = chunks[next++]!.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length) {
          const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          pending = (out.UnprocessedItems?.[tableName] as typeof pending | undefined) ?? [];
        }
      }
    }),
  );
}

/** One table: `members` members that have nothing due (two lots each, one expiring in a year) plus `dueLots` members with one lot due now. */
async function measure(endpoint: string, members: number, dueLots: number): Promise<JobsBenchRow> {
  const tableName = `loyalty-bench-jobs-${members}-${Date.now()}`;
  await createBenchTable(endpoint, tableName);
  const setup = createDocumentClient({ endpoint });
  const clock = fixedClock('2026-04-30T00:00:00.000Z');
  const setupDeps = { ...repositories(setup, tableName, { cache: false }), due: dueWorkRepository(setup, tableName), clock };
  await createProgram({ programId: PROGRAM, currency: 'USD', pointsPerUnit: 1 }, setupDeps);
  await putExpiryPolicy(PROGRAM, { kind: 'after-earning', months: 12 }, setupDeps);

  const items: Item[] = [];
  for (let i = 0; i < members; i++) items.push(...memberItems(`m${i}`, [{ lotId: `A${i}`, points: 10, expiresAt: LATER }, { lotId: `B${i}`, points: 5, expiresAt: null }]));
  for (let i = 0; i < dueLots; i++) items.push(...memberItems(`due${i}`, [{ lotId: `D${i}`, points: 7, expiresAt: DUE_AT }, { lotId: `E${i}`, points: 3, expiresAt: LATER }]));
  await writeAll(setup, tableName, items);

  // The hourly runs before this one have left the checkpoint at the previous day.
  const jobClient = createDocumentClient({ endpoint });
  clock.set('2026-05-31T08:00:00.000Z');
  const deps = { ...repositories(jobClient, tableName), due: dueWorkRepository(jobClient, tableName), events: memoryPublisher(), clock };
  await runJob({ job: 'expire', asOf: '2026-05-31T08:00:00.000Z' }, deps);

  const meter = new CostMeter();
  meter.attach(jobClient);
  clock.set(AS_OF);
  const started = performance.now();
  const summary = await runJob({ job: 'expire', asOf: AS_OF }, deps);
  const ms = performance.now() - started;
  if (summary.totals.points !== dueLots * 7 || summary.totals.errors) throw new Error(`expire job expired ${summary.totals.points} points (${summary.totals.errors} errors), expected ${dueLots * 7}`);
  const requests = Object.fromEntries([...meter.requests].sort());
  return { members: members + dueLots, items: items.length, dueLots, ms, requests, totalRequests: meter.total(), summary };
}

export async function benchJobs(opts: { endpoint: string; n?: number; k?: number; log?: (line: string) => void }): Promise<JobsBenchRow[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const n = opts.n ?? Number(process.env.BENCH_JOBS_N ?? 2_000);
  const k = opts.k ?? Number(process.env.BENCH_JOBS_K ?? 200);
  await measure(opts.endpoint, Math.min(n, 100), k); // warm-up (JIT, connections), not reported
  const rows = [await measure(opts.endpoint, n, k), await measure(opts.endpoint, 10 * n, k)];
  const [small, large] = rows as [JobsBenchRow, JobsBenchRow];
  log(`\nExpire job: ${k} due lots (${k} members) in a table of N and 10N members, in-process (the state machine's plan/work/finish), DynamoDB Local`);
  for (const r of rows) {
    const ops = Object.entries(r.requests).map(([op, c]) => `${op} ${c}`).join(', ');
    log(`  ${String(r.members).padStart(6)} members ${String(r.items).padStart(7)} items   ${fmt(r.ms, 0).padStart(5)} ms   ${String(r.totalRequests).padStart(5)} DynamoDB requests (${fmt(r.totalRequests / r.dueLots, 2)} per due lot): ${ops}`);
  }
  log(`  ratio 10N/N: time ${fmt(large.ms / small.ms, 2)}, requests ${fmt(large.totalRequests / small.totalRequests, 2)}`);
  log(`  (index partitions read: ${small.summary.totals.partitions} and ${large.summary.totals.partitions}: 8 shards x 2 days since the checkpoint; every other request is per due member)`);
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
