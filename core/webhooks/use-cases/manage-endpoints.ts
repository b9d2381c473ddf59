// A program's webhook endpoints, managed with an admin key: create (the secret shown once), list,
// get, update, rotate (a new secret; the old one keeps signing for a grace period, so receivers can
// switch), disable. The URL is checked against SSRF at creation and on every change.
import type { Clock } from '../../kernel/clock';
import { type FieldError, ValidationFailed } from '../../kernel/errors';
import { ulid } from '../../kernel/ids';
import { retryOnConflict } from '../../kernel/retry';
import type { SecretBox } from '../../kernel/secrets';
import { newEndpointSecret } from '../domain/signature';
import { checkTargetUrl, refusedAddress } from '../domain/targets';
import { WebhookLimitReached, WebhookNotFound } from '../errors';
import type { HostResolver, WebhookEndpoint, WebhookStore } from '../ports';

export const MAX_ENDPOINTS = 20;
export const DEFAULT_SECRET_GRACE_SECONDS = 86_400;

export interface EndpointDeps {
  webhooks: WebhookStore;
  secrets: SecretBox;
  resolver: HostResolver;
  clock: Clock;
  /** Detail-types an endpoint may subscribe to: the published event catalog. */
  eventTypes: readonly string[];
  allowPrivateTargets: boolean;
}

export interface WebhookView {
  webhookId: string;
  url: string;
  events: string[];
  description: string | null;
  status: 'enabled' | 'disabled';
  createdAt: string;
  updatedAt: string;
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  previousSecretExpiresAt: string | null;
}

export function webhookView(e: WebhookEndpoint, now: string): WebhookView {
  const graceLeft = e.previousSecretExpiresAt && e.previousSecretExpiresAt > now;
  return {
    webhookId: e.webhookId,
    url: e.url,
    events: e.events,
    description: e.description,
    status: e.status,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    failingSince: e.failingSince,
    disabledAt: e.disabledAt,
    disabledReason: e.disabledReason,
    previousSecretExpiresAt: graceLeft ? e.previousSecretExpiresAt : null,
  };
}

/** What the secret is sealed to: a sealed secret copied to another endpoint does not open. */
export const secretContext = (programId: string, webhookId: string) => ({ programId, owner: `webhook:${webhookId}` });

async function checkUrl(url: string, deps: EndpointDeps): Promise<string> {
  const checked = checkTargetUrl(url, deps.allowPrivateTargets);
  if (!checked.ok) throw new ValidationFailed([{ field: 'url', message: checked.reason }]);
  if (deps.allowPrivateTargets) return checked.url.href;
  const host = checked.url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = await deps.resolver.resolve(host);
  } catch {
    throw new ValidationFailed([{ field: 'url', message: `host "${host}" does not resolve` }]);
  }
  const refused = refusedAddress(addresses);
  if (refused)
    throw new ValidationFailed([
      { field: 'url', message: `host "${host}" resolves to a ${refused.class} address (${refused.address})` },
    ]);
  return checked.url.href;
}

function checkEvents(events: string[], eventTypes: readonly string[]): string[] {
  const errors: FieldError[] = [];
  events.forEach((name, i) => {
    if (!eventTypes.includes(name))
      errors.push({
        field: `events[${i}]`,
        message: `is not an event we publish, got "${name}" (known: ${eventTypes.join(', ')})`,
      });
  });
  if (errors.length) throw new ValidationFailed(errors);
  return [...new Set(events)];
}

async function endpointOf(programId: string, webhookId: string, deps: Pick<EndpointDeps, 'webhooks'>) {
  const endpoint = await deps.webhooks.getEndpoint(programId, webhookId);
  if (!endpoint) throw new WebhookNotFound(webhookId);
  return endpoint;
}

