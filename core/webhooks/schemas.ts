import * as z from 'zod';
import { Timestamp } from '../kernel/schemas';

/** Ours: `wh_` + a ULID. */
export const WebhookId = z.string().regex(/^wh_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a webhookId (wh_ + 26 characters)');
/** Ours: `msg_` + 26 characters (a ULID's time, then a hash of the endpoint and the event). */
export const DeliveryId = z
  .string()
  .regex(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a deliveryId (msg_ + 26 characters)');

const Url = z.string().max(2048).describe('Where deliveries are POSTed: https, a public host');
const EventNames = z
  .array(z.string().max(100))
  .min(1, 'must name at least one event')
  .max(50)
  .describe('Detail-types of published events to receive (docs/api.md#events-we-publish)');
const Description = z.string().trim().max(200).describe('What the endpoint is for');

export const WebhookInput = z
  .strictObject({ url: Url, events: EventNames, description: Description.optional() })
  .describe('A new webhook endpoint');

export const WebhookPatch = z
  .strictObject({
    url: Url.optional(),
    events: EventNames.optional(),
    description: Description.nullable().optional(),
    status: z
      .enum(['enabled', 'disabled'])
      .optional()
      .describe('enabled again after a disable: the failure streak starts over'),
  })
  .describe('What to change; absent fields stay');

export const RotateWebhookInput = z
  .strictObject({
    graceSeconds: z
      .number()
      .int('must be a whole number')
      .min(0)
      .max(7 * 86_400)
      .optional()
      .describe('How long the old secret keeps signing (default 86400; 0: at once)'),
  })
  .describe('Rotation options');

export const WebhookView = z
  .strictObject({
    webhookId: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    status: z.enum(['enabled', 'disabled']),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    failingSince: Timestamp.nullable().describe('When the current streak of failed attempts began'),
    disabledAt: Timestamp.nullable(),
    disabledReason: z.string().nullable(),
    previousSecretExpiresAt: Timestamp.nullable().describe('Until then deliveries are signed with both secrets'),
  })
  .meta({ id: 'Webhook' });

export const CreatedWebhook = WebhookView.extend({
  secret: z.string().describe('whsec_ + base64: verify deliveries with it; shown at creation and rotation only'),
}).meta({ id: 'CreatedWebhook' });

export const WebhookList = z.strictObject({ items: z.array(WebhookView) }).meta({ id: 'WebhookList' });

export const DeliveryAttemptView = z
  .strictObject({
    attemptId: z.string(),
    deliveryId: z.string().describe('The webhook-id header: the same in every attempt of a delivery'),
    eventId: z.string(),
    eventType: z.string(),
    attempt: z.number().int().positive(),
    trigger: z.enum(['scheduled', 'redelivery']),
    attemptedAt: Timestamp,
    statusCode: z.number().int().nullable().describe('Null when no response came'),
    latencyMs: z.number().int().nonnegative(),
    succeeded: z.boolean(),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });

export const DeliveryAttemptPage = z
  .strictObject({ items: z.array(DeliveryAttemptView), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryAttemptPage' });

export const RedeliveryView = z
  .strictObject({
    deliveryId: z.string(),
    status: z.literal('pending'),
    runs: z.number().int().positive().describe('Runs of this delivery so far, this one included'),
  })
  .meta({ id: 'WebhookRedelivery' });
