// A delivery's retry schedule as one Standard execution (infra/constructs/webhooks.ts): named after
// the delivery and the run, so starting it twice starts it once.
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeliveryRuns } from '../../core/webhooks/ports';
import { sfnClient } from './workflows';

export const WEBHOOK_RUNS_ENV = 'WEBHOOK_STATE_MACHINE_ARN';

export function stepFunctionsDeliveryRuns(client = sfnClient): DeliveryRuns {
  return {
    async start(run) {
      const stateMachineArn = process.env[WEBHOOK_RUNS_ENV];
      if (!stateMachineArn) throw new Error(`Missing environment variable ${WEBHOOK_RUNS_ENV}`);
      try {
        await client().send(
          new StartExecutionCommand({
            stateMachineArn,
            name: run.runName,
            input: JSON.stringify({
              programId: run.programId,
              webhookId: run.webhookId,
              deliveryId: run.deliveryId,
              trigger: run.trigger,
              run: run.run,
            }),
          }),
        );
      } catch (err) {
        // The same run, already started (and maybe finished) by an earlier try.
        if (err instanceof ExecutionAlreadyExists) return;
        throw err;
      }
    },
  };
}
