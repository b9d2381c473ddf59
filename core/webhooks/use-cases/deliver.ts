// From a published event to signed POSTs. Fan-out: for each enabled endpoint of the event's program
// that subscribed to its type, one delivery (its id derived from the endpoint and the event, so a
// retried fan-out makes none twice) and one durable run of the retry schedule. Attempt: one POST of a
// delivery, recorded (time, status, latency, error), then done, or the time of the next attempt.
import type { Clock } from '../../kernel/clock';
import { domainEvent, type EventMetadata } from '../../kernel/events';
import { ulid } from '../../kernel/ids';
import type { SecretBox } from '../../kernel/secrets';
import { DELIVERY_TIMEOUT_MS, deliveryIdFor, deliveryPayload, isSuccess, truncateError } from '../domain/deliveries';
import { nextAttemptAt, shouldDisable } from '../domain/schedule';
import { signedHeaders } from '../domain/signature';
import { WebhookEndpointDisabled } from '../events';
import type { AttemptTrigger, Delivery, DeliveryRuns, WebhookEndpoint, WebhookSender, WebhookStore } from '../ports';
import { secretContext } from './manage-endpoints';

export interface PublishedEvent {
  detailType: string;
  metadata: EventMetadata;
  data: unknown;
}

export interface FanOutDeps {
  webhooks: WebhookStore;
  runs: DeliveryRuns;
  clock: Clock;
}

/** Runs are named after the delivery (and the run's number after the first), so a retry starts none twice. */
export const runName = (deliveryId: string, run: number) => (run <= 1 ? deliveryId : `${deliveryId}-r${run}`);

export async function fanOut(event: PublishedEvent, deps: FanOutDeps): Promise<{ deliveries: number }> {
  const { programId, eventId, occurredAt } = event.metadata;
  const endpoints = (await deps.webhooks.listEndpoints(programId)).filter(
    (e) => e.status === 'enabled' && e.events.includes(event.detailType),
  );
  const payload = deliveryPayload(event);
  const now = deps.clock.now().toISOString();
  for (const endpoint of endpoints) {
    const deliveryId = deliveryIdFor(endpoint.webhookId, eventId, occurredAt);
    const delivery: Delivery = {
      programId,
      webhookId: endpoint.webhookId,
      deliveryId,
      eventId,
      eventType: event.detailType,
      payload,
      status: 'pending',
      createdAt: now,
      attempts: 0,
      runAttempts: 0,
      runs: 1,
      lastAttemptAt: null,
      nextAttemptAt: now,
    };
    // A delivery written by an earlier try of this fan-out: its run may not have started, start it (once).
    if (!(await deps.webhooks.putDelivery(delivery))) {
      const existing = await deps.webhooks.getDelivery(programId, endpoint.webhookId, deliveryId);
      if (!existing || existing.runs > 1 || existing.attempts > 0) continue;
    }
    await deps.runs.start({
      programId,
      webhookId: endpoint.webhookId,
      deliveryId,
      trigger: 'scheduled',
      run: 1,
      runName: runName(deliveryId, 1),
    });
  }
  return { deliveries: endpoints.length };
}

export interface AttemptDeps {
  webhooks: WebhookStore;
  sender: WebhookSender;
  secrets: SecretBox;
  clock: Clock;
  retryDelaysMs: readonly number[];
  disableAfterMs: number;
  allowPrivateTargets: boolean;
  random?: () => number;
  onPublishError?: (err: unknown) => void;
}

export interface AttemptInput {
  programId: string;
  webhookId: string;
  deliveryId: string;
  trigger: AttemptTrigger;
  run: number;
}

export type AttemptResult =
  | { done: true; status: Delivery['status'] | 'gone' | 'superseded' }
  | { done: false; status: 'pending'; nextAttemptAt: string };

