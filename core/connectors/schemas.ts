// Inputs and outputs of the connectors API: a connector's options as an admin sends them, and what
// the API answers (never a secret after creation).
import * as z from 'zod';
import { ClientId } from '../kernel/schemas';

export const PLATFORMS = ['shopify', 'woocommerce', 'commercetools'] as const;
export type Platform = (typeof PLATFORMS)[number];

const Prefix = z.string().regex(/^[A-Za-z0-9._:@+-]{0,32}$/, 'must be at most 32 letters, digits, . _ : @ + - (no #)');

/** How a connector sends shipping, tax or gift cards sold, and whether they earn for its orders. */
export const CHARGE_POLICIES = ['program', 'earn', 'no-earn', 'exclude'] as const;

export const ConnectorOptions = z.strictObject({
  earnOn: z
    .enum(['created', 'paid', 'fulfilled'])
    .default('paid')
    .describe('When an order earns: once created, once paid (default) or once fulfilled'),
  discounts: z
    .enum(['net', 'gross'])
    .default('net')
    .describe('`net`: earn on prices after line and order discounts (allocated pro rata); `gross`: before them'),
  shipping: z
    .enum(CHARGE_POLICIES)
    .default('program')
    .describe(
      "Shipping: sent as the purchase's shipping and earns as the program's earnOn says (`program`), " +
        'always (`earn`) or never (`no-earn`) for this connector; `exclude`: left out of the purchase',
    ),
  tax: z.enum(CHARGE_POLICIES).default('program').describe('As shipping, for tax'),
  giftCards: z
    .enum(CHARGE_POLICIES)
    .default('program')
    .describe('Gift cards sold: gift-card lines that earn as the program says, always, never, or left out'),
  testOrders: z.enum(['ignore', 'earn']).default('ignore').describe('Shopify test orders (`"test": true`)'),
  members: z
    .strictObject({
      by: z
        .enum(['customer-id', 'email-hash'])
        .default('customer-id')
        .describe("`customer-id`: the platform's customer id is the member id; `email-hash`: always the email hash"),
      prefix: Prefix.default('').describe('Put before a customer id (not before a guest key)'),
      guests: z
        .enum(['email-hash', 'ignore'])
        .default('email-hash')
        .describe('A guest (no customer id) is keyed `guest-<sha256 of the normalised email>`, or earns nothing'),
    })
    .prefault({}),
  orderIdPrefix: Prefix.default('').describe(
    "Put before the platform's order id to make the ledger's order id (empty: the platform's id itself)",
  ),
});
export type ConnectorOptions = z.output<typeof ConnectorOptions>;

const Secret = z.string().min(16, 'must be at least 16 characters').max(256);

export const CreateConnectorInput = z.strictObject({
  platform: z.enum(PLATFORMS),
  secret: Secret.describe(
    "Shopify: the app's client secret (or the store's webhook signing key); WooCommerce: the webhook's secret; " +
      'commercetools: a secret you choose, sent by the relay in `Authorization: Bearer <secret>`',
  ),
  label: z.string().min(1).max(100).optional(),
  options: ConnectorOptions.prefault({}),
});
export type CreateConnectorInput = z.output<typeof CreateConnectorInput>;

export const UpdateConnectorInput = z.strictObject({
  label: z.string().min(1).max(100).optional(),
  options: ConnectorOptions.optional(),
});
export type UpdateConnectorInput = z.output<typeof UpdateConnectorInput>;

export const RotateSecretInput = z.strictObject({
  secret: Secret,
  graceHours: z
    .number()
    .int()
    .min(0)
    .max(720)
    .default(24)
    .describe('How long the previous secret stays valid (Shopify signs with the old secret for a while)'),
});
export type RotateSecretInput = z.output<typeof RotateSecretInput>;

export const ConnectorIdParams = z.strictObject({ connectorId: ClientId });

// ---- Outputs ------------------------------------------------------------------------------

export const ConnectorView = z
  .strictObject({
    connectorId: z.string(),
    platform: z.enum(PLATFORMS),
    label: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    webhookUrl: z.string().describe('Where the platform posts its webhooks (no API key: the signature authenticates)'),
    options: ConnectorOptions,
    secrets: z
      .array(z.strictObject({ addedAt: z.string(), retiresAt: z.string().nullable() }))
      .describe('When each valid secret was added and, for a rotated one, when it stops being accepted'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ConnectorView', description: 'A shop connector (its secrets are never shown)' });

export const ConnectorList = z
  .strictObject({ items: z.array(ConnectorView) })
  .meta({ id: 'ConnectorList', description: "The program's connectors" });

export const DeadLetterView = z
  .strictObject({
    deliveryId: z.string(),
    topic: z.string(),
    reason: z.string(),
    receivedAt: z.string(),
    failedAt: z.string(),
    platformIds: z.record(z.string(), z.string()).describe("The platform's ids in the payload (order, refund, ...)"),
  })
  .meta({ id: 'DeadLetterView', description: 'A delivery that verified but could not be mapped or credited' });

export const DeadLetterPage = z
  .strictObject({ items: z.array(DeadLetterView), nextCursor: z.string().nullable() })
  .meta({ id: 'DeadLetterPage', description: "A page of a connector's dead letters, newest first" });

export const WebhookAccepted = z
  .strictObject({
    received: z.literal(true),
    deliveryId: z.string(),
    duplicate: z.boolean().describe('The same delivery was received before: nothing new was recorded'),
  })
  .meta({
    id: 'WebhookAccepted',
    description: 'The delivery was verified and recorded; it is credited asynchronously',
  });
