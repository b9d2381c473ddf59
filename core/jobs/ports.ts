// What the scheduled jobs need from storage: the due index read a partition at a time, members'
// schedules (next tier review, inactivity deadline), events waiting to be published, notices
// sent once, and each job's checkpoint.
import type { DomainEvent } from '../kernel/events';
import type { MemberState } from '../ledger/domain/member-state';
import type { Lot } from '../ledger/domain/types';
import type { WriteRecord } from '../ledger/ports';
import type { DueKind } from './domain/due-index';

export type ScheduleKind = 'REVIEW' | 'INACTIVITY';

/** Events recorded with their effect (outbox) or with their send-once guard (notice), until published. */
export interface OutboxRecord {
  kind: 'outbox' | 'notice';
  programId: string;
  memberId: string;
  /** The outbox entry's id, or the notice's stable id. */
  id: string;
  job: string;
  events: DomainEvent[];
  createdAt: string;
  /** Notices: once this has passed the notice can no longer be due, so its guard may go. */
  keepUntil?: string;
}

/** What an entry of the due index points at. */
export type DueSubject =
  | { type: 'lot'; lot: Lot }
  | { type: 'schedule'; schedule: ScheduleKind; dueAt: string }
  | { type: 'outbox'; record: OutboxRecord }
  /** An open redemption at its deadline (the entry's id is the redemption's). */
  | { type: 'redemption'; status: string };

/** One entry of the due index: what is due, when, and whose. */
export interface DueEntry {
  at: string;
  programId: string;
  memberId: string;
  id: string;
  subject: DueSubject;
}

export interface DuePage {
  entries: DueEntry[];
  /** Opaque: pass it back to read the next page of the same partition. */
  next?: Record<string, unknown>;
}

export interface Checkpoint {
  job: string;
  /** Consuming jobs: the first day of the due index that may still hold work. */
  from?: string;
  /** Notices: the asOf the windows of the next run start after. */
  lastAsOf?: string;
  lastRun?: Record<string, unknown>;
  /** The index kinds some program has enabled (recorded by the admin API); absent: read every kind of the job. */
  kinds?: string[];
}

export interface DueWork {
  /** One page of one partition (kind, UTC day, shard) of the due index: entries due in (after, upTo], oldest first. */
  page(
    partition: { kind: DueKind; day: string; shard: number },
    bounds: { after?: string; upTo: string },
    cursor?: Record<string, unknown>,
    limit?: number,
  ): Promise<DuePage>;
  /** The lot, read again, if it still waits in the activation index (a stale entry an older writer left). */
  stillPendingInIndex(programId: string, memberId: string, lot: Lot): Promise<Lot | null>;

  getSchedule(programId: string, memberId: string, kind: ScheduleKind): Promise<{ dueAt: string } | null>;
  putSchedule(programId: string, memberId: string, kind: ScheduleKind, dueAt: string): Promise<void>;
  /** The member's ledger state and their schedule, in one consistent read. */
  loadWithSchedule(
    programId: string,
    memberId: string,
    kind: ScheduleKind,
  ): Promise<{ member: MemberState; schedule: { dueAt: string } | null }>;
  /** Moves (or, with null, removes) a schedule if it is still due at `seen`; false when someone moved it first. */
  moveSchedule(
    programId: string,
    memberId: string,
    kind: ScheduleKind,
    seen: string,
    next: string | null,
  ): Promise<boolean>;

  /** Claims a notice once (its guard holds the event until published); null when it was already claimed. */
  claimNotice(record: OutboxRecord & { kind: 'notice'; keepUntil: string }): Promise<OutboxRecord | null>;
  /** Whether the notice was claimed already (dry runs: a claim without the write). */
  noticeClaimed(record: Pick<OutboxRecord, 'programId' | 'memberId' | 'id'>): Promise<boolean>;
  /** After publishing: outbox entries go, notice guards stay (out of the index) until they expire. */
  markPublished(records: readonly OutboxRecord[], now: string): Promise<void>;

  getCheckpoint(job: string): Promise<Checkpoint | null>;
  /**
   * Records that a program uses a feature: the index kinds the job must read from now on, and,
   * if the job has no checkpoint yet, where it starts.
   */
  initCheckpoint(job: string, start: { from: string } | { lastAsOf: string }, kinds: readonly string[]): Promise<void>;
  /** Saves where the job resumes unless another run moved it since this one was planned. */
  saveCheckpoint(
    job: string,
    value: { from?: string; lastAsOf?: string; lastRun: Record<string, unknown> },
    planned: { from?: string; lastAsOf?: string },
  ): Promise<boolean>;
}

// Records the jobs (and the writes that schedule them) commit with ledger writes.

/** The member's next review or inactivity deadline; unconditional (jobs re-check the member before acting). */
export interface ScheduleSet extends WriteRecord {
  kind: 'schedule-set';
  memberId: string;
  schedule: ScheduleKind;
  dueAt: string;
}

/** Moves (or removes, next null) a schedule only if it is still due at `seen` (conflict: 'schedule'). */
export interface ScheduleMoved extends WriteRecord {
  kind: 'schedule-moved';
  memberId: string;
  schedule: ScheduleKind;
  seen: string;
  next: string | null;
}

/** Events written with what they announce, published right after (conflict: 'outbox'). */
export interface OutboxRecorded extends WriteRecord {
  kind: 'outbox-recorded';
  record: OutboxRecord & { kind: 'outbox' };
}

export type JobRecord = ScheduleSet | ScheduleMoved | OutboxRecorded;
