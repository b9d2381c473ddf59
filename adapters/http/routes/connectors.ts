import * as z from 'zod';
import {
  ConnectorIdParams,
  ConnectorList,
  ConnectorView,
  CreateConnectorInput,
  DeadLetterPage,
  RotateSecretInput,
  UpdateConnectorInput,
  WebhookAccepted,
} from '../../../core/connectors/schemas';
import { PageQuery } from '../../../core/kernel/schemas';
import { defineRoutes } from '../route';

/** The largest webhook body taken (Shopify orders with many lines are hundreds of KB). */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export const connectorsRoutes = defineRoutes({
  createConnector: {
    method: 'POST',
    path: '/v1/admin/connectors',
    scope: 'admin',
    group: 'connectors-api',
    summary: 'Connect a shop: its platform, its webhook secret (sealed, never shown again) and the mapping options',
    body: CreateConnectorInput,
    responses: { 201: { description: 'The connector and the URL to give the platform', schema: ConnectorView } },
    problems: [],
    example: { platform: 'shopify', secret: 'shpss_0123456789abcdef', options: { earnOn: 'paid' } },
  },
  listConnectors: {
    method: 'GET',
    path: '/v1/admin/connectors',
    scope: 'admin',
    group: 'connectors-api',
    summary: "The program's connectors (never a secret)",
    responses: { 200: { description: 'Every connector, oldest first', schema: ConnectorList } },
    problems: [],
  },
  getConnector: {
    method: 'GET',
    path: '/v1/admin/connectors/{connectorId}',
    scope: 'admin',
    group: 'connectors-api',
    summary: 'One connector',
    params: ConnectorIdParams,
    responses: { 200: { description: 'The connector', schema: ConnectorView } },
    problems: ['connector-not-found'],
  },
  updateConnector: {
    method: 'PATCH',
    path: '/v1/admin/connectors/{connectorId}',
    scope: 'admin',
    group: 'connectors-api',
    summary: "Change a connector's label or options (the options are replaced whole)",
    params: ConnectorIdParams,
    body: UpdateConnectorInput,
    responses: { 200: { description: 'The connector after the change', schema: ConnectorView } },
    problems: ['connector-not-found', 'concurrent-change'],
    example: { options: { earnOn: 'created', testOrders: 'ignore' } },
  },
  rotateConnectorSecret: {
    method: 'POST',
    path: '/v1/admin/connectors/{connectorId}/rotate-secret',
    scope: 'admin',
    group: 'connectors-api',
    summary: 'Replace the secret; the previous one stays valid for `graceHours`',
    params: ConnectorIdParams,
    body: RotateSecretInput,
    responses: { 200: { description: 'The connector with its secrets (dates only)', schema: ConnectorView } },
    problems: ['connector-not-found', 'concurrent-change'],
    example: { secret: 'shpss_fedcba9876543210', graceHours: 24 },
  },
  disableConnector: {
    method: 'POST',
    path: '/v1/admin/connectors/{connectorId}/disable',
    scope: 'admin',
    group: 'connectors-api',
    summary: 'Disable a connector: its webhook URL answers 410 from now on',
    params: ConnectorIdParams,
    responses: { 200: { description: 'The disabled connector', schema: ConnectorView } },
    problems: ['connector-not-found', 'concurrent-change'],
  },
  listDeadLetters: {
    method: 'GET',
    path: '/v1/admin/connectors/{connectorId}/dead-letters',
    scope: 'admin',
    group: 'connectors-api',
    summary: 'Deliveries that verified but could not be mapped or credited, with the reason, newest first',
    params: ConnectorIdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of dead letters', schema: DeadLetterPage } },
    problems: ['connector-not-found'],
  },
  receiveWebhook: {
    method: 'POST',
    path: '/v1/connectors/{connectorId}/webhooks',
    scope: 'admin',
    auth: 'signature',
    group: 'connectors-webhooks',
    summary: "A platform's webhook, exactly as it sends it: no API key, the signature authenticates it",
    description:
      'Shopify signs with `X-Shopify-Hmac-Sha256`, WooCommerce with `X-WC-Webhook-Signature` (both the base64 ' +
      "HMAC-SHA256 of the raw body under the connector's secret); a commercetools relay sends " +
      '`Authorization: Bearer <secret>`. A verified delivery is recorded once per delivery id and credited ' +
      'asynchronously; a WooCommerce ping (`webhook_id=<n>`, unsigned) gets a 200 and changes nothing. ' +
      'Bodies up to 1 MiB.',
    params: ConnectorIdParams,
    bodyDoc: z.looseObject({}).describe("The platform's payload (order, refund, message), unchanged"),
    responses: { 200: { description: 'Verified and recorded (or a ping)', schema: WebhookAccepted } },
    problems: ['connector-not-found', 'connector-disabled', 'invalid-signature', 'payload-too-large'],
  },
});
