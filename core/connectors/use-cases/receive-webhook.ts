// The public end of a connector: the platform's webhook exactly as sent. The signature is checked
// over the raw bytes before anything is parsed; a verified delivery is recorded once (its delivery
// id is the guard) and handed to the worker, and the platform gets its 200 within its timeout.
// Mapping and crediting happen asynchronously (process-delivery.ts).
import type { Clock } from '../../kernel/clock';
import type { SecretBox } from '../../kernel/secrets';
import { validSecrets } from '../domain/connector';
import { deliveryIdOf, isWooCommercePing, SIGNATURE_HEADER, topicOf } from '../domain/deliveries';
import { parseLosslessJson } from '../domain/lossless-json';
import { verifyHmac, verifyToken } from '../domain/signature';
import { BadSignature, ConnectorDisabled, ConnectorNotFound, HandOffFailed } from '../errors';
import type { ConnectorStore, DeliveryQueue } from '../ports';
import { secretContext } from './manage-connectors';

export interface ReceiveDeps {
  connectors: ConnectorStore;
  secrets: SecretBox;
  queue: DeliveryQueue;
  clock: Clock;
  onHandOffError?: (err: unknown) => void;
}

export type Receipt = { kind: 'ping' } | { kind: 'accepted'; deliveryId: string; duplicate: boolean };

export async function receiveWebhook(
  connectorId: string,
  request: { headers: Record<string, string>; body: Buffer },
  deps: ReceiveDeps,
): Promise<Receipt> {
  const connector = await deps.connectors.getConnector(connectorId);
  if (!connector) throw new ConnectorNotFound(connectorId);
  if (connector.status !== 'active') throw new ConnectorDisabled(connectorId);
  const { headers, body } = request;
  if (connector.platform === 'woocommerce' && isWooCommercePing(headers, body)) return { kind: 'ping' };

  const now = deps.clock.now().toISOString();
  const header = SIGNATURE_HEADER[connector.platform];
  const secrets = await Promise.all(
    validSecrets(connector, now).map((s) => deps.secrets.open(s.sealed, secretContext(connector))),
  );
  const presented = headers[header];
  const verified =
    connector.platform === 'commercetools'
      ? verifyToken(presented?.replace(/^Bearer\s+/i, ''), secrets)
      : verifyHmac(body, presented, secrets);
  if (!verified) throw new BadSignature(connector.platform === 'commercetools' ? 'Authorization' : header);

  // Verified: only now is the body read, and only for what identifies the delivery.
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = connector.platform === 'commercetools' ? parseLosslessJson(text) : undefined;
  } catch {
    parsed = undefined; // recorded anyway: the worker dead-letters what it cannot read
  }
  const deliveryId = deliveryIdOf(connector.platform, headers, body, parsed);
  const ref = { programId: connector.programId, connectorId, deliveryId };
  const recorded = await deps.connectors.recordDelivery({
    ...ref,
    platform: connector.platform,
    topic: topicOf(connector.platform, headers, parsed),
    receivedAt: now,
    body: text,
    status: 'received',
  });
  if (!recorded) {
    // A retry of a delivery already processed is a no-op; one still waiting is handed over again
    // (the previous hand-off may have failed), which the worker makes idempotent.
    const seen = await deps.connectors.getDelivery(ref.programId, connectorId, deliveryId);
    if (seen && seen.status !== 'received') return { kind: 'accepted', deliveryId, duplicate: true };
  }
  try {
    await deps.queue.enqueue(ref);
  } catch (err) {
    deps.onHandOffError?.(err);
    throw new HandOffFailed();
  }
  return { kind: 'accepted', deliveryId, duplicate: !recorded };
}
