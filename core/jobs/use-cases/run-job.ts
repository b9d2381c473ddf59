// A job run: plan (which days and shards of the due index, in batches) -> work (each batch, as
// many invocations as it takes, each within its time budget) -> finish (checkpoint). In AWS the
// three steps are the states of the jobs state machine (infra/constructs/scheduled-jobs.ts);
// runJob() chains the same functions in-process for tests, the bench and tools.
import * as z from 'zod';
import { expireDueLots, expireInactiveMember } from '../../expiry/use-cases/expire-points';
import { notifyExpiringLots, notifyInactivity, warnDowngrade } from '../../expiry/use-cases/send-notices';
import { MS_PER_DAY, toInstant, toMs } from '../../kernel/calendar';
import { ValidationFailed } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { validate } from '../../kernel/validation';
import { sweepDueRedemption } from '../../rewards/use-cases/sweep-redemptions';
import { reviewMember } from '../../tiers/use-cases/review-tiers';
import { DUE_SHARDS, type DueKind } from '../domain/due-index';
import {
  addDays,
  type DueRange,
  type DueWindow,
  minDay,
  nextConsumingCheckpoint,
  nextNoticeCheckpoint,
  noticeWindows,
  planBatches,
  utcDay,
} from '../domain/job-plans';
import type { DueEntry, OutboxRecord } from '../ports';
import { activateMember } from './activate-points';
import {
  addTotals,
  createContext,
  DEFAULT_JOB_SETTINGS,
  dryRunDeps,
  flushOutbox,
  JOB_NAMES,
  type JobContext,
  type JobDeps,
  type JobName,
  type JobSettings,
  type Outcome,
  type Totals,
  ZERO_TOTALS,
} from './context';

export * from './context';

type Handler = (entry: DueEntry, range: DueRange, ctx: JobContext) => Promise<Outcome>;

/** Which index kinds each job reads, and what it does with an entry of each. */
const HANDLERS: Record<JobName, Partial<Record<string, Handler>>> = {
  activate: { ACTIVATE: (e, _r, ctx) => activateMember(e, ctx) },
  expire: { EXPIRE: (e, _r, ctx) => expireDueLots(e, ctx), INACTIVITY: (e, _r, ctx) => expireInactiveMember(e, ctx) },
  review: { REVIEW: (e, _r, ctx) => reviewMember(e, ctx) },
  notify: { EXPIRE: notifyExpiringLots, INACTIVITY: notifyInactivity, REVIEW: warnDowngrade },
  outbox: {
    OUTBOX: async (e, _r, ctx) => {
      if (e.subject.type !== 'outbox') return { skipped: 1 };
      ctx.publish(e.subject.record);
      return { changed: 1 };
    },
  },
  sweep: { REDEMPTION: (e, _r, ctx) => sweepDueRedemption(e, ctx) },
};

// ---------------------------------------------------------------------------------------
// Input

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * "As of" a bare date means the end of that day everywhere: in the last time zone to finish it
 * (UTC-12), so whatever falls due on that date in any program's time zone is included
 * ("2027-12-31" -> 2028-01-01T11:59:59.999Z). Pass an instant to be exact.
 */
export function asOfInstant(value: string): string {
  return toInstant(toMs(BARE_DATE.test(value) ? `${value}T23:59:59.999-12:00` : value));
}

const Days = z.array(z.int().min(1).max(366)).min(1).max(5);

export const JobSettingsInput = z
  .strictObject({
    noticeDays: Days,
    warningDays: Days,
    outboxGraceSeconds: z.int().min(0).max(86_400),
    maxBatches: z.int().min(1).max(256),
    firstRunLookbackDays: z.int().min(0).max(3_660),
    concurrency: z.int().min(1).max(64),
    pageSize: z.int().min(1).max(1_000),
    dryRun: z.boolean(),
  })
  .partial();

export const JobRunInput = z.strictObject({
  job: z.enum(JOB_NAMES as [JobName, ...JobName[]], { error: `job must be one of ${JOB_NAMES.join(', ')}` }),
  asOf: z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: 'asOf must be a date (YYYY-MM-DD: the end of that day everywhere) or an ISO-8601 instant',
  }),
  /** Read the index from this day on (first run, or to re-scan older days on purpose). */
  since: z.iso.date().optional(),
  settings: JobSettingsInput.optional(),
  /** Decide, count, write nothing. */
  dryRun: z.boolean().optional(),
  /** Run as of a future instant for real: only for test tables (it activates and expires points early, for good). */
  allowFuture: z.boolean().optional(),
});
export type JobRunInput = z.input<typeof JobRunInput>;

