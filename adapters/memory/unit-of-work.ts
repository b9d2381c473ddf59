// A ledger write as the DynamoDB adapter's one TransactWriteItems does it: the same items in the
// same order, each with its condition and the tag it reports. Every condition is checked before
// anything is applied; one failing throws a WriteConflict with the tags of all that failed, in
// write order, and nothing is written.
import type { AuditRecorded } from '../../core/audit/ports';
import type { EarningRecord } from '../../core/earning/ports';
import type { JobRecord } from '../../core/jobs/ports';
import { WriteConflict } from '../../core/kernel/retry';
import type { AdjustmentRecorded, LedgerWrite, MemberWrite, WriteRecord } from '../../core/ledger/ports';
import type { CommittedChange } from '../../core/ledger/use-cases/announced-events';
import { mergeLotUpdates } from '../../core/ledger/writes';
import type { MemberErased } from '../../core/members/ports';
import { copy, key, LEDGER_FIELDS, lotKey, type StoredMember, type Tables } from './tables';

/** One item of the write: which item it touches, what must hold, and what it does. */
interface Op {
  tag: string;
  item: string;
  holds(): boolean;
  apply(): void;
}

/** DynamoDB's limit on one transaction; writes are bounded to stay under it (MAX_ACTIVATIONS_PER_WRITE). */
const MAX_ITEMS = 100;

/** Records of the rewards context: the DynamoDB store writes them; these stores leave them to its tests. */
const REWARD_RECORDS = new Set(['redemption-created', 'redemption-reserved', 'redemption-released']);

type Handled = EarningRecord | JobRecord | AdjustmentRecorded | AuditRecorded | MemberErased;

export function commitWrite(t: Tables, w: LedgerWrite, now: string): void {
  const ops = writeOps(t, w, now);
  if (ops.length > MAX_ITEMS) throw new Error(`A transaction holds at most ${MAX_ITEMS} items, not ${ops.length}`);
  const items = new Set<string>();
  for (const op of ops) {
    // DynamoDB rejects the whole request (not a condition failure) when one item appears twice.
    if (items.has(op.item)) throw new Error(`A transaction cannot include multiple operations on one item: ${op.item}`);
    items.add(op.item);
  }
  const failed = ops.filter((op) => !op.holds()).map((op) => op.tag);
  if (failed.length) throw new WriteConflict(failed);
  for (const op of ops) op.apply();
  t.changes.push(...committedChanges(w));
}

/** What the stream would hand the consumer for this write (adapters/dynamodb/stream.ts reads it from the items). */
function committedChanges(w: LedgerWrite): CommittedChange[] {
  const { programId } = w;
  const changes: CommittedChange[] = [];
  for (const r of w.records ?? []) {
    const rec = r as Handled;
    if (rec.kind === 'return-recorded' && rec.announces)
      changes.push({
        kind: 'announced',
        programId,
        key: `return ${key(programId, rec.returnId)}`,
        announce: rec.announces,
      });
    if (rec.kind === 'outbox-recorded') changes.push({ kind: 'events-recorded', events: rec.record.events });
  }
  for (const m of w.members) {
    if (m.enrol && m.enrol.via !== 'backfill') {
      const k = key(programId, m.memberId);
      changes.push({
        kind: 'member-enrolled',
        programId,
        key: `member ${k}`,
        memberId: m.memberId,
        via: m.enrol.via,
        at: m.enrol.now,
      });
    }
  }
  for (const { announces, ...tx } of w.transactions ?? []) {
    if (!announces) continue;
    const k = key(programId, tx.memberId, tx.transactionId);
    changes.push({ kind: 'announced', programId, key: `tx ${k}`, announce: announces, transaction: tx });
  }
  return changes;
}

