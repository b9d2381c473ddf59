// API Gateway's keys, usage plans and their links on plain maps, with the same find-or-create,
// bring-in-line semantics as the API Gateway adapter: for the use cases' unit tests and for
// anything that wants a program synced without an AWS account.
import { randomBytes } from 'node:crypto';
import type { ThrottleLimits } from '../../core/programs/domain/throttle';
import type { UsagePlans } from '../../core/programs/ports';
import { copy } from './tables';

export interface MemoryApiKey {
  id: string;
  name: string;
  value: string;
  enabled: boolean;
}
export interface MemoryUsagePlan {
  id: string;
  name: string;
  limits: ThrottleLimits;
}

export interface MemoryUsagePlans extends UsagePlans {
  readonly keys: Map<string, MemoryApiKey>;
  readonly plans: Map<string, MemoryUsagePlan>;
  /** `<usagePlanId>/<apiKeyId>` */
  readonly links: Set<string>;
}

export function memoryUsagePlans(stage = 'local'): MemoryUsagePlans {
  const keys = new Map<string, MemoryApiKey>();
  const plans = new Map<string, MemoryUsagePlan>();
  const links = new Set<string>();
  let created = 0;
  const byName = <T extends { name: string }>(items: Map<string, T>, name: string) =>
    [...items.values()].find((i) => i.name === name);

  return {
    keys,
    plans,
    links,
    async ensure(programId, limits, known) {
      const name = `loyalty-${stage}-${programId}`;
      let key = (known && keys.get(known.apiKeyId)) ?? byName(keys, name);
      if (!key) {
        key = { id: `key${++created}`, name, value: randomBytes(20).toString('base64url'), enabled: true };
        keys.set(key.id, key);
      }
      key.enabled = true;
      let plan = (known && plans.get(known.usagePlanId)) ?? byName(plans, name);
      if (!plan) {
        plan = { id: `plan${++created}`, name, limits: copy(limits) };
        plans.set(plan.id, plan);
      } else plan.limits = copy(limits);
      links.add(`${plan.id}/${key.id}`);
      return { apiKeyId: key.id, usageKey: key.value, usagePlanId: plan.id };
    },
  };
}