// ---------------------------------------------------------------------------------------
// Plan

/** Scheduled runs are as of their scheduled time; a clock a little ahead is not "the future". */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Why a run as of `asOf` must not write: it is ahead of the wall clock, so it would make pending
 * points spendable and expire points before their time, and that cannot be undone.
 */
export function futureRefusal(asOf: string, now: string, allowed: boolean): string | null {
  if (allowed || toMs(asOf) <= toMs(now) + FUTURE_SKEW_MS) return null;
  return (
    `is in the future (${asOf}, now is ${now}): a run as of the future activates and expires points ahead of ` +
    'their time, for good. Use a dry run to see what it would do, or allow the future on a test table'
  );
}

export interface RunPlan {
  job: JobName;
  asOf: string;
  runId: string;
  startedAt: string;
  settings: JobSettings;
  /** The checkpoint as read (the finish step saves only if no other run moved it meanwhile). */
  planned: { from?: string; lastAsOf?: string };
  /** Where this run reads from: the first day (consuming jobs) or the previous asOf (notices). */
  resume: { from?: string; lastAsOf?: string };
  batches: { ranges: DueRange[] }[];
  /** Why the run has nothing to read at all (it then saves no checkpoint). */
  idle?: string;
}

const ENABLED_BY_ADMIN = new Set<JobName>(['expire', 'review', 'notify']);

const KINDS: Record<Exclude<JobName, 'notify'>, string[]> = {
  activate: ['ACTIVATE'],
  expire: ['EXPIRE', 'INACTIVITY'],
  review: ['REVIEW'],
  outbox: ['OUTBOX'],
  sweep: ['REDEMPTION'],
};

/** The outbox job leaves young items to the run that wrote them (it publishes right after its commit). */
const upToOf = (job: JobName, asOf: string, settings: JobSettings) =>
  job === 'outbox' ? toInstant(toMs(asOf) - settings.outboxGraceSeconds * 1000) : asOf;

export async function planRun(raw: JobRunInput, deps: Pick<JobDeps, 'due' | 'clock'>): Promise<RunPlan> {
  const input = validate(JobRunInput, raw);
  const settings: JobSettings = {
    ...DEFAULT_JOB_SETTINGS,
    ...input.settings,
    ...(input.dryRun ? { dryRun: true } : {}),
  };
  const asOf = asOfInstant(input.asOf);
  const startedAt = deps.clock.now().toISOString();
  const checkpoint = await deps.due.getCheckpoint(input.job);
  const base = { job: input.job, asOf, runId: ulid(), startedAt, settings };

  // Expiry, tiers and notices find work only once a program set a policy or a tier set through the
  // admin API, which starts their checkpoints: without one there is nothing to read.
  if (!checkpoint && !input.since && ENABLED_BY_ADMIN.has(input.job)) {
    return {
      ...base,
      planned: {},
      resume: {},
      batches: [],
      idle: 'no program uses this job yet (no expiry policy or tier set was ever set)',
    };
  }
  // Against data, a run ahead of the clock would change it for good: refused unless asked for.
  const future = futureRefusal(asOf, startedAt, settings.dryRun || input.allowFuture === true);
  if (future) throw new ValidationFailed([{ field: 'asOf', message: future }]);

  // Only the kinds some program enabled (see tiers-admin), when the checkpoint knows them.
  const enabled = (kind: string) => !checkpoint?.kinds || checkpoint.kinds.includes(kind);

  if (input.job === 'notify') {
    const maxLead = Math.max(...settings.noticeDays, ...settings.warningDays);
    const lastAsOf = input.since
      ? `${input.since}T00:00:00.000Z`
      : (checkpoint?.lastAsOf ?? toInstant(toMs(asOf) - maxLead * MS_PER_DAY));
    const windows = noticeWindows(
      [
        { kind: 'EXPIRE', leads: settings.noticeDays },
        { kind: 'INACTIVITY', leads: settings.noticeDays },
        { kind: 'REVIEW', leads: settings.warningDays },
      ].filter((w) => enabled(w.kind)),
      lastAsOf,
      asOf,
    );
    const batches = planBatches(windows, undefined, DUE_SHARDS, settings.maxBatches).map((ranges) => ({ ranges }));
    return {
      ...base,
      planned: { ...(checkpoint?.lastAsOf ? { lastAsOf: checkpoint.lastAsOf } : {}) },
      resume: { lastAsOf },
      batches,
    };
  }

  const upTo = upToOf(input.job, asOf, settings);
  const from =
    input.since ?? checkpoint?.from ?? addDays(minDay(utcDay(upTo), utcDay(startedAt)), -settings.firstRunLookbackDays);
  const windows: DueWindow[] = KINDS[input.job].filter(enabled).map((kind) => ({ kind, upTo }));
  const batches = planBatches(windows, from, DUE_SHARDS, settings.maxBatches).map((ranges) => ({ ranges }));
  return { ...base, planned: { ...(checkpoint?.from ? { from: checkpoint.from } : {}) }, resume: { from }, batches };
}