async function signingSecrets(endpoint: WebhookEndpoint, now: string, secrets: SecretBox): Promise<string[]> {
  const context = secretContext(endpoint.programId, endpoint.webhookId);
  const current = await secrets.open(endpoint.secret, context);
  const graceLeft =
    endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now;
  return graceLeft ? [current, await secrets.open(endpoint.previousSecret!, context)] : [current];
}

export async function attemptDelivery(input: AttemptInput, deps: AttemptDeps): Promise<AttemptResult> {
  const { programId, webhookId, deliveryId } = input;
  const [endpoint, delivery] = await Promise.all([
    deps.webhooks.getEndpoint(programId, webhookId),
    deps.webhooks.getDelivery(programId, webhookId, deliveryId),
  ]);
  if (!delivery) return { done: true, status: 'gone' };
  // A redelivery started a newer run: it carries on from here.
  if (delivery.runs !== input.run) return { done: true, status: 'superseded' };
  // A replayed task of a run that already ended: nothing to send.
  if (delivery.status !== 'pending') return { done: true, status: delivery.status };
  if (endpoint?.status !== 'enabled') {
    await deps.webhooks.updateDelivery({ ...delivery, status: 'cancelled', nextAttemptAt: null }, delivery.runs);
    return { done: true, status: 'cancelled' };
  }

  const started = deps.clock.now();
  const nowIso = started.toISOString();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'loyalty-webhooks/1',
    ...signedHeaders(
      await signingSecrets(endpoint, nowIso, deps.secrets),
      deliveryId,
      Math.floor(started.getTime() / 1000),
      delivery.payload,
    ),
  };
  const response = await deps.sender.send({
    url: endpoint.url,
    headers,
    body: delivery.payload,
    timeoutMs: DELIVERY_TIMEOUT_MS,
    allowPrivate: deps.allowPrivateTargets,
  });
  const succeeded = isSuccess(response.statusCode) && response.latencyMs <= DELIVERY_TIMEOUT_MS;
  const error = succeeded
    ? null
    : truncateError(response.error ?? `answered ${response.statusCode} (a 2xx within 10 s counts as received)`);
  const runAttempts = delivery.runAttempts + 1;
  const finishedAt = deps.clock.now();
  const next = succeeded
    ? null
    : nextAttemptAt(deps.retryDelaysMs, runAttempts, finishedAt, (deps.random ?? Math.random)());

  let disabled = false;
  if (succeeded) {
    if (endpoint.failingSince) await deps.webhooks.markHealthy(programId, webhookId);
  } else {
    const failingSince = await deps.webhooks.markFailing(programId, webhookId, nowIso);
    if (shouldDisable(failingSince, finishedAt, deps.disableAfterMs)) {
      const reason = `every attempt failed since ${failingSince}; the last: ${error}`;
      const disabledAt = finishedAt.toISOString();
      disabled = true;
      const announce = domainEvent(
        WebhookEndpointDisabled,
        { webhookId, url: endpoint.url, failingSince, disabledAt, reason: truncateError(reason) },
        { programId, occurredAt: disabledAt },
      );
      await deps.webhooks.disable(programId, webhookId, disabledAt, truncateError(reason), announce);
    }
  }

  const status: Delivery['status'] = succeeded
    ? 'succeeded'
    : next && !disabled
      ? 'pending'
      : disabled
        ? 'cancelled'
        : 'failed';
  await deps.webhooks.recordAttempt(
    {
      ...delivery,
      status,
      attempts: delivery.attempts + 1,
      runAttempts,
      lastAttemptAt: nowIso,
      nextAttemptAt: status === 'pending' ? next!.toISOString() : null,
    },
    {
      attemptId: ulid(started.getTime()),
      deliveryId,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      attempt: delivery.attempts + 1,
      trigger: input.trigger,
      attemptedAt: nowIso,
      statusCode: response.statusCode,
      latencyMs: Math.max(0, Math.round(response.latencyMs)),
      succeeded,
      error,
    },
  );
  return status === 'pending' ? { done: false, status, nextAttemptAt: next!.toISOString() } : { done: true, status };
}
