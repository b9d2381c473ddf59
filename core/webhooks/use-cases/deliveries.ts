// What an admin sees of deliveries (every attempt, newest first) and redelivery: the same delivery
// (same webhook-id, same body) through a new run of the whole retry schedule.
import type { Clock } from '../../kernel/clock';
import { retryOnConflict } from '../../kernel/retry';
import { WebhookDeliveryNotFound, WebhookDisabled, WebhookNotFound } from '../errors';
import type { DeliveryRuns, WebhookStore } from '../ports';
import { runName } from './deliver';

export async function listDeliveryAttempts(
  programId: string,
  webhookId: string,
  page: { limit: number; cursor?: string },
  deps: { webhooks: WebhookStore },
) {
  if (!(await deps.webhooks.getEndpoint(programId, webhookId))) throw new WebhookNotFound(webhookId);
  return deps.webhooks.listAttempts(programId, webhookId, { limit: page.limit, cursor: page.cursor ?? null });
}

export async function redeliver(
  programId: string,
  webhookId: string,
  deliveryId: string,
  deps: { webhooks: WebhookStore; runs: DeliveryRuns; clock: Clock },
): Promise<{ deliveryId: string; status: 'pending'; runs: number }> {
  const endpoint = await deps.webhooks.getEndpoint(programId, webhookId);
  if (!endpoint) throw new WebhookNotFound(webhookId);
  if (endpoint.status !== 'enabled') throw new WebhookDisabled(webhookId);
  const runs = await retryOnConflict('webhook delivery', async () => {
    const delivery = await deps.webhooks.getDelivery(programId, webhookId, deliveryId);
    if (!delivery) throw new WebhookDeliveryNotFound(deliveryId);
    const now = deps.clock.now().toISOString();
    await deps.webhooks.updateDelivery(
      { ...delivery, status: 'pending', runAttempts: 0, runs: delivery.runs + 1, nextAttemptAt: now },
      delivery.runs,
    );
    return delivery.runs + 1;
  });
  await deps.runs.start({
    programId,
    webhookId,
    deliveryId,
    trigger: 'redelivery',
    run: runs,
    runName: runName(deliveryId, runs),
  });
  return { deliveryId, status: 'pending', runs };
}