function writeOps(t: Tables, w: LedgerWrite, now: string): Op[] {
  const { programId } = w;
  const ops: Op[] = [];
  for (const r of w.records ?? []) ops.push(recordOp(t, programId, r, now));
  for (const m of w.members) {
    ops.push(memberOp(t, programId, m));
    if (m.referralCode) ops.push(referralCodeOp(t, programId, m.memberId, m.referralCode, now));
  }
  for (const { memberId, lot } of w.lotPuts ?? []) {
    const k = lotKey(programId, memberId, lot);
    ops.push({
      tag: `lot:${lot.lotId}`,
      item: `lot ${k}`,
      holds: () => !t.lots.has(k),
      apply: () => void t.lots.set(k, copy(lot)),
    });
  }
  for (const u of mergeLotUpdates(w.lotUpdates ?? [])) {
    const k = lotKey(programId, u.memberId, u.lot);
    ops.push({
      tag: `lot:${u.lot.lotId}`,
      item: `lot ${k}`,
      holds: () => (t.lots.get(k)?.remaining ?? -1) >= u.take,
      apply: () => {
        t.lots.get(k)!.remaining -= u.take;
      },
    });
  }
  for (const tx of w.transactions ?? []) {
    const k = key(programId, tx.memberId, tx.transactionId);
    ops.push({
      tag: `tx:${tx.transactionId}`,
      item: `tx ${k}`,
      holds: () => true,
      apply: () => {
        const { announces: _, ...stored } = tx;
        t.transactions.set(k, copy(stored));
      },
    });
  }
  return ops;
}

function memberOp(t: Tables, programId: string, w: MemberWrite): Op {
  const k = key(programId, w.memberId);
  return {
    tag: `member:${w.memberId}`,
    item: `member ${k}`,
    holds: () => {
      const stored = t.members.get(k);
      if (!w.before.exists) return !stored;
      // A member only ever written by profile updates has no version yet.
      if (w.before.version === 0) return stored !== undefined && stored.version === undefined;
      return stored?.version === w.before.version;
    },
    apply: () => {
      const m: StoredMember = t.members.get(k) ?? { ledger: {}, counters: {} };
      m.version = w.before.version + 1;
      for (const field of LEDGER_FIELDS) {
        const value = w.after[field];
        if (value === undefined || value === null) delete m.ledger[field];
        else (m.ledger as Record<string, unknown>)[field] = copy(value);
      }
      // Counters are written by difference, so a write adds or drops one without rewriting the rest.
      for (const [c, v] of Object.entries(w.after.counters)) if (w.before.counters[c] !== v) m.counters[c] = v;
      for (const c of Object.keys(w.before.counters)) if (!(c in w.after.counters)) delete m.counters[c];
      if (w.referralCode) m.referralCode = w.referralCode;
      if (w.enrol) {
        Object.assign(m, { programId, memberId: w.memberId, enrolledAt: w.enrol.now, updatedAt: w.enrol.now });
        Object.assign(m, { enrolledVia: w.enrol.via, attributes: {}, enrolRequestId: `${w.enrol.via}:${w.enrol.now}` });
      }
      t.members.set(k, m);
    },
  };
}

export function referralCodeOp(t: Tables, programId: string, memberId: string, code: string, now: string): Op {
  const k = key(programId, code);
  return {
    tag: 'refcode',
    item: `refcode ${k}`,
    holds: () => !t.referralCodes.has(k),
    apply: () => void t.referralCodes.set(k, { memberId, createdAt: now }),
  };
}

