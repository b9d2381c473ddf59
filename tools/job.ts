import '../adapters/runtime/node20';
// `npm run job -- expire --as-of 2027-12-31`: runs a scheduled job against the local stack started
// by `npm start` (read from .local/state.json). It runs the jobs state machine as synthesized
// (infra/constructs/scheduled-jobs.ts) with aws-local-stepfunctions, and its tasks run the real
// handler modules (functions/job-planner.ts, functions/job-worker.ts): the same code as in AWS,
// with the same input EventBridge Scheduler sends ({ job, asOf }).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { asOfInstant, futureRefusal, JOB_NAMES, type RunSummary } from '../core/jobs/use-cases/run-job';
import { createModuleLoader } from '../local/http-gateway';
import type { LocalState } from '../local/start';
import { createLocalStepFunctions } from '../local/step-functions';
import { extractModel, synthTemplates } from '../local/template';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const LOCAL_STATE_FILE = '.local/state.json';

const USAGE = `Runs a scheduled job against the local stack (\`npm start\` must be running).

  npm run job -- <job> [--as-of DATE|INSTANT] [--dry-run] [--allow-future] [--since YYYY-MM-DD] [--json]
                       [--state FILE]

  job       ${JOB_NAMES.join(' | ')}
            activate  pending points whose return window ended become available
            expire    lots past their expiry date; members past their inactivity deadline
            review    tier reviews that came due (downgrades, grace policy)
            notify    Points Expiring notices and Tier Downgrade Warnings
            outbox    events a crashed run recorded but did not publish
            sweep     redemptions left open past their deadline: points and stock go back
  --as-of   the run's "now" (default: now). A date means the end of that day everywhere, in UTC-12
            (2027-12-31 -> 2028-01-01T11:59:59.999Z); an instant is taken as is
  --dry-run decide everything and write nothing: prints what the run would change
  --allow-future
            run as of a future --as-of for real. Only for test tables: it activates pending points and
            expires points ahead of their time, and that cannot be undone (without it a future --as-of
            is refused unless --dry-run)
  --since   read the due index from this day (default: where the last run of this job stopped)
  --state   the local stack's state file (default ${LOCAL_STATE_FILE}, written by \`npm start\`)

Each run prints a progress line, then what it did. Running it again is a no-op.`;

export interface JobRunProgress {
  batches: number;
  batchesDone: number;
  invocations: number;
  totals: Record<string, number>;
}

export interface LocalJobOptions {
  job: string;
  asOf: string;
  since?: string;
  dryRun?: boolean;
  allowFuture?: boolean;
  region?: string;
  onProgress?: (p: JobRunProgress) => void;
  log?: (line: string) => void;
}

/**
 * Runs one job through the synthesized state machine. The handler modules read TABLE_NAME,
 * DYNAMODB_ENDPOINT, EVENTBRIDGE_ENDPOINT and EVENT_BUS_NAME from the environment: set them first.
 */
export async function runJobThroughStateMachine(
  opts: LocalJobOptions,
): Promise<{ status: string; output?: RunSummary; error?: string; cause?: string }> {
  const region = opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const templates = await synthTemplates({ stage: 'local' });
  const model = extractModel(templates, { region });
  const progress: JobRunProgress = { batches: 0, batchesDone: 0, invocations: 0, totals: {} };
  const sfn = await createLocalStepFunctions({
    templates,
    functions: model.functions,
    loadHandler: createModuleLoader(REPO_ROOT),
    region,
    retryIntervalMs: 200,
    log: opts.log,
    intercept: async ({ state }, invoke) => {
      const out = await invoke();
      if (state === 'Plan') progress.batches = out?.batches?.length ?? 0;
      if (state === 'Work') {
        progress.invocations++;
        if (out?.done) {
          progress.batchesDone++;
          for (const [k, v] of Object.entries<number>(out.totals ?? {}))
            progress.totals[k] = (progress.totals[k] ?? 0) + v;
        }
      }
      opts.onProgress?.({ ...progress, totals: { ...progress.totals } });
      return out;
    },
  });
  try {
    const machine = sfn.machines.find((m) => Array.isArray(m.metadata['loyalty:jobs']));
    if (!machine) throw new Error('The synthesized templates have no jobs state machine (loyalty:jobs metadata)');
    const input = {
      job: opts.job,
      asOf: opts.asOf,
      ...(opts.since ? { since: opts.since } : {}),
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.allowFuture ? { allowFuture: true } : {}),
    };
    const { executionArn } = sfn.startExecution(machine.arn, input);
    const record = await sfn.waitForExecution(executionArn);
    return { status: record.status, output: record.output, error: record.error, cause: record.cause };
  } finally {
    await sfn.close();
  }
}

