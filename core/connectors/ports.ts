// What the connectors context needs: its store (connectors, the inbox of deliveries, dead letters)
// and a durable hand-off of a recorded delivery to the asynchronous worker.
import type { Page } from '../kernel/page';
import type { Connector } from './domain/connector';
import type { OrderEdits } from './domain/order-edits';
import type { Platform } from './schemas';

/** A verified webhook as received, kept until processed (and a while after, for replays by the platform). */
export interface Delivery {
  programId: string;
  connectorId: string;
  /** The platform's delivery id (X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID, a message id), else a body hash. */
  deliveryId: string;
  platform: Platform;
  topic: string;
  receivedAt: string;
  /** The raw body, exactly as signed. */
  body: string;
  status: 'received' | 'credited' | 'ignored' | 'dead';
  note?: string;
}

export interface DeadLetter {
  deliveryId: string;
  topic: string;
  reason: string;
  receivedAt: string;
  failedAt: string;
  platformIds: Record<string, string>;
}

export interface ConnectorStore {
  /** Writes the connector and its place in the program's list; false if the id is taken. */
  createConnector(connector: Connector): Promise<boolean>;
  getConnector(connectorId: string): Promise<Connector | null>;
  listConnectors(programId: string): Promise<Connector[]>;
  /** Replaces the connector if it is still at `seenVersion` (then version + 1); false if it moved on. */
  saveConnector(connector: Connector, seenVersion: number): Promise<boolean>;
  /** Records a delivery once; false when this delivery id was recorded before (nothing written). */
  recordDelivery(delivery: Delivery): Promise<boolean>;
  getDelivery(programId: string, connectorId: string, deliveryId: string): Promise<Delivery | null>;
  settleDelivery(
    programId: string,
    connectorId: string,
    deliveryId: string,
    outcome: { status: Delivery['status']; note: string },
  ): Promise<void>;
  /** What an edited order has credited so far; null until its first edit. */
  getOrderEdits(programId: string, orderId: string): Promise<OrderEdits | null>;
  /** Writes the state at `edits.rev` if the stored one is still at `seenRev` (null: none stored); false otherwise. */
  saveOrderEdits(edits: OrderEdits, seenRev: number | null): Promise<boolean>;
  /** One dead letter per delivery: writing it again replaces it. */
  putDeadLetter(programId: string, connectorId: string, letter: DeadLetter): Promise<void>;
  listDeadLetters(
    programId: string,
    connectorId: string,
    page: { limit: number; cursor?: string },
  ): Promise<Page<DeadLetter>>;
}

export interface DeliveryRef {
  programId: string;
  connectorId: string;
  deliveryId: string;
}

/** Hands a recorded delivery to the worker; throws when it could not (the platform is then told to retry). */
export interface DeliveryQueue {
  enqueue(ref: DeliveryRef): Promise<void>;
}