export async function createWebhook(
  programId: string,
  input: { url: string; events: string[]; description?: string },
  deps: EndpointDeps,
): Promise<WebhookView & { secret: string }> {
  const events = checkEvents(input.events, deps.eventTypes);
  const url = await checkUrl(input.url, deps);
  if ((await deps.webhooks.listEndpoints(programId)).length >= MAX_ENDPOINTS)
    throw new WebhookLimitReached(MAX_ENDPOINTS);
  const now = deps.clock.now().toISOString();
  const webhookId = `wh_${ulid()}`;
  const secret = newEndpointSecret();
  const endpoint: WebhookEndpoint = {
    programId,
    webhookId,
    url,
    events,
    description: input.description ?? null,
    status: 'enabled',
    secret: await deps.secrets.seal(secret, secretContext(programId, webhookId)),
    previousSecret: null,
    previousSecretExpiresAt: null,
    createdAt: now,
    updatedAt: now,
    failingSince: null,
    disabledAt: null,
    disabledReason: null,
    version: 1,
  };
  await deps.webhooks.createEndpoint(endpoint);
  return { ...webhookView(endpoint, now), secret };
}

export async function listWebhooks(programId: string, deps: Pick<EndpointDeps, 'webhooks' | 'clock'>) {
  const now = deps.clock.now().toISOString();
  const items = await deps.webhooks.listEndpoints(programId);
  return { items: items.sort((a, b) => a.webhookId.localeCompare(b.webhookId)).map((e) => webhookView(e, now)) };
}

export async function getWebhook(programId: string, webhookId: string, deps: Pick<EndpointDeps, 'webhooks' | 'clock'>) {
  return webhookView(await endpointOf(programId, webhookId, deps), deps.clock.now().toISOString());
}

/** Read, change, write under the endpoint's version: a concurrent change makes it read again. */
async function change(
  programId: string,
  webhookId: string,
  deps: Pick<EndpointDeps, 'webhooks' | 'clock'>,
  apply: (e: WebhookEndpoint, now: string) => Promise<WebhookEndpoint>,
): Promise<WebhookEndpoint> {
  return retryOnConflict('webhook endpoint', async () => {
    const current = await endpointOf(programId, webhookId, deps);
    const now = deps.clock.now().toISOString();
    const next = { ...(await apply(current, now)), updatedAt: now };
    await deps.webhooks.updateEndpoint(next, current.version);
    return { ...next, version: current.version + 1 };
  });
}

export async function updateWebhook(
  programId: string,
  webhookId: string,
  patch: { url?: string; events?: string[]; description?: string | null; status?: 'enabled' | 'disabled' },
  deps: EndpointDeps,
): Promise<WebhookView> {
  const events = patch.events && checkEvents(patch.events, deps.eventTypes);
  const url = patch.url !== undefined ? await checkUrl(patch.url, deps) : undefined;
  const updated = await change(programId, webhookId, deps, async (e, now) => {
    const next: WebhookEndpoint = {
      ...e,
      ...(url !== undefined && { url }),
      ...(events && { events }),
      ...(patch.description !== undefined && { description: patch.description }),
    };
    if (patch.status === 'enabled' && e.status === 'disabled')
      Object.assign(next, { status: 'enabled', disabledAt: null, disabledReason: null, failingSince: null });
    if (patch.status === 'disabled' && e.status === 'enabled')
      Object.assign(next, { status: 'disabled', disabledAt: now, disabledReason: 'disabled by an admin' });
    return next;
  });
  return webhookView(updated, deps.clock.now().toISOString());
}

export async function disableWebhook(programId: string, webhookId: string, deps: EndpointDeps) {
  return updateWebhook(programId, webhookId, { status: 'disabled' }, deps);
}

export async function rotateWebhookSecret(
  programId: string,
  webhookId: string,
  input: { graceSeconds?: number },
  deps: EndpointDeps,
): Promise<WebhookView & { secret: string }> {
  const secret = newEndpointSecret();
  const graceSeconds = input.graceSeconds ?? DEFAULT_SECRET_GRACE_SECONDS;
  const context = secretContext(programId, webhookId);
  const sealed = await deps.secrets.seal(secret, context);
  const updated = await change(programId, webhookId, deps, async (e, now) => ({
    ...e,
    secret: sealed,
    previousSecret: graceSeconds > 0 ? e.secret : null,
    previousSecretExpiresAt: graceSeconds > 0 ? new Date(Date.parse(now) + graceSeconds * 1000).toISOString() : null,
  }));
  return { ...webhookView(updated, deps.clock.now().toISOString()), secret };
}
