// Step Functions task of the jobs state machine: `plan` a run (which partitions of the due index,
// in batches) and `finish` it (save where the next run starts). Scheduled by EventBridge Scheduler.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { deps } from '../adapters/runtime/deps';
import { logger, publishMetrics } from '../adapters/runtime/observability';
import { finishRun, planRun, type RunPlan, type WorkOutput } from '../core/jobs/use-cases/run-job';

/**
 * The state machine passes its whole state as `run`: the execution input to plan, the plan and the batch results to
 * finish.
 */
type PlannerEvent =
  | { step: 'plan'; run: Parameters<typeof planRun>[0] }
  | { step: 'finish'; run: RunPlan & { results: WorkOutput[] } };

export const handler = middy<PlannerEvent, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler(async (event) => {
    if (event.step === 'finish') {
      const summary = await finishRun(event.run, deps());
      logger.info('job run finished', { ...summary });
      return summary;
    }
    const plan = await planRun(event.run, deps());
    logger.info('job run planned', {
      job: plan.job,
      asOf: plan.asOf,
      runId: plan.runId,
      batches: plan.batches.length,
      resume: plan.resume,
    });
    return plan;
  });
