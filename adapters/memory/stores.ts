// Every store the use cases of earning, the ledger and programs need, on plain maps: the same
// conditions, conflict tags and all-or-nothing writes as the DynamoDB adapter, so unit tests run
// the use cases without a JVM. The DynamoDB Local integration tests remain the proof of the real
// stores; what these do differently is said where they do it.
import type { EarningRule } from '../../core/earning/domain';
import type { OutboxRecord } from '../../core/jobs/ports';
import { announcedEvents } from '../../core/ledger/use-cases/announced-events';
import type { ProgramSettings } from '../../core/programs/domain/program';
import { type CommitHook, memoryLedgerStore } from './ledger-store';
import { memoryAdjustmentStore, memoryAuditStore, memoryMemberDirectory } from './operator-store';
import { memoryOrderStore } from './order-store';
import { memoryProducerStore, memoryProgramStore, memoryRuleStore } from './program-store';
import { copy, newTables, type StoredSchedule } from './tables';

export type { CommitHook } from './ledger-store';

export interface MemoryStoreOptions {
  /** Programs stored from the start (as created, without an admin key). */
  programs?: ProgramSettings[];
  /** Rule sets stored from the start, by program (version 1, no history). */
  rules?: Record<string, EarningRule[]>;
}

export function memoryStores(opts: MemoryStoreOptions = {}) {
  const tables = newTables();
  const hooks: CommitHook[] = [];
  for (const p of opts.programs ?? []) tables.programs.set(p.programId, copy(p));
  for (const [programId, rules] of Object.entries(opts.rules ?? {})) {
    tables.ruleSets.set(programId, copy({ rules, version: 1, updatedAt: new Date(0).toISOString() }));
  }
  return {
    ledger: memoryLedgerStore(tables, hooks),
    orders: memoryOrderStore(tables),
    programs: memoryProgramStore(tables),
    producers: memoryProducerStore(tables),
    rules: memoryRuleStore(tables),
    adjustments: memoryAdjustmentStore(tables),
    directory: memoryMemberDirectory(tables),
    audit: memoryAuditStore(tables),
    /** Runs `fn` once, when the next ledger commit starts: a concurrent writer between a read and its write. */
    beforeCommit(fn: CommitHook): void {
      hooks.push(fn);
    },
    /** Members' schedules, by `<programId>/<memberId>/<REVIEW|INACTIVITY>`. */
    schedules: tables.schedules as ReadonlyMap<string, Readonly<StoredSchedule>>,
    /** Outbox entries written with ledger writes, by `<programId>/<memberId>/<id>`. */
    outbox: tables.outbox as ReadonlyMap<string, Readonly<OutboxRecord>>,
    /** The events the committed writes announce, as the stream consumer publishes them (in commit order). */
    announced: () => tables.changes.flatMap(announcedEvents),
    /** Everything stored, as a copy: two equal snapshots mean nothing was written in between. */
    snapshot: () => copy(tables),
  };
}

export type MemoryStores = ReturnType<typeof memoryStores>;
