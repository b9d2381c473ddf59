import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PUBLISHED_EVENTS } from '../../../adapters/eventbridge/catalog';
import { memoryPublisher } from '../../../adapters/memory/publisher';
import { memoryWebhookStore } from '../../../adapters/memory/webhook-store';
import { localSecretBox } from '../../../adapters/secrets/local-secret-box';
import { fixedClock } from '../../../core/kernel/clock';
import { ValidationFailed } from '../../../core/kernel/errors';
import { WebhookDeliveryNotFound, WebhookDisabled, WebhookNotFound } from '../../../core/webhooks/errors';
import type { DeliveryRun, WebhookRequest, WebhookResponse } from '../../../core/webhooks/ports';
import { type AttemptInput, attemptDelivery, fanOut } from '../../../core/webhooks/use-cases/deliver';
import { listDeliveryAttempts, redeliver } from '../../../core/webhooks/use-cases/deliveries';
import {
  createWebhook,
  disableWebhook,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  updateWebhook,
} from '../../../core/webhooks/use-cases/manage-endpoints';

const DAY = 86_400_000;

/** standardwebhooks checks the timestamp against Date.now(): verify as of the fixture's clock. */
const verifyAt = (at: Date, secret: string, req: WebhookRequest) => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
  return new Webhook(secret).verify(req.body, req.headers);
};
afterEach(() => void vi.useRealTimers());

function fixture(opts: { allowPrivate?: boolean; resolves?: Record<string, string[]> } = {}) {
  const webhooks = memoryWebhookStore();
  const clock = fixedClock('2026-12-01T10:00:00.000Z');
  const runs: DeliveryRun[] = [];
  const sent: WebhookRequest[] = [];
  const answers: WebhookResponse[] = [];
  const events = memoryPublisher();
  const deps = {
    webhooks,
    clock,
    events,
    secrets: localSecretBox(randomBytes(32)),
    resolver: {
      resolve: async (host: string) => {
        const found = opts.resolves?.[host];
        if (!found) throw new Error(`ENOTFOUND ${host}`);
        return found;
      },
    },
    eventTypes: PUBLISHED_EVENTS.map((e) => e.detailType),
    allowPrivateTargets: opts.allowPrivate ?? false,
    runs: { start: async (run: DeliveryRun) => void runs.push(run) },
    sender: {
      send: async (req: WebhookRequest) => {
        sent.push(req);
        return answers.shift() ?? { statusCode: 200, latencyMs: 12, error: null };
      },
    },
    retryDelaysMs: [0, 1_000, 60_000],
    disableAfterMs: 5 * DAY,
    random: () => 0.5,
  };
  return { deps, webhooks, clock, runs, sent, answers, events };
}

const pointsEarned = (eventId = '01KB2YQ6Z3Q8D7C6XW1Y6S5E0T', programId = 'p') => ({
  detailType: 'Points Earned',
  metadata: { eventId, version: 1, programId, occurredAt: '2026-12-01T09:59:59.000Z' },
  data: { memberId: 'alice', points: 120 },
});

const PUBLIC = { 'hooks.example.com': ['93.184.216.34'] };

async function endpoint(f: ReturnType<typeof fixture>, events = ['Points Earned']) {
  return createWebhook('p', { url: 'https://hooks.example.com/in', events }, f.deps);
}

const runInput = (run: DeliveryRun): AttemptInput => ({
  programId: run.programId,
  webhookId: run.webhookId,
  deliveryId: run.deliveryId,
  trigger: run.trigger,
  run: run.run,
});

