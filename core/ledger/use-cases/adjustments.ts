// An operator's adjustment (POST /v1/admin/members/{memberId}/adjustments): a signed amount with a
// reason, an ordinary ledger transaction (type `adjust`, source `admin`) committed in one write with the
// guard of its Idempotency-Key and its audit entry. The same key with the same body answers the first
// result again; with another body it is a 409. A support role may move at most the program's
// `supportAdjustmentLimit` points either way; managers and admins have no limit.
import { createHash } from 'node:crypto';
import type { AuditEntry } from '../../audit/domain/audit';
import type { AuditRecorded } from '../../audit/ports';
import { expiresAtFor } from '../../expiry/domain/expiry';
import { scheduleRecords } from '../../jobs/schedules';
import type { Clock } from '../../kernel/clock';
import { IdempotencyConflict, Unprocessable } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import type { BusinessMetrics } from '../../kernel/metrics';
import { retryOnConflict } from '../../kernel/retry';
import { DEFAULT_SUPPORT_ADJUSTMENT_LIMIT } from '../../programs/domain/program';
import { type Actor, roleAtLeast } from '../../programs/domain/staff-roles';
import { Forbidden, ProgramNotFound } from '../../programs/errors';
import type { ProgramStore } from '../../programs/ports';
import { planAdjustment } from '../domain/adjustment';
import { effectiveBalances, outOfLedgerBounds } from '../domain/member-state';
import { AdjustmentOverLimit, MemberNotFound } from '../errors';
import type { AdjustmentRecorded, AdjustmentStore, LedgerStore, LotUpdate } from '../ports';
import type { AdjustmentInput, AdjustmentResult } from '../schemas';
import { activationUpdates } from '../writes';
import { announcedActivations, balancesOf } from './ledger-events';

export interface AdjustmentDeps {
  ledger: LedgerStore;
  adjustments: AdjustmentStore;
  programs: Pick<ProgramStore, 'getProgram'>;
  clock: Clock;
  metrics?: BusinessMetrics;
}

export interface AdjustmentRequestContext {
  idempotencyKey: string;
  actor: Actor;
  requestId?: string;
  correlationId?: string;
}

function fingerprint(memberId: string, input: AdjustmentInput): string {
  return createHash('sha256')
    .update(JSON.stringify([memberId, input.points, input.reason, input.note ?? null]))
    .digest('base64url');
}

export async function adjustPoints(
  programId: string,
  memberId: string,
  input: AdjustmentInput,
  request: AdjustmentRequestContext,
  deps: AdjustmentDeps,
): Promise<{ replayed: boolean; result: AdjustmentResult }> {
  const { actor } = request;
  if (!roleAtLeast(actor.role, 'support')) throw new Forbidden('staff:support');
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  // Checked before anything is read: an adjustment over the limit writes nothing, whatever the key.
  const limit = program.supportAdjustmentLimit ?? DEFAULT_SUPPORT_ADJUSTMENT_LIMIT;
  if (!roleAtLeast(actor.role, 'manager') && Math.abs(input.points) > limit)
    throw new AdjustmentOverLimit(limit, actor.role ?? 'none');
  const print = fingerprint(memberId, input);

  return retryOnConflict(
    `Member "${memberId}"`,
    async () => {
      const now = deps.clock.now().toISOString();
      const { member, recorded } = await deps.adjustments.loadForAdjustment(
        programId,
        memberId,
        request.idempotencyKey,
      );
      if (recorded) {
        if (recorded.fingerprint !== print) throw new IdempotencyConflict('Idempotency-Key', request.idempotencyKey);
        return { replayed: true, result: recorded.result as AdjustmentResult };
      }
      if (!member.exists) throw new MemberNotFound(memberId);
      const lots = input.points < 0 ? await deps.ledger.listLots(programId, memberId) : [];
      const plan = planAdjustment(
        member,
        lots,
        { memberId, points: input.points, reason: input.reason, note: input.note, by: actor },
        {
          now,
          expiresAt: expiresAtFor(now, program.expiryPolicy, program.timeZone),
          allowNegative: program.returnPolicy === 'negative-balance',
          ids: { transactionId: ulid(), lotId: ulid() },
        },
      );
      if (!plan.ok) throw new Unprocessable(plan.errors);
      const memberWrite = { memberId, before: member, after: plan.state };
      const unbounded = outOfLedgerBounds(plan.state);
      if (unbounded.length)
        throw new Unprocessable([
          { field: 'points', message: `would take ${unbounded.join(', ')} beyond what the ledger holds` },
        ]);

      const balances = effectiveBalances(plan.state, now);
      const result: AdjustmentResult = {
        memberId,
        transactionId: plan.transaction.transactionId,
        points: input.points,
        debt: plan.debt,
        balances,
        transaction: plan.transaction,
      };
      const guard: AdjustmentRecorded = {
        kind: 'adjustment-recorded',
        memberId,
        idempotencyKey: request.idempotencyKey,
        fingerprint: print,
        result,
      };
      const entry: AuditEntry = {
        auditId: ulid(),
        at: now,
        actor,
        operation: 'adjustPoints',
        target: { memberId },
        before: { balances: effectiveBalances(member, now), debt: member.debt },
        after: { balances, debt: plan.state.debt, transaction: plan.transaction },
        ...(request.requestId ? { requestId: request.requestId } : {}),
        ...(request.correlationId ? { correlationId: request.correlationId } : {}),
      };
      const audit: AuditRecorded = { kind: 'audit-recorded', entry };
      const lotUpdates: LotUpdate[] = [
        ...activationUpdates(memberId, plan.activations),
        ...plan.takes.map((t) => ({ memberId, lot: t.lot, take: t.points })),
      ];
      // A concurrent duplicate fails the guard, another write to the member its version: both decide again.
      await deps.ledger.commit(
        {
          programId,
          members: [memberWrite],
          lotPuts: plan.lot ? [{ memberId, lot: plan.lot }] : [],
          lotUpdates,
          // The stream publishes Points Adjusted (and Points Activated) from the transaction's item once committed.
          transactions: [
            {
              ...plan.transaction,
              announces: {
                memberId,
                at: now,
                ...(request.correlationId ? { correlationId: request.correlationId } : {}),
                adjustment: { reason: input.reason, debt: plan.debt, by: actor, balances: balancesOf(balances) },
                ...announcedActivations(plan.activations),
              },
            },
          ],
          records: [...scheduleRecords(program, [memberWrite], now), guard, audit],
        },
        now,
      );
      deps.metrics?.count('PointsAdjusted', Math.abs(input.points));
      return { replayed: false, result };
    },
    { onRetry: () => deps.metrics?.count('LedgerWriteRetried') },
  );
}
