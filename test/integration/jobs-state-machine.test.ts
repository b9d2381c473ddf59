import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModuleLoader } from '../../local/http-gateway';
import { createLocalStepFunctions, type LocalStepFunctions } from '../../local/step-functions';
import { extractModel, synthTemplates } from '../../local/template';
import { type JobsFixture, jobsFixture } from '../support/jobs';

// The jobs state machine as synthesized (infra/constructs/scheduled-jobs.ts), run with
// aws-local-stepfunctions; its tasks are the real handler modules on DynamoDB Local.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
let f: JobsFixture;
let sfn: LocalStepFunctions;
let bus: Server;
/** What reached the bus directly (PutEvents from a function): nothing, now that the stream publishes. */
const published: { DetailType: string; Detail: string }[] = [];

beforeAll(async () => {
  f = await jobsFixture();
  bus = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const entries = JSON.parse(body).Entries ?? [];
      published.push(...entries);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(
        JSON.stringify({
          FailedEntryCount: 0,
          Entries: entries.map((_: unknown, i: number) => ({ EventId: String(i) })),
        }),
      );
    });
  });
  await new Promise<void>((r) => bus.listen(0, '127.0.0.1', r));
  Object.assign(process.env, {
    TABLE_NAME: f.tableName,
    DYNAMODB_ENDPOINT: f.endpoint,
    EVENTBRIDGE_ENDPOINT: `http://127.0.0.1:${(bus.address() as { port: number }).port}`,
    EVENT_BUS_NAME: 'local-loyalty',
  });

  const templates = await synthTemplates({ stage: 'local' });
  const model = extractModel(templates);
  // A worker with 20 s to live and a 20 s reserve reads one page per invocation (a worker always
  // reads one): the state machine must loop it with the cursor it returns.
  const functions = model.functions.map((fn) =>
    fn.entry === 'functions/job-worker.ts' ? { ...fn, timeoutSeconds: 20 } : fn,
  );
  sfn = await createLocalStepFunctions({
    templates,
    functions,
    loadHandler: createModuleLoader(REPO_ROOT),
    retryIntervalMs: 10,
  });

  await f.program('shop', { expiry: { kind: 'after-earning', months: 1 } });
  for (let i = 0; i < 12; i++) await f.earn('shop', `m${i}`, 10, '2026-05-01T08:00:00.000Z');
}, 120_000);
afterAll(async () => {
  await sfn?.close();
  bus?.close();
  await f?.drop();
});

const machine = () => sfn.machines.find((m) => Array.isArray(m.metadata['loyalty:jobs']))!;

describe('the jobs state machine', () => {
  it('is a Standard machine that plans, fans out over batches and finishes', () => {
    expect(machine().type).toBe('STANDARD');
    expect(
      machine()
        .tasks.map((t) => `${t.state} -> ${t.function.entry}`)
        .sort(),
    ).toEqual([
      'Finish -> functions/job-planner.ts',
      'Plan -> functions/job-planner.ts',
      'Work -> functions/job-worker.ts',
    ]);
  });

  it('runs an expire job end to end, looping workers that ran out of time, and a rerun is a no-op', async () => {
    const input = {
      job: 'expire',
      asOf: '2026-06-01T08:00:00.000Z',
      since: '2026-05-31',
      settings: { pageSize: 1, maxBatches: 2 },
    };

    const run = await sfn.waitForExecution(sfn.startExecution(machine().arn, input).executionArn);

    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({
      job: 'expire',
      batches: 2,
      totals: { changed: 12, points: 120, errors: 0, events: 12 },
      checkpoint: { from: '2026-06-01', saved: true },
    });
    // 16 partitions (2 days x 8 shards) of one page or more each, across the 2 batches.
    expect(run.tasks.filter((t) => t.state === 'Work').length).toBeGreaterThanOrEqual(16);
    // The workers publish nothing themselves: their outbox entries reach the bus through the table's stream.
    expect(published).toEqual([]);
    await f.events.drain();
    expect(f.published('Points Expired')).toHaveLength(12);
    for (let i = 0; i < 12; i++) expect((await f.audit('shop', `m${i}`)).balances.available).toBe(0);

    const rerun = await sfn.waitForExecution(
      sfn.startExecution(machine().arn, { job: 'expire', asOf: '2026-06-01T08:00:00.000Z' }).executionArn,
    );
    // one day x 8 shards of the EXPIRE index
    expect(rerun.output).toMatchObject({ totals: { changed: 0, entries: 0, partitions: 8 } });
    await f.events.drain();
    expect(f.published('Points Expired')).toHaveLength(12);
  }, 120_000);

  it('fails the execution on bad input, before touching anything', async () => {
    const run = await sfn.waitForExecution(
      sfn.startExecution(machine().arn, { job: 'vacuum', asOf: 'yesterday' }).executionArn,
    );
    expect(run.status).toBe('FAILED');
    expect(run.cause).toMatch(/job must be one of/);
  });
});
