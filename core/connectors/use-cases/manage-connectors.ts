// A program's shop connectors, managed with an admin key: create (the secret sealed, never shown
// again), list, get, change the label or options, rotate the secret (the previous one stays valid
// for a grace period, as Shopify rotates an app's secret), disable.
import type { Clock } from '../../kernel/clock';
import { ConcurrentChange } from '../../kernel/errors';
import { randomCode } from '../../kernel/ids';
import type { SecretBox } from '../../kernel/secrets';
import { type Connector, validSecrets } from '../domain/connector';
import { ConnectorNotFound } from '../errors';
import type { ConnectorStore } from '../ports';
import type { CreateConnectorInput, RotateSecretInput, UpdateConnectorInput } from '../schemas';

export interface ManageDeps {
  connectors: ConnectorStore;
  secrets: SecretBox;
  clock: Clock;
}

/** Where a connector's secret is bound: a sealed secret copied to another connector does not open. */
export const secretContext = (c: Pick<Connector, 'programId' | 'connectorId'>) => ({
  programId: c.programId,
  connectorId: c.connectorId,
  purpose: 'connector-secret',
});

export function connectorView(c: Connector, webhookUrl: (connectorId: string) => string, now: string) {
  return {
    connectorId: c.connectorId,
    platform: c.platform,
    label: c.label,
    status: c.status,
    webhookUrl: webhookUrl(c.connectorId),
    options: c.options,
    secrets: validSecrets(c, now).map((s) => ({ addedAt: s.addedAt, retiresAt: s.retiresAt })),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
export type ConnectorView = ReturnType<typeof connectorView>;

export async function createConnector(
  programId: string,
  input: CreateConnectorInput,
  webhookUrl: (connectorId: string) => string,
  deps: ManageDeps,
): Promise<ConnectorView> {
  const now = deps.clock.now().toISOString();
  for (;;) {
    const connectorId = `con-${randomCode(20).toLowerCase()}`;
    const ids = { programId, connectorId };
    const connector: Connector = {
      ...ids,
      platform: input.platform,
      label: input.label ?? null,
      status: 'active',
      options: input.options,
      secrets: [{ sealed: await deps.secrets.seal(input.secret, secretContext(ids)), addedAt: now, retiresAt: null }],
      version: 0,
      createdAt: now,
      updatedAt: now,
    };
    // 100 bits of randomness: a collision draws again rather than failing.
    if (await deps.connectors.createConnector(connector)) return connectorView(connector, webhookUrl, now);
  }
}

/** The program's connector, or not found (another program's connector is not found either). */
export async function loadConnector(programId: string, connectorId: string, deps: Pick<ManageDeps, 'connectors'>) {
  const c = await deps.connectors.getConnector(connectorId);
  if (!c || c.programId !== programId) throw new ConnectorNotFound(connectorId);
  return c;
}

export async function listConnectors(programId: string, webhookUrl: (id: string) => string, deps: ManageDeps) {
  const now = deps.clock.now().toISOString();
  const all = await deps.connectors.listConnectors(programId);
  return { items: all.map((c) => connectorView(c, webhookUrl, now)) };
}

export async function getConnector(
  programId: string,
  connectorId: string,
  webhookUrl: (id: string) => string,
  deps: ManageDeps,
) {
  return connectorView(await loadConnector(programId, connectorId, deps), webhookUrl, deps.clock.now().toISOString());
}

async function change(
  programId: string,
  connectorId: string,
  deps: ManageDeps,
  edit: (c: Connector, now: string) => Promise<Connector> | Connector,
): Promise<Connector> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const c = await loadConnector(programId, connectorId, deps);
    const now = deps.clock.now().toISOString();
    const next = { ...(await edit(c, now)), version: c.version + 1, updatedAt: now };
    if (await deps.connectors.saveConnector(next, c.version)) return next;
  }
  throw new ConcurrentChange(`Connector "${connectorId}"`);
}

export async function updateConnector(
  programId: string,
  connectorId: string,
  input: UpdateConnectorInput,
  webhookUrl: (id: string) => string,
  deps: ManageDeps,
) {
  const c = await change(programId, connectorId, deps, (c) => ({
    ...c,
    ...(input.label !== undefined ? { label: input.label } : {}),
    ...(input.options ? { options: input.options } : {}),
  }));
  return connectorView(c, webhookUrl, deps.clock.now().toISOString());
}

export async function rotateConnectorSecret(
  programId: string,
  connectorId: string,
  input: RotateSecretInput,
  webhookUrl: (id: string) => string,
  deps: ManageDeps,
) {
  const c = await change(programId, connectorId, deps, async (c, now) => {
    const retiresAt = new Date(Date.parse(now) + input.graceHours * 3_600_000).toISOString();
    const kept = validSecrets(c, now).map((s) => ({ ...s, retiresAt: s.retiresAt ?? retiresAt }));
    const sealed = await deps.secrets.seal(input.secret, secretContext(c));
    return { ...c, secrets: [{ sealed, addedAt: now, retiresAt: null }, ...kept.filter((s) => s.retiresAt > now)] };
  });
  return connectorView(c, webhookUrl, deps.clock.now().toISOString());
}

export async function disableConnector(
  programId: string,
  connectorId: string,
  webhookUrl: (id: string) => string,
  deps: ManageDeps,
) {
  const c = await change(programId, connectorId, deps, (c) => ({ ...c, status: 'disabled' as const }));
  return connectorView(c, webhookUrl, deps.clock.now().toISOString());
}

export async function listDeadLetters(
  programId: string,
  connectorId: string,
  page: { limit: number; cursor?: string },
  deps: Pick<ManageDeps, 'connectors'>,
) {
  await loadConnector(programId, connectorId, deps);
  return deps.connectors.listDeadLetters(programId, connectorId, page);
}
