// A delivery is one event for one endpoint. Its id is derived from the two (and the event's time,
// so ids sort as the events happened): a retried fan-out finds the delivery it made, and receivers
// see the same `webhook-id` in every attempt and redelivery, which is what they dedupe on.
import { createHash } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function deliveryIdFor(webhookId: string, eventId: string, occurredAt: string): string {
  let t = Math.max(0, Date.parse(occurredAt) || 0);
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const hash = createHash('sha256').update(`${webhookId}#${eventId}`).digest();
  const tail = Array.from(hash.subarray(0, 16), (b) => CROCKFORD[b % 32]).join('');
  return `msg_${time}${tail}`;
}

/** The body of a delivery: Standard Webhooks' `{ type, timestamp, data }`, with the event's identity beside. */
export function deliveryPayload(event: {
  detailType: string;
  metadata: { eventId: string; version: number; programId: string; occurredAt: string };
  data: unknown;
}): string {
  return JSON.stringify({
    type: event.detailType,
    timestamp: event.metadata.occurredAt,
    eventId: event.metadata.eventId,
    programId: event.metadata.programId,
    version: event.metadata.version,
    data: event.data,
  });
}

export const MAX_ERROR_LENGTH = 300;

export function truncateError(message: string): string {
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH - 1)}…` : message;
}

export const isSuccess = (statusCode: number | null) => statusCode !== null && statusCode >= 200 && statusCode < 300;

/** How long a target has to answer: an answer after 10 s counts as a failure. */
export const DELIVERY_TIMEOUT_MS = 10_000;
