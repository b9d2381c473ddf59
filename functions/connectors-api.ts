import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { apiHandler } from '../adapters/http/api';
import { json } from '../adapters/http/problem';
import { connectorsRoutes } from '../adapters/http/routes/connectors';
import { deps } from '../adapters/runtime/deps';
import { secretBoxFromEnv } from '../adapters/secrets/secret-box';
import {
  createConnector,
  disableConnector,
  getConnector,
  listConnectors,
  listDeadLetters,
  rotateConnectorSecret,
  updateConnector,
} from '../core/connectors/use-cases/manage-connectors';

const { receiveWebhook: _public, ...adminRoutes } = connectorsRoutes;

/**
 * The URL the platform posts to, from how this request reached the API: its host and the stage
 * prefix API Gateway strips from `path` (`/dev`, or none on a custom domain). The local gateway
 * serves at the root over HTTP. CONNECTORS_WEBHOOK_BASE_URL overrides both.
 */
function baseUrlOf(event: APIGatewayProxyEvent): string {
  if (process.env.CONNECTORS_WEBHOOK_BASE_URL) return process.env.CONNECTORS_WEBHOOK_BASE_URL.replace(/\/$/, '');
  const host = event.requestContext?.domainName ?? event.headers?.Host ?? event.headers?.host ?? 'localhost';
  if (/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host)) return `http://${host}`;
  const full = event.requestContext?.path ?? event.path;
  const prefix = full.endsWith(event.path) ? full.slice(0, full.length - event.path.length) : '';
  return `https://${host}${prefix}`;
}

let base = '';
const webhookUrl = (connectorId: string) => `${base}/v1/connectors/${connectorId}/webhooks`;
const manage = () => ({ ...deps(), secrets: secretBoxFromEnv() });

const inner = apiHandler(adminRoutes, {
  createConnector: async (req) => json(201, await createConnector(req.programId, req.body, webhookUrl, manage())),
  listConnectors: async (req) => json(200, await listConnectors(req.programId, webhookUrl, manage())),
  getConnector: async (req) =>
    json(200, await getConnector(req.programId, req.params.connectorId, webhookUrl, manage())),
  updateConnector: async (req) =>
    json(200, await updateConnector(req.programId, req.params.connectorId, req.body, webhookUrl, manage())),
  rotateConnectorSecret: async (req) =>
    json(200, await rotateConnectorSecret(req.programId, req.params.connectorId, req.body, webhookUrl, manage())),
  disableConnector: async (req) =>
    json(200, await disableConnector(req.programId, req.params.connectorId, webhookUrl, manage())),
  listDeadLetters: async (req) =>
    json(200, await listDeadLetters(req.programId, req.params.connectorId, req.query, deps())),
});

// One event at a time per Lambda instance: the base URL of this request is safe in module scope.
export const handler = (event: APIGatewayProxyEvent, context: Context) => {
  base = baseUrlOf(event);
  return inner(event, context);
};
