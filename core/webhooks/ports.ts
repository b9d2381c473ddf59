// What the webhooks context needs, in its own terms: the endpoints and their deliveries (DynamoDB),
// an HTTP client that sends one signed request, the durable runs that retry a delivery (a Standard
// state machine on AWS), and name resolution for the SSRF check at creation.
import type { DomainEvent } from '../kernel/events';
import type { Page } from '../kernel/page';

export type EndpointStatus = 'enabled' | 'disabled';

export interface WebhookEndpoint {
  programId: string;
  webhookId: string;
  url: string;
  /** Detail-types of published events this endpoint receives. */
  events: string[];
  description: string | null;
  status: EndpointStatus;
  /** Sealed (SecretBox), bound to the program and the endpoint. */
  secret: string;
  /** The secret a rotation replaced, still signing until previousSecretExpiresAt. */
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the current streak of failed attempts began; null after a success. */
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  /** Optimistic lock of admin changes (health fields change without it). */
  version: number;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

export interface Delivery {
  programId: string;
  webhookId: string;
  /** `webhook-id`: one per (endpoint, event), the same in every attempt and redelivery. */
  deliveryId: string;
  eventId: string;
  eventType: string;
  /** The request body, exactly as signed. */
  payload: string;
  status: DeliveryStatus;
  createdAt: string;
  /** Attempts over every run. */
  attempts: number;
  /** Attempts of the current run: where it is in the retry schedule. */
  runAttempts: number;
  /** Runs started: 1, plus one per redelivery. */
  runs: number;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
}

export type AttemptTrigger = 'scheduled' | 'redelivery';

export interface DeliveryAttempt {
  attemptId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  /** Which attempt of the delivery this was, over every run. */
  attempt: number;
  trigger: AttemptTrigger;
  attemptedAt: string;
  /** Null when no response came (timeout, refused, refused target). */
  statusCode: number | null;
  latencyMs: number;
  succeeded: boolean;
  /** Why it failed, truncated; null on success. */
  error: string | null;
}

export interface WebhookStore {
  listEndpoints(programId: string): Promise<WebhookEndpoint[]>;
  getEndpoint(programId: string, webhookId: string): Promise<WebhookEndpoint | null>;
  createEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  /** The admin fields, if the endpoint is still at `seenVersion` (else WriteConflict); version + 1. */
  updateEndpoint(endpoint: WebhookEndpoint, seenVersion: number): Promise<void>;
  /** Starts the failure streak at `at` unless one runs; answers when it began. */
  markFailing(programId: string, webhookId: string, at: string): Promise<string>;
  markHealthy(programId: string, webhookId: string): Promise<void>;
  /**
   * Disables an enabled endpoint, committing `announce` with the change (the table's stream
   * publishes it); false, and nothing announced, when it was not enabled (someone else did it).
   */
  disable(programId: string, webhookId: string, at: string, reason: string, announce: DomainEvent): Promise<boolean>;

  /** Writes a new delivery; false when it exists already (a retried fan-out). */
  putDelivery(delivery: Delivery): Promise<boolean>;
  getDelivery(programId: string, webhookId: string, deliveryId: string): Promise<Delivery | null>;
  /** The delivery's new state and the attempt that led to it, together, if no other attempt was recorded meanwhile. */
  recordAttempt(delivery: Delivery, attempt: DeliveryAttempt): Promise<void>;
  /** A redelivery or a cancellation: the delivery's new state, if its run count is still `seenRuns`. */
  updateDelivery(delivery: Delivery, seenRuns: number): Promise<void>;
  /** Attempts of an endpoint, newest first. */
  listAttempts(
    programId: string,
    webhookId: string,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<DeliveryAttempt>>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Local runs: http and private addresses allowed. */
  allowPrivate: boolean;
}

export interface WebhookResponse {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export interface WebhookSender {
  /** One POST, no redirect followed; never throws for what the target does. */
  send(request: WebhookRequest): Promise<WebhookResponse>;
}

export interface DeliveryRun {
  programId: string;
  webhookId: string;
  deliveryId: string;
  trigger: AttemptTrigger;
  /** Which run of the delivery (1, then one more per redelivery): an older run stops. */
  run: number;
  /** Unique per delivery and run: starting the same run twice starts it once. */
  runName: string;
}

export interface DeliveryRuns {
  start(run: DeliveryRun): Promise<void>;
}

export interface HostResolver {
  /** Every address the host resolves to (A and AAAA); throws when it does not resolve. */
  resolve(host: string): Promise<string[]>;
}