describe('webhook endpoints', () => {
  it('are created with a whsec_ secret shown once and stored sealed', async () => {
    const f = fixture({ resolves: PUBLIC });
    const created = await endpoint(f);
    expect(created).toMatchObject({
      url: 'https://hooks.example.com/in',
      events: ['Points Earned'],
      status: 'enabled',
    });
    expect(created.secret).toMatch(/^whsec_/);
    const stored = f.webhooks.tables.endpoints.get(`p/${created.webhookId}`)!;
    expect(stored.secret).not.toContain(created.secret.slice(6));
    expect(await getWebhook('p', created.webhookId, f.deps)).not.toHaveProperty('secret');
    expect((await listWebhooks('p', f.deps)).items.map((e) => e.webhookId)).toEqual([created.webhookId]);
  });

  it('refuse an event we do not publish, naming events[i]', async () => {
    const f = fixture({ resolves: PUBLIC });
    const err = await createWebhook(
      'p',
      { url: 'https://hooks.example.com/in', events: ['Points Earned', 'Points Eraned'] },
      f.deps,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationFailed);
    expect(err.errors).toEqual([{ field: 'events[1]', message: expect.stringContaining('"Points Eraned"') }]);
    expect(f.webhooks.tables.endpoints.size).toBe(0);
  });

  it('refuse on AWS a host that resolves to a private address (and allow it locally)', async () => {
    const f = fixture({ resolves: { 'evil.example.com': ['93.184.216.34', '169.254.169.254'] } });
    const err = await createWebhook('p', { url: 'https://evil.example.com/', events: ['Points Earned'] }, f.deps).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ValidationFailed);
    expect(err.errors[0]).toEqual({ field: 'url', message: expect.stringContaining('metadata') });
    const local = fixture({ allowPrivate: true });
    await expect(
      createWebhook('p', { url: 'http://127.0.0.1:9/', events: ['Points Earned'] }, local.deps),
    ).resolves.toMatchObject({ status: 'enabled' });
  });

  it('answer unknown ids with WebhookNotFound', async () => {
    const f = fixture();
    await expect(getWebhook('p', 'wh_01KB2YQ6Z3Q8D7C6XW1Y6S5E0T', f.deps)).rejects.toBeInstanceOf(WebhookNotFound);
    await expect(updateWebhook('p', 'wh_01KB2YQ6Z3Q8D7C6XW1Y6S5E0T', {}, f.deps)).rejects.toBeInstanceOf(
      WebhookNotFound,
    );
  });

  it("do not reach across programs: another program's id is unknown", async () => {
    const f = fixture({ resolves: PUBLIC });
    const created = await endpoint(f);
    await expect(getWebhook('other', created.webhookId, f.deps)).rejects.toBeInstanceOf(WebhookNotFound);
  });
});

describe('fan-out', () => {
  it('makes one delivery per subscribed, enabled endpoint of the event program, and one run each', async () => {
    const f = fixture({ resolves: PUBLIC });
    const a = await endpoint(f, ['Points Earned']);
    await endpoint(f, ['Tier Changed']);
    const off = await endpoint(f, ['Points Earned']);
    await disableWebhook('p', off.webhookId, f.deps);
    expect(await fanOut(pointsEarned(), f.deps)).toEqual({ deliveries: 1 });
    expect(await fanOut(pointsEarned('01KB2YQ6Z3Q8D7C6XW1Y6S5E0V', 'other'), f.deps)).toEqual({ deliveries: 0 });
    expect(f.runs).toHaveLength(1);
    expect(f.runs[0]).toMatchObject({ webhookId: a.webhookId, trigger: 'scheduled', run: 1 });
  });

  it('makes nothing twice when the same event comes again (a retried invocation)', async () => {
    const f = fixture({ resolves: PUBLIC });
    await endpoint(f);
    await fanOut(pointsEarned(), f.deps);
    await fanOut(pointsEarned(), f.deps);
    expect(f.webhooks.tables.deliveries.size).toBe(1);
    // The run is started again by name (starting it twice starts it once), not a second delivery.
    expect(new Set(f.runs.map((r) => r.runName)).size).toBe(1);
  });
});

