import * as z from 'zod';
import {
  EngagementInput,
  EngagementResult,
  PurchaseInput,
  PurchaseResult,
  ReturnInput,
  ReturnResult,
} from '../../../core/earning/schemas';
import { ClientId } from '../../../core/kernel/schemas';
import { defineRoutes } from '../route';

const replayHeader = {
  'x-idempotent-replay': '`true` when this is the original answer to an earlier identical request',
};

export const purchasesRoutes = defineRoutes({
  recordPurchase: {
    method: 'POST',
    path: '/v1/purchases',
    scope: 'purchases:write',
    group: 'purchases-api',
    summary: 'Record a purchase: points by the earning rules, exactly once per order id',
    description:
      'Earns on the item lines net of their discounts (`quantity x unitPrice - discount`, less their share of the ' +
      'order `discount`) when items are sent, on `amount` less shipping and tax otherwise. Shipping, tax and ' +
      'gift-card lines earn only if the program says so (`earnOn`). `amount` must equal the lines net of discounts ' +
      'plus shipping and tax (one minor unit per line either way by default), else a 422 naming the fields. The ' +
      'same request again is a 200 replay with the original body; the same order id with a different purchase is a ' +
      '409.',
    body: PurchaseInput,
    responses: {
      201: { description: 'Credited: points, status and the rule-by-rule breakdown', schema: PurchaseResult },
      200: { description: 'A replay: the original result', schema: PurchaseResult, headers: replayHeader },
    },
    problems: [
      'unprocessable',
      'too-late',
      'currency-mismatch',
      'order-conflict',
      'member-not-found',
      'concurrent-update',
    ],
    example: {
      orderId: 'A-1001',
      memberId: 'bob',
      occurredAt: '2026-11-22T10:00:00Z',
      currency: 'USD',
      amount: 2968,
      channel: 'app',
      items: [
        { sku: 'beans', quantity: 1, unitPrice: 1299, category: 'coffee', discount: 130 },
        { sku: 'mug', quantity: 1, unitPrice: 1300 },
      ],
      shipping: 499,
    },
  },
  recordReturn: {
    method: 'POST',
    path: '/v1/purchases/{orderId}/returns',
    scope: 'purchases:write',
    group: 'purchases-api',
    summary: 'Return items, an amount, or cancel the order: its points are clawed back, exactly once per return id',
    params: z.strictObject({ orderId: ClientId.describe('The order id of the purchase') }),
    body: ReturnInput,
    responses: {
      201: { description: 'Recorded: what was taken back, from where, and what was forgiven', schema: ReturnResult },
      200: { description: 'A replay: the original result', schema: ReturnResult, headers: replayHeader },
    },
    problems: ['order-not-found', 'too-late', 'idempotency-conflict', 'unprocessable', 'concurrent-update'],
    example: { returnId: 'R-1', occurredAt: '2026-11-23T09:00:00Z', items: [{ sku: 'mug', quantity: 1 }] },
  },
  recordEngagement: {
    method: 'POST',
    path: '/v1/events',
    scope: 'purchases:write',
    group: 'purchases-api',
    summary:
      'Record an engagement event (a review, a birthday, ...): points by the event rules, exactly once per event id',
    body: EngagementInput,
    responses: {
      201: { description: 'Recorded: points, breakdown, and why rules did not reward it', schema: EngagementResult },
      200: { description: 'A replay: the original result', schema: EngagementResult, headers: replayHeader },
    },
    problems: ['too-late', 'member-not-found', 'idempotency-conflict', 'unprocessable', 'concurrent-update'],
    example: { eventId: 'rev-1', memberId: 'bob', type: 'review.posted', occurredAt: '2026-11-23T09:00:00Z' },
  },
});
