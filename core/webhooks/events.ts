// Events of webhooks.
import * as z from 'zod';
import type { EventDefinition } from '../kernel/events';

export const WebhookEndpointDisabled = {
  detailType: 'Webhook Endpoint Disabled',
  version: 1,
  description:
    'A webhook endpoint was disabled because every attempt to reach it failed for too long (5 days); ' +
    'nothing is sent to it until it is enabled again.',
  schema: z.object({
    webhookId: z.string(),
    url: z.string(),
    failingSince: z.string(),
    disabledAt: z.string(),
    reason: z.string(),
  }),
} as const satisfies EventDefinition;
