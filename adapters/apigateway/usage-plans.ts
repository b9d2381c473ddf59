// The UsagePlans port on API Gateway: per program, an API key (its value is what the authorizer
// returns as usageIdentifierKey; clients never see or send it), a usage plan on the API's stage
// with the program's throttle and quota, and the link between them. Everything is found by its
// stored id, or by name (`loyalty-<stage>-<programId>`) when that id is gone or unknown, so a run
// that stopped half-way is finished by the next one and a second run changes nothing.
import {
  type APIGatewayClient,
  type ApiKey,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeyCommand,
  NotFoundException,
  type PatchOperation,
  paginateGetApiKeys,
  paginateGetUsagePlans,
  UpdateApiKeyCommand,
  UpdateUsagePlanCommand,
  type UsagePlan,
} from '@aws-sdk/client-api-gateway';
import type { ThrottleLimits } from '../../core/programs/domain/throttle';
import type { UsagePlans } from '../../core/programs/ports';

export interface ApiGatewayUsagePlansOptions {
  client: APIGatewayClient;
  /** The REST API and stage the plans meter (outputs RestApiId and ApiStageName of the stateless stack). */
  apiId: string;
  stage: string;
}

/** One step of a sync that API Gateway refused; what came before it stays, and the next run resumes. */
export class UsagePlanSyncFailed extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`API Gateway refused to ${step} (${reason})`, { cause });
    this.name = 'UsagePlanSyncFailed';
  }
}

export function usagePlanName(stage: string, programId: string): string {
  return `loyalty-${stage}-${programId}`;
}

/**
 * The patch that brings an existing plan to `limits` on `apiId:stage`; empty when it is there already.
 * API Gateway takes `replace` on each throttle and quota member (present or not), `remove` only on the
 * whole `/quota`, and `add` only on `/apiStages`.
 */
export function planPatch(plan: UsagePlan, limits: ThrottleLimits, apiId: string, stage: string): PatchOperation[] {
  const ops: PatchOperation[] = [];
  if (!plan.apiStages?.some((s) => s.apiId === apiId && s.stage === stage))
    ops.push({ op: 'add', path: '/apiStages', value: `${apiId}:${stage}` });
  const set = (path: string, current: number | string | undefined, wanted: number | string) => {
    if (current !== wanted) ops.push({ op: 'replace', path, value: String(wanted) });
  };
  set('/throttle/rateLimit', plan.throttle?.rateLimit, limits.rateLimit);
  set('/throttle/burstLimit', plan.throttle?.burstLimit, limits.burstLimit);
  if (!limits.quota) {
    if (plan.quota) ops.push({ op: 'remove', path: '/quota' });
  } else {
    set('/quota/limit', plan.quota?.limit, limits.quota.limit);
    set('/quota/period', plan.quota?.period, limits.quota.period);
    // Periods start at 00:00 UTC, weeks on Sunday: what the docs promise and the local gateway counts.
    set('/quota/offset', plan.quota ? (plan.quota.offset ?? 0) : undefined, 0);
  }
  return ops;
}

export function apiGatewayUsagePlans({ client, apiId, stage }: ApiGatewayUsagePlansOptions): UsagePlans {
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw new UsagePlanSyncFailed(what, err);
    }
  };
  const missing = (err: unknown) => {
    if (err instanceof NotFoundException) return undefined;
    throw err;
  };

  async function findKey(name: string, knownId: string | undefined): Promise<ApiKey | undefined> {
    if (knownId) {
      const key = await client.send(new GetApiKeyCommand({ apiKey: knownId, includeValue: true })).catch(missing);
      if (key?.name === name) return key;
    }
    // nameQuery matches by prefix: "loyalty-dev-shop" finds "loyalty-dev-shop2" too.
    for await (const page of paginateGetApiKeys({ client }, { nameQuery: name, includeValues: true, limit: 500 })) {
      const key = page.items?.find((k) => k.name === name);
      if (key) return key;
    }
    return undefined;
  }

  async function findPlan(name: string, knownId: string | undefined): Promise<UsagePlan | undefined> {
    if (knownId) {
      const plan = await client.send(new GetUsagePlanCommand({ usagePlanId: knownId })).catch(missing);
      if (plan?.name === name) return plan;
    }
    for await (const page of paginateGetUsagePlans({ client }, { limit: 500 })) {
      const plan = page.items?.find((p) => p.name === name);
      if (plan) return plan;
    }
    return undefined;
  }

  return {
    async ensure(programId, limits, known) {
      const name = usagePlanName(stage, programId);
      const tags = { 'loyalty:program': programId, 'loyalty:stage': stage };

      let key = await step(`find API key ${name}`, () => findKey(name, known?.apiKeyId));
      if (!key) {
        key = await step(`create API key ${name}`, () =>
          client.send(
            new CreateApiKeyCommand({
              name,
              enabled: true,
              description: `Usage identifier of loyalty program ${programId}: the authorizer returns it, clients never`,
              tags,
            }),
          ),
        );
      } else if (!key.enabled) {
        const id = key.id;
        await step(`enable API key ${name}`, () =>
          client.send(
            new UpdateApiKeyCommand({
              apiKey: id,
              patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }],
            }),
          ),
        );
      }
      const { id: apiKeyId, value: usageKey } = key;
      if (!apiKeyId || !usageKey) throw new UsagePlanSyncFailed(`read API key ${name}`, 'no id or value came back');

      let plan = await step(`find usage plan ${name}`, () => findPlan(name, known?.usagePlanId));
      if (!plan) {
        plan = await step(`create usage plan ${name}`, () =>
          client.send(
            new CreateUsagePlanCommand({
              name,
              description: `Throttle and quota of loyalty program ${programId} on stage ${stage}`,
              apiStages: [{ apiId, stage }],
              throttle: { rateLimit: limits.rateLimit, burstLimit: limits.burstLimit },
              ...(limits.quota && { quota: { limit: limits.quota.limit, period: limits.quota.period, offset: 0 } }),
              tags,
            }),
          ),
        );
      } else {
        const patch = planPatch(plan, limits, apiId, stage);
        const usagePlanId = plan.id;
        if (patch.length)
          await step(`update usage plan ${name}`, () =>
            client.send(new UpdateUsagePlanCommand({ usagePlanId, patchOperations: patch })),
          );
      }
      const usagePlanId = plan.id;
      if (!usagePlanId) throw new UsagePlanSyncFailed(`read usage plan ${name}`, 'no id came back');

      const linked = await step(`read the key of usage plan ${name}`, () =>
        client.send(new GetUsagePlanKeyCommand({ usagePlanId, keyId: apiKeyId })).catch(missing),
      );
      if (!linked)
        await step(`add API key ${name} to its usage plan`, () =>
          client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId: apiKeyId, keyType: 'API_KEY' })),
        );
      return { apiKeyId, usageKey, usagePlanId };
    },
  };
}
