import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { webhooksRoutes } from '../adapters/http/routes/webhooks';
import { webhookDeps } from '../adapters/runtime/webhook-deps';
import { listDeliveryAttempts, redeliver } from '../core/webhooks/use-cases/deliveries';
import {
  createWebhook,
  disableWebhook,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  updateWebhook,
} from '../core/webhooks/use-cases/manage-endpoints';

export const handler = apiHandler(webhooksRoutes, {
  listWebhooks: async (req) => json(200, await listWebhooks(req.programId, webhookDeps())),
  createWebhook: async (req) => json(201, await createWebhook(req.programId, req.body, webhookDeps())),
  getWebhook: async (req) => json(200, await getWebhook(req.programId, req.params.webhookId, webhookDeps())),
  updateWebhook: async (req) =>
    json(200, await updateWebhook(req.programId, req.params.webhookId, req.body, webhookDeps())),
  rotateWebhookSecret: async (req) =>
    json(201, await rotateWebhookSecret(req.programId, req.params.webhookId, req.body, webhookDeps())),
  disableWebhook: async (req) => json(200, await disableWebhook(req.programId, req.params.webhookId, webhookDeps())),
  listWebhookDeliveries: async (req) =>
    json(200, await listDeliveryAttempts(req.programId, req.params.webhookId, req.query, webhookDeps())),
  redeliverWebhook: async (req) =>
    json(202, await redeliver(req.programId, req.params.webhookId, req.params.deliveryId, webhookDeps())),
});
