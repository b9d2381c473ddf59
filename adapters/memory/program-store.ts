import type { RuleStore } from '../../core/earning/ports';
import { type ProgramSettings, withSettingDefaults } from '../../core/programs/domain/program';
import { DEFAULT_THROTTLE } from '../../core/programs/domain/throttle';
import { ProgramExists, ProgramNotFound } from '../../core/programs/errors';
import type { ProducerStore, ProgramStore } from '../../core/programs/ports';
import { copy, key, type Tables, underPrefix } from './tables';

/** Settings written before a field existed read as its default, as the DynamoDB store reads them. */
function toProgram(p: ProgramSettings): ProgramSettings {
  return copy({ ...p, ...withSettingDefaults(p), throttle: p.throttle ?? DEFAULT_THROTTLE });
}

export function memoryProgramStore(t: Tables): ProgramStore {
  return {
    async getProgram(programId) {
      const p = t.programs.get(programId);
      return p ? toProgram(p) : null;
    },
    async updateProgram(programId, changes, now) {
      const p = t.programs.get(programId);
      if (!p) throw new ProgramNotFound(programId);
      for (const [field, value] of Object.entries(changes)) {
        if (value !== undefined) Object.assign(p, { [field]: copy(value) });
      }
      p.updatedAt = now;
      return toProgram(p);
    },
    async ensureWindfallKeys(programId, keys) {
      const p = t.programs.get(programId);
      if (!p) throw new ProgramNotFound(programId);
      p.windfallKeys ??= copy(keys);
      return toProgram(p);
    },
    async createProgram(settings) {
      if (t.programs.has(settings.programId)) throw new ProgramExists(settings.programId);
      t.programs.set(settings.programId, copy(settings));
    },
    async putApiKey(keyHash, apiKey) {
      if (t.apiKeys.has(keyHash)) return false;
      t.apiKeys.set(keyHash, copy(apiKey));
      return true;
    },
    async getApiKey(keyHash) {
      const k = t.apiKeys.get(keyHash);
      return k ? copy(k) : null;
    },
    async listApiKeys(programId) {
      return [...t.apiKeys.values()]
        .filter((k) => k.programId === programId)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId))
        .map(copy);
    },
    async endApiKey(programId, keyId, ending) {
      const k = [...t.apiKeys.values()].find((x) => x.programId === programId && x.keyId === keyId);
      if (!k) return null;
      if ('revokedAt' in ending) {
        if (!k.revokedAt || k.revokedAt > ending.revokedAt) k.revokedAt = ending.revokedAt;
      } else if (!k.expiresAt || k.expiresAt > ending.expiresAt) k.expiresAt = ending.expiresAt;
      return copy(k);
    },
    async touchApiKey(keyHash, day) {
      const k = t.apiKeys.get(keyHash);
      if (k && (!k.lastUsedOn || k.lastUsedOn < day)) k.lastUsedOn = day;
    },
  };
}

export function memoryRuleStore(t: Tables): RuleStore {
  // Zero-padded, so versions list in order as the DynamoDB sort key lists them.
  const versionKey = (programId: string, ruleId: string, version: number) =>
    key(programId, ruleId, String(version).padStart(6, '0'));

  return {
    async getRuleSet(programId) {
      const set = t.ruleSets.get(programId);
      return { rules: copy(set?.rules ?? []), version: set?.version ?? 0 };
    },
    async saveRule(programId, rule, set, meta) {
      const k = versionKey(programId, rule.ruleId, rule.version);
      const stored = t.ruleSets.get(programId);
      const setUnchanged = set.version === 0 ? stored === undefined : stored?.version === set.version;
      if (t.ruleVersions.has(k) || !setUnchanged) return false;
      const rules = [...set.rules.filter((r) => r.ruleId !== rule.ruleId), rule];
      t.ruleVersions.set(k, copy({ rule, meta }));
      t.ruleSets.set(programId, copy({ rules, version: set.version + 1, updatedAt: meta.changedAt }));
      return true;
    },
    async history(programId, ruleId) {
      return underPrefix(t.ruleVersions, programId, ruleId).map(([, v]) => copy({ ...v.rule, ...v.meta }));
    },
  };
}

/** Producers by program, as the DynamoDB store keeps them (one entry per source and account). */
export function memoryProducerStore(t: Tables): ProducerStore {
  const at = (programId: string, source: string, account: string | null) => key(programId, source, account ?? 'OWN');
  return {
    async listProducers(programId) {
      return underPrefix(t.producers, programId).map(([, p]) => copy(p));
    },
    async addProducer(programId, producer) {
      const k = at(programId, producer.source, producer.account);
      if (t.producers.has(k)) return false;
      t.producers.set(k, copy(producer));
      return true;
    },
    async removeProducer(programId, source, account) {
      return t.producers.delete(at(programId, source, account));
    },
  };
}
