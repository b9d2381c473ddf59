import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { deps } from '../adapters/runtime/deps';
import { logger, publishMetrics } from '../adapters/runtime/observability';
import { ConcurrentUpdate, DomainError } from '../core/kernel/errors';
import { type RedemptionSnapshot, SAGA_ERRORS, SAGA_STEPS, type SagaStep } from '../core/rewards/domain/rewards';
import {
  InsufficientPoints,
  OutOfStock,
  RedemptionClosed,
  RedemptionLimitReached,
  RedemptionNotFound,
  TooManyLots,
} from '../core/rewards/errors';
import {
  awaitFulfilment,
  compensate,
  confirm,
  issue,
  reservePoints,
  reserveStock,
} from '../core/rewards/use-cases/redemption-saga';

/** What a task of the redemption state machines sends (infra/constructs/redemptions.ts). */
export interface StepEvent {
  step: SagaStep;
  redemption: RedemptionSnapshot;
  /** awaitFulfilment: the token the partner's confirmation answers. */
  taskToken?: string;
  /** compensate: what the Catch caught. */
  error?: { Error?: string; Cause?: string };
}

/**
 * Business refusals keep a stable name the state machine (and the compensation) can tell apart,
 * by the problem each error names; the rest is retried as transient.
 */
const ERROR_NAMES: Record<string, string> = {
  [InsufficientPoints.problem]: SAGA_ERRORS.insufficientPoints,
  [OutOfStock.problem]: SAGA_ERRORS.outOfStock,
  [RedemptionLimitReached.problem]: SAGA_ERRORS.limitReached,
  [RedemptionClosed.problem]: SAGA_ERRORS.closed,
  [RedemptionNotFound.problem]: SAGA_ERRORS.notFound,
  [TooManyLots.problem]: SAGA_ERRORS.tooManyLots,
  // Contention that outlasted the step's own retries: the state machine retries the step.
  [ConcurrentUpdate.problem]: SAGA_ERRORS.transient,
};

function sagaError(err: unknown): Error {
  if (err instanceof DomainError) {
    const e = new Error(err.message);
    e.name = ERROR_NAMES[err.type] ?? 'RedemptionRefused';
    return e;
  }
  const e = new Error(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  e.name = SAGA_ERRORS.transient;
  return e;
}

async function run(event: StepEvent) {
  const d = deps();
  const r = event.redemption;
  switch (event.step) {
    case 'reservePoints':
      return reservePoints(r, d);
    case 'reserveStock':
      return reserveStock(r, d);
    case 'issue':
      return issue(r, d);
    case 'awaitFulfilment':
      if (!event.taskToken) throw new Error('awaitFulfilment needs a taskToken');
      return awaitFulfilment(r, event.taskToken, d);
    case 'confirm':
      return confirm(r, d);
    case 'compensate':
      return compensate(r, event.error, d);
  }
}

/**
 * One function for every step of both redemption state machines: parse -> step use case -> result (or a named error).
 */
export const handler = middy<StepEvent, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishMetrics())
  .handler(async (event) => {
    if (!SAGA_STEPS.includes(event?.step) || !event.redemption?.redemptionId)
      throw new Error(`Not a redemption step: ${JSON.stringify(event).slice(0, 200)}`);
    logger.appendKeys({
      programId: event.redemption.programId,
      redemptionId: event.redemption.redemptionId,
      step: event.step,
      correlationId: event.redemption.correlationId ?? undefined,
    });
    try {
      const result = await run(event);
      logger.info('step done', { step: event.step });
      return result;
    } catch (err) {
      const named = sagaError(err);
      if (named.name === SAGA_ERRORS.transient) logger.error('step failed', err as Error);
      else logger.info('step refused', { step: event.step, error: named.name, detail: named.message });
      throw named;
    }
  });
