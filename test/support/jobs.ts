import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { collections, keys } from '../../adapters/dynamodb/keys';
import { earnForPurchase } from '../../core/earning/use-cases/earn-for-purchase';
import { ExpiryPolicyInput } from '../../core/expiry/schemas';
import { putExpiryPolicy } from '../../core/expiry/use-cases/expiry-policy';
import { asOfInstant, type JobDeps, type JobRunInput, runJob } from '../../core/jobs/use-cases/run-job';
import type { DomainEvent } from '../../core/kernel/events';
import { ulid } from '../../core/kernel/ids';
import { WriteConflict } from '../../core/kernel/retry';
import { ledgerViolations } from '../../core/ledger/domain/ledger';
import { allocateDebit, settle } from '../../core/ledger/domain/member-state';
import type { Lot, Transaction } from '../../core/ledger/domain/types';
import { patchProgramSettings } from '../../core/programs/use-cases/program-settings';
import { TierSetInput, type TierSetInputType } from '../../core/tiers/schemas';
import { putTierSet } from '../../core/tiers/use-cases/manage-tiers';
import { ledgerFixture, purchase } from './ledger';

/** The ledger fixture plus the jobs' ports, helpers to earn at a given time, spend, run a job and audit a member. */
export async function jobsFixture(now = '2026-01-01T00:00:00.000Z') {
  const f = await ledgerFixture(now);
  const due = f.deps.due;
  const deps: JobDeps & typeof f.deps = f.deps;
  let order = 0;
  /**
   * The hourly runs between the tests' instants found nothing to do (no test has work due more
   * than 40 days before the run it checks): start the job at most 40 days back, as they would have left it.
   */
  const catchUp = async (job: string, asOf: string) => {
    const cp = await due.getCheckpoint(job);
    const floor = new Date(Date.parse(asOf) - 40 * 86_400_000).toISOString();
    if (job === 'notify' ? cp?.lastAsOf && cp.lastAsOf >= floor : cp?.from && cp.from >= floor.slice(0, 10)) return;
    const [field, value] = job === 'notify' ? ['lastAsOf', floor] : ['from', floor.slice(0, 10)];
    await f.ddb.send(
      new UpdateCommand({
        TableName: f.tableName,
        Key: keys.checkpoint(job),
        UpdateExpression: 'SET entity = :e, job = :j, #f = :v',
        ExpressionAttributeNames: { '#f': field },
        ExpressionAttributeValues: { ':e': 'checkpoint', ':j': job, ':v': value },
      }),
    );
  };
  return {
    ...f,
    due,
    deps,
    async program(
      programId: string,
      opts: {
        timeZone?: string;
        pendingDays?: number;
        expiry?: z.input<typeof ExpiryPolicyInput>;
        tiers?: TierSetInputType;
      } = {},
    ) {
      await f.program(programId, { currency: 'USD', pointsPerUnit: 1 });
      if (opts.timeZone || opts.pendingDays !== undefined)
        await patchProgramSettings(
          programId,
          {
            ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
            ...(opts.pendingDays !== undefined ? { pendingDays: opts.pendingDays } : {}),
          },
          deps,
        );
      if (opts.expiry) await putExpiryPolicy(programId, ExpiryPolicyInput.parse(opts.expiry), deps);
      if (opts.tiers) await putTierSet(programId, TierSetInput.parse(opts.tiers), deps);
    },
    /**
     * A purchase of `dollars` (1 point per dollar) recorded at `at`; the earn itself writes the member's review and
     * inactivity schedules.
     */
    async earn(programId: string, memberId: string, dollars: number, at: string) {
      f.clock.set(at);
      const { result } = await earnForPurchase(
        programId,
        purchase({ orderId: `o-${++order}-${memberId}`, memberId, occurredAt: at, amount: dollars * 100 }),
        deps,
      );
      return result;
    },
    /**
     * A debit the way redemptions take points: nearest expiry first, conditioned on each lot and the member's
     * version.
     */
    async spend(
      programId: string,
      memberId: string,
      points: number,
      at: string,
      opts: { beforeWrite?: (attempt: number) => Promise<void> } = {},
    ): Promise<number> {
      for (let attempt = 1; ; attempt++) {
        const member = await deps.ledger.loadMember(programId, memberId);
        const { state } = settle(member, at);
        const lots = await deps.ledger.listLots(programId, memberId);
        const take = Math.min(points, state.available);
        if (take <= 0) return 0;
        const { allocations } = allocateDebit(lots, take, at);
        const taken = allocations.reduce((s, a) => s + a.points, 0);
        const tx: Transaction = {
          transactionId: ulid(),
          memberId,
          type: 'redeem',
          points: -taken,
          reason: 'test spend',
          source: 'redemption',
          status: 'debited',
          breakdown: [],
          lots: allocations.map((a) => ({ lotId: a.lot.lotId, points: a.points })),
          occurredAt: at,
          recordedAt: at,
        };
        try {
          await opts.beforeWrite?.(attempt);
          await deps.ledger.commit(
            {
              programId,
              members: [{ memberId, before: member, after: { ...state, available: state.available - taken } }],
              lotUpdates: allocations.map((a) => ({ memberId, lot: a.lot, take: a.points })),
              transactions: [tx],
            },
            at,
          );
          return taken;
        } catch (err) {
          if (!(err instanceof WriteConflict) || attempt > 20) throw err;
        }
      }
    },
    /**
     * A run as the scheduler makes it: the wall clock at its asOf. First runs look back 40 days
     * (production: a year, once) to keep the many first runs of these tests quick.
     */
    async run(
      job: JobRunInput['job'],
      asOf: string,
      extra: Partial<JobRunInput> & { wall?: string; deps?: Partial<JobDeps> } = {},
    ) {
      const { wall, deps: overrides, ...input } = extra;
      const at = asOfInstant(asOf);
      await catchUp(job, at);
      f.clock.set(wall ?? at);
      const run = await runJob(
        { job, asOf, ...input, settings: { firstRunLookbackDays: 40, ...input.settings } },
        { ...deps, ...overrides },
      );
      // What the run (and the writes before it) committed, as the stream consumer publishes it.
      await f.events.drain();
      return run;
    },
    /** Balances, lots and transactions of a member, and the ledger invariants over them. */
    async audit(programId: string, memberId: string) {
      const items: Record<string, any>[] = [];
      let ExclusiveStartKey: Record<string, any> | undefined;
      do {
        const out = await f.ddb.send(
          new QueryCommand({
            TableName: f.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': collections.member(programId, memberId) },
            ConsistentRead: true,
            ExclusiveStartKey,
          }),
        );
        items.push(...(out.Items ?? []));
        ExclusiveStartKey = out.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      const profile = items.find((i) => i.sk === 'PROFILE')!;
      const lots = items.filter((i) => i.entity === 'lot') as unknown as Lot[];
      const txs = items.filter((i) => i.entity === 'tx') as unknown as Transaction[];
      const balances = {
        available: profile.available,
        pending: profile.pending,
        lifetimeEarned: profile.lifetimeEarned,
        debt: profile.debt ?? 0,
      };
      return { profile, balances, lots, txs, items, violations: ledgerViolations(balances, lots, txs) };
    },
    /** Published by the stream up to the last run (or the last `events.drain()`). */
    published(detailType?: string): DomainEvent[] {
      return f.events.events.filter((e) => !detailType || e.detailType === detailType);
    },
  };
}

export type JobsFixture = Awaited<ReturnType<typeof jobsFixture>>;
