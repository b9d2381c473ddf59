// What every job handler gets: its ports, the run's asOf, a memo of program settings, members
// already handled in this invocation, and the outbox records the page committed.
import type { Clock } from '../../kernel/clock';
import type { DomainEvent, EventPublisher } from '../../kernel/events';
import { ulid } from '../../kernel/ids';
import type { BusinessMetrics } from '../../kernel/metrics';
import type { LedgerStore } from '../../ledger/ports';
import type { ProgramSettings } from '../../programs/domain/program';
import type { ProgramStore } from '../../programs/ports';
import type { CouponStore, RedemptionStore } from '../../rewards/ports';
import type { DueRange } from '../domain/job-plans';
import type { DueEntry, DueWork, OutboxRecord, OutboxRecorded } from '../ports';

export type JobName = 'activate' | 'expire' | 'review' | 'notify' | 'outbox' | 'sweep';
export const JOB_NAMES: readonly JobName[] = ['activate', 'expire', 'review', 'notify', 'outbox', 'sweep'];

export interface JobSettings {
  /** Points Expiring goes out this many days (of 24 h) before each expiry. */
  noticeDays: number[];
  /** Tier Downgrade Warning goes out this many days before a review the member would not pass. */
  warningDays: number[];
  /**
   * The outbox job publishes only items older than this: younger ones are being published by the run that wrote them.
   */
  outboxGraceSeconds: number;
  /** Upper bound of parallel workers (Map iterations) per run. */
  maxBatches: number;
  /** A job's first run (no checkpoint yet) looks this many days back. */
  firstRunLookbackDays: number;
  /** Members handled at once inside one worker. */
  concurrency: number;
  /** Index entries read per Query. */
  pageSize: number;
  /** Decide everything, write nothing: the totals say what a run would change. */
  dryRun: boolean;
}

export const DEFAULT_JOB_SETTINGS: JobSettings = {
  noticeDays: [30, 7],
  warningDays: [14],
  outboxGraceSeconds: 300,
  maxBatches: 32,
  firstRunLookbackDays: 366,
  concurrency: 8,
  pageSize: 100,
  dryRun: false,
};

export interface JobDeps {
  ledger: LedgerStore;
  programs: Pick<ProgramStore, 'getProgram'>;
  due: DueWork;
  /** The sweep job closes redemptions left open (reading the coupon of one whose code was used meanwhile). */
  redemptions: RedemptionStore;
  coupons: Pick<CouponStore, 'getCoupon'>;
  events: EventPublisher;
  clock: Clock;
  metrics?: BusinessMetrics;
  log?: (message: string, data?: Record<string, unknown>) => void;
}

/**
 * The same ports, with every write left out: what a dry run decides is counted, not committed.
 * Handlers stop after one write's worth of a member (the next would read the same state again).
 */
export function dryRunDeps(deps: JobDeps): JobDeps {
  return {
    ...deps,
    ledger: { ...deps.ledger, commit: async () => {} },
    due: {
      ...deps.due,
      moveSchedule: async () => true,
      putSchedule: async () => {},
      claimNotice: async (record) => ((await deps.due.noticeClaimed(record)) ? null : record),
      markPublished: async () => {},
      saveCheckpoint: async () => false,
      initCheckpoint: async () => {},
    },
    events: { publish: async () => {} },
  };
}

/** What handling one index entry did. `points`: expired (expire) or activated (activate). */
export interface Outcome {
  members?: number;
  changed?: number;
  points?: number;
  skipped?: number;
}

export interface Totals {
  partitions: number;
  entries: number;
  members: number;
  changed: number;
  points: number;
  events: number;
  skipped: number;
  errors: number;
}

export const ZERO_TOTALS: Totals = Object.freeze({
  partitions: 0,
  entries: 0,
  members: 0,
  changed: 0,
  points: 0,
  events: 0,
  skipped: 0,
  errors: 0,
});

export function addTotals(a: Totals, b: Partial<Totals>): Totals {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof Totals)[]) out[k] += b[k] ?? 0;
  return out;
}

export interface JobContext {
  job: JobName;
  asOf: string;
  runId: string;
  settings: JobSettings;
  deps: JobDeps;
  /** Settings of a program, read once per invocation. */
  program(programId: string): Promise<ProgramSettings | null>;
  /** True the first time a key is claimed in this invocation: a member-level handler runs once per member. */
  once(key: string): boolean;
  /** Records committed in this page: counted when the page is done (the outbox job publishes what it read). */
  publish(record: OutboxRecord): void;
  /** Wall-clock time of a write, for createdAt/recordedAt (business decisions use asOf). */
  wallNow(): string;
}

export type EntryHandler = (entry: DueEntry, range: DueRange, ctx: JobContext) => Promise<Outcome>;

export function createContext(
  args: { job: JobName; asOf: string; runId: string; settings: JobSettings; deps: JobDeps },
  buffer: OutboxRecord[],
): JobContext {
  const programs = new Map<string, Promise<ProgramSettings | null>>();
  const claimed = new Set<string>();
  return {
    ...args,
    program(programId) {
      let p = programs.get(programId);
      if (!p) {
        p = args.deps.programs.getProgram(programId);
        programs.set(programId, p);
      }
      return p;
    },
    once(key) {
      if (claimed.has(key)) return false;
      claimed.add(key);
      return true;
    },
    publish: (record) => void buffer.push(record),
    wallNow: () => args.deps.clock.now().toISOString(),
  };
}

/**
 * What the page recorded. Its events are committed with their effect (an outbox entry, a notice's
 * guard) and the table's stream publishes them, with the ids they were written with: a run only
 * counts them. The `outbox` job alone publishes, and marks published, what it finds in the index:
 * entries written before the stream published job events. A failure there leaves them for its
 * next run, with the same event ids: `failed` then.
 */
export async function flushOutbox(
  deps: JobDeps,
  records: OutboxRecord[],
  job: JobName,
): Promise<{ events: number; failed: boolean }> {
  if (!records.length) return { events: 0, failed: false };
  const events = records.flatMap((r) => r.events);
  if (job !== 'outbox') return { events: events.length, failed: false };
  try {
    await deps.events.publish(events);
    await deps.due.markPublished(records, deps.clock.now().toISOString());
    return { events: events.length, failed: false };
  } catch (err) {
    deps.metrics?.count('JobEventPublishFailed');
    deps.log?.('publishing outbox entries failed; the next outbox run retries them', {
      error: (err as Error).message,
      records: records.length,
    });
    return { events: 0, failed: true };
  }
}

/** An outbox entry for `events`, to commit with what they announce; the stream publishes it once committed. */
export function outboxEntry(
  ctx: JobContext,
  programId: string,
  memberId: string,
  events: DomainEvent[],
): OutboxRecorded {
  const createdAt = ctx.wallNow();
  return {
    kind: 'outbox-recorded',
    record: { kind: 'outbox', programId, memberId, id: ulid(Date.parse(createdAt)), job: ctx.job, events, createdAt },
  };
}