// ---------------------------------------------------------------------------------------
// Work

export interface WorkCursor {
  range: number;
  day: string;
  key?: Record<string, unknown>;
}

export interface WorkInput {
  job: JobName;
  asOf: string;
  runId: string;
  settings: JobSettings;
  ranges: DueRange[];
  cursor?: WorkCursor;
  totals?: Totals;
  errorDays?: string[];
}

export type WorkOutput =
  | (WorkInput & { done: false; cursor: WorkCursor; totals: Totals; errorDays: string[] })
  | { done: true; job: JobName; runId: string; totals: Totals; errorDays: string[] };

export interface Budget {
  /** Milliseconds left in this invocation (Lambda: context.getRemainingTimeInMillis). */
  remainingMs(): number;
  /** Stop starting new pages below this. */
  reserveMs: number;
}

const UNLIMITED: Budget = { remainingMs: () => Number.POSITIVE_INFINITY, reserveMs: 0 };

async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * Reads the batch's partitions page by page and handles each entry. Handled entries leave the
 * index (or move to a later date), so re-reading a partition after a crash resumes where it
 * stopped; when the budget runs low the batch returns a cursor and the next invocation goes on.
 */
export async function work(input: WorkInput, deps: JobDeps, budget: Budget = UNLIMITED): Promise<WorkOutput> {
  const handlers = HANDLERS[input.job];
  let totals = input.totals ?? { ...ZERO_TOTALS };
  const errorDays = new Set(input.errorDays ?? []);
  const buffer: OutboxRecord[] = [];
  if (input.settings.dryRun) deps = dryRunDeps(deps);
  const ctx = createContext(
    { job: input.job, asOf: input.asOf, runId: input.runId, settings: input.settings, deps },
    buffer,
  );
  let day = input.cursor?.day;
  let key = input.cursor?.key;
  // Every invocation reads at least one page, so a batch always progresses whatever the budget.
  let pages = 0;
  for (let r = input.cursor?.range ?? 0; r < input.ranges.length; r++, day = undefined, key = undefined) {
    const range = input.ranges[r]!;
    const handler = handlers[range.kind];
    if (!handler) throw new Error(`job ${input.job} does not handle ${range.kind} entries`);
    for (let d = day ?? range.firstDay; d <= range.lastDay; d = addDays(d, 1), key = undefined) {
      const partition = { kind: range.kind as DueKind, day: d, shard: range.shard };
      do {
        if (pages > 0 && budget.remainingMs() < budget.reserveMs) {
          return {
            ...input,
            done: false,
            cursor: { range: r, day: d, ...(key ? { key } : {}) },
            totals,
            errorDays: [...errorDays],
          };
        }
        const page = await deps.due.page(
          partition,
          { after: range.after, upTo: range.upTo },
          key,
          input.settings.pageSize,
        );
        pages++;
        if (!key) totals = addTotals(totals, { partitions: 1 });
        const outcomes = await pool(page.entries, input.settings.concurrency, (entry) =>
          handler(entry, range, ctx).catch((err: unknown): Partial<Totals> => {
            errorDays.add(d);
            deps.metrics?.count('JobEntryFailed');
            deps.log?.('job entry failed', {
              job: input.job,
              partition: `${range.kind}#${d}#${range.shard}`,
              programId: entry.programId,
              memberId: entry.memberId,
              id: entry.id,
              error: (err as Error).message,
            });
            return { errors: 1 };
          }),
        );
        totals = addTotals(totals, { entries: page.entries.length });
        for (const o of outcomes) totals = addTotals(totals, o as Partial<Totals>);
        const flushed = await flushOutbox(deps, buffer.splice(0), input.job);
        totals = addTotals(totals, { events: flushed.events });
        // The outbox job must not move its checkpoint past a day whose events it could not publish:
        // they would never be read again.
        if (flushed.failed && input.job === 'outbox') errorDays.add(d);
        key = page.next;
      } while (key);
    }
  }
  return { done: true, job: input.job, runId: input.runId, totals, errorDays: [...errorDays].sort() };
}