describe('attempts', () => {
  it('POST the event as { type, timestamp, data }, signed so that standardwebhooks verifies it', async () => {
    const f = fixture({ resolves: PUBLIC });
    const { secret } = await endpoint(f);
    await fanOut(pointsEarned(), f.deps);
    expect(await attemptDelivery(runInput(f.runs[0]!), f.deps)).toEqual({ done: true, status: 'succeeded' });
    const [req] = f.sent;
    const payload = verifyAt(f.clock.now(), secret, req!) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'Points Earned',
      timestamp: '2026-12-01T09:59:59.000Z',
      eventId: '01KB2YQ6Z3Q8D7C6XW1Y6S5E0T',
      data: { memberId: 'alice', points: 120 },
    });
    expect(req!.headers['webhook-id']).toBe(f.runs[0]!.deliveryId);
    expect(req!.timeoutMs).toBe(10_000);
  });

  it('keep the webhook-id across retries, follow the schedule, and record every attempt', async () => {
    const f = fixture({ resolves: PUBLIC });
    const { webhookId } = await endpoint(f);
    await fanOut(pointsEarned(), f.deps);
    f.answers.push(
      { statusCode: 503, latencyMs: 30, error: null },
      { statusCode: null, latencyMs: 10_000, error: 'timeout' },
    );
    const input = runInput(f.runs[0]!);
    const first = await attemptDelivery(input, f.deps);
    expect(first).toEqual({ done: false, status: 'pending', nextAttemptAt: '2026-12-01T10:00:01.000Z' });
    f.clock.set(first.done ? '' : first.nextAttemptAt);
    const second = await attemptDelivery(input, f.deps);
    expect(second).toMatchObject({ done: false, nextAttemptAt: '2026-12-01T10:01:01.000Z' });
    f.clock.advance(60_000);
    expect(await attemptDelivery(input, f.deps)).toEqual({ done: true, status: 'succeeded' });
    expect(new Set(f.sent.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const page = await listDeliveryAttempts('p', webhookId, { limit: 10 }, f.deps);
    expect(page.items.map((a) => [a.attempt, a.statusCode, a.succeeded])).toEqual([
      [3, 200, true],
      [2, null, false],
      [1, 503, false],
    ]);
    expect(page.items[1]!.error).toBe('timeout');
    expect((await getWebhook('p', webhookId, f.deps)).failingSince).toBeNull();
  });

  it('give up as failed when the schedule is spent', async () => {
    const f = fixture({ resolves: PUBLIC });
    await endpoint(f);
    await fanOut(pointsEarned(), f.deps);
    f.answers.push(...[1, 2, 3].map(() => ({ statusCode: 500, latencyMs: 5, error: null })));
    const input = runInput(f.runs[0]!);
    for (let i = 0; i < 2; i++) expect((await attemptDelivery(input, f.deps)).done).toBe(false);
    expect(await attemptDelivery(input, f.deps)).toEqual({ done: true, status: 'failed' });
    // A replayed task of a finished run sends nothing.
    expect(await attemptDelivery(input, f.deps)).toEqual({ done: true, status: 'failed' });
    expect(f.sent).toHaveLength(3);
  });

  it('disable an endpoint failing for five days, once, with a Webhook Endpoint Disabled event', async () => {
    const f = fixture({ resolves: PUBLIC });
    const { webhookId } = await endpoint(f);
    await fanOut(pointsEarned(), f.deps);
    f.answers.push({ statusCode: 500, latencyMs: 5, error: null }, { statusCode: 500, latencyMs: 5, error: null });
    await attemptDelivery(runInput(f.runs[0]!), f.deps);
    f.clock.advance(5 * DAY);
    expect(await attemptDelivery(runInput(f.runs[0]!), f.deps)).toEqual({ done: true, status: 'cancelled' });
    const view = await getWebhook('p', webhookId, f.deps);
    expect(view).toMatchObject({ status: 'disabled', failingSince: '2026-12-01T10:00:00.000Z' });
    // Announced with the change (the stream publishes it), once.
    expect(f.deps.webhooks.announced.map((e) => e.detailType)).toEqual(['Webhook Endpoint Disabled']);
    expect(f.deps.webhooks.announced[0]!.detail.data).toMatchObject({
      webhookId,
      failingSince: '2026-12-01T10:00:00.000Z',
    });
    // Nothing more goes to it; a new event makes no delivery.
    expect(await fanOut(pointsEarned('01KB2YQ6Z3Q8D7C6XW1Y6S5E0X'), f.deps)).toEqual({ deliveries: 0 });
  });

  it('sign with both secrets during a rotation grace, then with the new one only', async () => {
    const f = fixture({ resolves: PUBLIC });
    const { webhookId, secret: old } = await endpoint(f);
    const { secret: fresh, previousSecretExpiresAt } = await rotateWebhookSecret(
      'p',
      webhookId,
      { graceSeconds: 3600 },
      f.deps,
    );
    expect(previousSecretExpiresAt).toBe('2026-12-01T11:00:00.000Z');
    await fanOut(pointsEarned(), f.deps);
    await attemptDelivery(runInput(f.runs[0]!), f.deps);
    const during = f.sent[0]!;
    expect(verifyAt(f.clock.now(), old, during)).toBeTruthy();
    expect(verifyAt(f.clock.now(), fresh, during)).toBeTruthy();
    f.clock.advance(3600_000);
    await fanOut(pointsEarned('01KB2YQ6Z3Q8D7C6XW1Y6S5E0Y'), f.deps);
    await attemptDelivery(runInput(f.runs[1]!), f.deps);
    const after = f.sent[1]!;
    expect(() => verifyAt(f.clock.now(), old, after)).toThrow(/signature/);
    expect(verifyAt(f.clock.now(), fresh, after)).toBeTruthy();
  });
});

