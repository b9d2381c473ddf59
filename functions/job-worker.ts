// Step Functions task of the jobs state machine: one batch of due-index partitions, within this
// invocation's time; returns a cursor (done: false) when the batch needs another invocation.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { deps } from '../adapters/runtime/deps';
import { logger, publishMetrics } from '../adapters/runtime/observability';
import { type WorkInput, work } from '../core/jobs/use-cases/run-job';

/** Stop starting pages with this much time left: a page (100 entries) takes well under it. */
const RESERVE_MS = 20_000;

export const handler = middy<WorkInput, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler(async (event, context) => {
    logger.appendKeys({ job: event.job, runId: event.runId });
    const out = await work(
      event,
      { ...deps(), log: (message, data) => logger.warn(message, data ?? {}) },
      {
        remainingMs: () => context.getRemainingTimeInMillis(),
        reserveMs: RESERVE_MS,
      },
    );
    logger.info(out.done ? 'batch done' : 'batch continues in a new invocation', {
      done: out.done,
      totals: out.totals,
    });
    return out;
  });