function progressLine(job: string, asOf: string, p: JobRunProgress, startedAt: number): string {
  const t = p.totals;
  const what =
    job === 'expire'
      ? `${t.points ?? 0} points expired (${t.changed ?? 0} writes)`
      : job === 'activate'
        ? `${t.points ?? 0} points activated (${t.changed ?? 0} members)`
        : job === 'review'
          ? `${t.changed ?? 0} tier changes`
          : job === 'notify'
            ? `${t.changed ?? 0} notices`
            : job === 'sweep'
              ? `${t.changed ?? 0} redemptions swept (${t.points ?? 0} points returned)`
              : `${t.changed ?? 0} leftover events`;
  return (
    `${job} as of ${asOf}: batches ${p.batchesDone}/${p.batches || '?'}, ${t.partitions ?? 0} partitions, ` +
    `${t.entries ?? 0} due entries, ${t.members ?? 0} members, ${what}, ${t.events ?? 0} events, ${t.errors ?? 0} ` +
    `errors, ${((Date.now() - startedAt) / 1000).toFixed(1)} s`
  );
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'as-of': { type: 'string' },
      since: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'allow-future': { type: 'boolean' },
      json: { type: 'boolean' },
      state: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const job = positionals[0];
  if (values.help || !job || !(JOB_NAMES as readonly string[]).includes(job)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const stateFile = values.state ?? LOCAL_STATE_FILE;
  if (!existsSync(stateFile)) {
    console.error(`No local stack found (${stateFile} is missing). Start it with \`npm start\` first.`);
    return 1;
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalState;
  Object.assign(process.env, {
    AWS_REGION: state.region,
    TABLE_NAME: state.tableName,
    DYNAMODB_ENDPOINT: state.dynamodbEndpoint,
    EVENTBRIDGE_ENDPOINT: state.eventsEndpoint,
    EVENT_BUS_NAME: state.eventBusName,
    // The handlers' JSON logs and EMF metrics would drown the progress line.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

  const asOf = values['as-of'] ?? new Date().toISOString();
  const dryRun = values['dry-run'] === true;
  const refusal = futureRefusal(asOfInstant(asOf), new Date().toISOString(), dryRun || values['allow-future'] === true);
  if (refusal) {
    console.error(
      `--as-of ${refusal.replace('a dry run', '--dry-run').replace('allow the future', '--allow-future')}.`,
    );
    return 2;
  }
  const startedAt = Date.now();
  const tty = process.stdout.isTTY && !values.json;
  let last = '';
  const result = await runJobThroughStateMachine({
    job,
    asOf,
    since: values.since,
    dryRun,
    allowFuture: values['allow-future'] === true,
    region: state.region,
    log: (line) => console.error(line),
    onProgress: (p) => {
      if (values.json) return;
      const line = progressLine(job, asOf, p, startedAt);
      if (tty) process.stdout.write(`\r\x1b[2K${line}`);
      else if (line !== last && (p.batchesDone === p.batches || p.batchesDone % 8 === 0)) console.log(line);
      last = line;
    },
  });
  if (tty) process.stdout.write('\n');
  if (values.json) console.log(JSON.stringify(result));
  else if (result.status === 'SUCCEEDED' && result.output && dryRun) {
    console.log(
      `${job} as of ${result.output.asOf}: dry run, nothing was written (the totals above are what a run would do).`,
    );
  } else if (result.status === 'SUCCEEDED' && result.output) {
    const s = result.output;
    const where = s.checkpoint.from
      ? `next run reads from ${s.checkpoint.from}`
      : s.checkpoint.lastAsOf
        ? `next notices after ${s.checkpoint.lastAsOf}`
        : 'nothing to read yet: no program has set the policy or tier set this job serves';
    console.log(`${job} as of ${s.asOf}: done. ${where}.`);
    if (s.errorDays.length)
      console.log(`  entries failed on ${s.errorDays.join(', ')} (see the log above); the next run retries them.`);
  } else {
    console.error(`${job} run ${result.status}: ${result.error ?? ''} ${result.cause ?? ''}`);
  }
  return result.status === 'SUCCEEDED' && !result.output?.errorDays?.length ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