describe('redelivery', () => {
  it('sends the same delivery again through a new run, and the older run stops', async () => {
    const f = fixture({ resolves: PUBLIC });
    const { webhookId } = await endpoint(f);
    await fanOut(pointsEarned(), f.deps);
    await attemptDelivery(runInput(f.runs[0]!), f.deps);
    const { deliveryId } = f.runs[0]!;
    expect(await redeliver('p', webhookId, deliveryId, f.deps)).toEqual({ deliveryId, status: 'pending', runs: 2 });
    expect(f.runs[1]).toMatchObject({ trigger: 'redelivery', run: 2, runName: `${deliveryId}-r2` });
    expect(await attemptDelivery(runInput(f.runs[0]!), f.deps)).toEqual({ done: true, status: 'superseded' });
    expect(await attemptDelivery(runInput(f.runs[1]!), f.deps)).toEqual({ done: true, status: 'succeeded' });
    expect(f.sent.map((r) => r.headers['webhook-id'])).toEqual([deliveryId, deliveryId]);
    const [latest] = (await listDeliveryAttempts('p', webhookId, { limit: 1 }, f.deps)).items;
    expect(latest).toMatchObject({ attempt: 2, trigger: 'redelivery' });
  });

  it('answers unknown deliveries and disabled endpoints with their problems', async () => {
    const f = fixture({ resolves: PUBLIC });
    const { webhookId } = await endpoint(f);
    await expect(redeliver('p', webhookId, 'msg_01KB2YQ6Z3Q8D7C6XW1Y6S5E0T', f.deps)).rejects.toBeInstanceOf(
      WebhookDeliveryNotFound,
    );
    await disableWebhook('p', webhookId, f.deps);
    await expect(redeliver('p', webhookId, 'msg_01KB2YQ6Z3Q8D7C6XW1Y6S5E0T', f.deps)).rejects.toBeInstanceOf(
      WebhookDisabled,
    );
    expect(f.runs).toHaveLength(0);
  });
});