// ---------------------------------------------------------------------------------------
// Finish

export interface RunSummary {
  job: JobName;
  asOf: string;
  runId: string;
  startedAt: string;
  finishedAt: string;
  batches: number;
  totals: Totals;
  errorDays: string[];
  /**
   * Where the next run starts, and whether it was saved (false: a concurrent run saved its own, or the job is idle).
   */
  checkpoint: { from?: string; lastAsOf?: string; saved: boolean };
  idle?: string;
}

export async function finishRun(
  run: RunPlan & { results: WorkOutput[] },
  deps: Pick<JobDeps, 'due' | 'clock' | 'metrics'>,
): Promise<RunSummary> {
  const totals = run.results.reduce<Totals>((t, r) => addTotals(t, r.totals), { ...ZERO_TOTALS });
  const errorDays = [...new Set(run.results.flatMap((r) => r.errorDays))].sort();
  const unfinished = run.results.some((r) => !r.done);
  const finishedAt = deps.clock.now().toISOString();
  const lastRun = { runId: run.runId, asOf: run.asOf, startedAt: run.startedAt, finishedAt, totals };
  let checkpoint: RunSummary['checkpoint'];
  if (run.idle || run.settings.dryRun) {
    checkpoint = { saved: false };
  } else if (run.job === 'notify') {
    const lastAsOf = nextNoticeCheckpoint(
      run.resume.lastAsOf!,
      run.asOf,
      run.startedAt,
      totals.errors > 0 || unfinished,
    );
    checkpoint = { lastAsOf, saved: await deps.due.saveCheckpoint(run.job, { lastAsOf, lastRun }, run.planned) };
  } else {
    const upTo = upToOf(run.job, run.asOf, run.settings);
    const from = unfinished
      ? run.resume.from!
      : nextConsumingCheckpoint(run.resume.from!, upTo, run.startedAt, errorDays);
    checkpoint = { from, saved: await deps.due.saveCheckpoint(run.job, { from, lastRun }, run.planned) };
  }
  deps.metrics?.count(`Job${run.job[0]!.toUpperCase()}${run.job.slice(1)}Runs`);
  return {
    job: run.job,
    asOf: run.asOf,
    runId: run.runId,
    startedAt: run.startedAt,
    finishedAt,
    batches: run.batches.length,
    totals,
    errorDays,
    checkpoint,
    ...(run.idle ? { idle: run.idle } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// In-process run (tests, bench, tools): the same three steps the state machine runs.

export interface RunOptions {
  /** Parallel batches, like the Map state's MaxConcurrency. */
  concurrency?: number;
  budget?: Budget;
  onProgress?: (p: { batchesDone: number; batches: number; totals: Totals }) => void;
}

export async function runJob(input: JobRunInput, deps: JobDeps, opts: RunOptions = {}): Promise<RunSummary> {
  const plan = await planRun(input, deps);
  let done = 0;
  let running: Totals = { ...ZERO_TOTALS };
  const results = await pool(plan.batches, opts.concurrency ?? 10, async (batch) => {
    let out = await work(
      { job: plan.job, asOf: plan.asOf, runId: plan.runId, settings: plan.settings, ranges: batch.ranges },
      deps,
      opts.budget,
    );
    while (!out.done) out = await work(out, deps, opts.budget);
    done++;
    running = addTotals(running, out.totals);
    opts.onProgress?.({ batchesDone: done, batches: plan.batches.length, totals: running });
    return out;
  });
  return finishRun({ ...plan, results }, deps);
}