function recordOp(t: Tables, programId: string, record: WriteRecord, now: string): Op {
  if (REWARD_RECORDS.has(record.kind)) {
    throw new Error(`The memory stores do not handle "${record.kind}" records: test redemptions on DynamoDB Local`);
  }
  const r = record as Handled;
  switch (r.kind) {
    case 'order-recorded': {
      const k = key(programId, r.order.purchase.orderId);
      return {
        tag: 'order',
        item: `order ${k}`,
        holds: () => !t.orders.has(k),
        apply: () => void t.orders.set(k, copy(r.order)),
      };
    }
    case 'order-returned': {
      const k = key(programId, r.orderId);
      return {
        tag: 'order',
        item: `order ${k}`,
        // Stricter than DynamoDB, whose update would create a bare item for an order never recorded.
        holds: () => {
          const stored = t.orders.get(k);
          return stored !== undefined && (r.version ? stored.version === r.version : (stored.version ?? 0) === 0);
        },
        apply: () => void Object.assign(t.orders.get(k)!, { returned: copy(r.returned), version: r.version + 1 }),
      };
    }
    case 'return-recorded': {
      const k = key(programId, r.returnId);
      const guard = {
        orderId: r.orderId,
        input: r.input,
        fingerprint: r.fingerprint,
        result: r.result,
        recordedAt: now,
      };
      return {
        tag: 'return',
        item: `return ${k}`,
        holds: () => !t.returns.has(k),
        apply: () => void t.returns.set(k, copy(guard)),
      };
    }
    case 'event-recorded': {
      const k = key(programId, r.eventId);
      const guard = { input: r.event, fingerprint: r.fingerprint, result: r.result, recordedAt: now };
      return {
        tag: 'event',
        item: `event ${k}`,
        holds: () => !t.events.has(k),
        apply: () => void t.events.set(k, copy(guard)),
      };
    }
    case 'schedule-set': {
      const k = key(programId, r.memberId, r.schedule);
      const schedule = { programId, memberId: r.memberId, schedule: r.schedule, dueAt: r.dueAt };
      return {
        tag: `schedule:${r.schedule.toLowerCase()}:${r.memberId}`,
        item: `schedule ${k}`,
        holds: () => true,
        apply: () => void t.schedules.set(k, schedule),
      };
    }
    case 'schedule-moved': {
      const k = key(programId, r.memberId, r.schedule);
      return {
        tag: `schedule:${r.schedule.toLowerCase()}`,
        item: `schedule ${k}`,
        holds: () => t.schedules.get(k)?.dueAt === r.seen,
        apply: () => {
          if (r.next === null) t.schedules.delete(k);
          else t.schedules.get(k)!.dueAt = r.next;
        },
      };
    }
    case 'outbox-recorded': {
      const { record: o } = r;
      const k = key(o.programId, o.memberId, o.id);
      return {
        tag: 'outbox',
        item: `outbox ${k}`,
        holds: () => !t.outbox.has(k),
        apply: () => void t.outbox.set(k, copy(o)),
      };
    }
    case 'adjustment-recorded': {
      const k = key(programId, r.memberId, r.idempotencyKey);
      return {
        tag: 'idempotency',
        item: `adjustment ${k}`,
        holds: () => !t.adjustmentGuards.has(k),
        apply: () => void t.adjustmentGuards.set(k, copy({ fingerprint: r.fingerprint, result: r.result })),
      };
    }
    case 'audit-recorded': {
      const k = key(programId, `${r.entry.at}#${r.entry.auditId}`);
      return {
        tag: 'audit',
        item: `audit ${k}`,
        holds: () => !t.audit.has(k),
        apply: () => void t.audit.set(k, copy(r.entry)),
      };
    }
    case 'member-erased':
      return erasureOp(t, programId, r);
    default:
      throw new Error(`No writer for a "${(r as WriteRecord).kind}" record`);
  }
}

/** The profile's personal fields and the member's lookups go together, under the email read (as on DynamoDB). */
function erasureOp(t: Tables, programId: string, r: MemberErased): Op {
  const k = key(programId, r.memberId);
  return {
    tag: `profile:${r.memberId}`,
    item: `member ${k}`,
    holds: () => {
      const m = t.members.get(k);
      return m !== undefined && (r.email ? m.email === r.email.stored : m.email === undefined);
    },
    apply: () => {
      const m = t.members.get(k)!;
      for (const f of ['email', 'name', 'birthDate', 'referralCode'] as const) delete m[f];
      m.attributes = {};
      m.erasedAt = r.erasedAt;
      m.updatedAt = r.erasedAt;
      if (r.email) t.emailLookups.delete(key(programId, r.email.normalized, r.memberId));
      if (r.referralCode) t.referralCodes.delete(key(programId, r.referralCode));
    },
  };
}
