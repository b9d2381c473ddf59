import type { Producer } from './domain/producers';
import type { ProgramSettings, Scope, WindfallKeys } from './domain/program';
import type { ThrottleLimits, UsagePlanBinding } from './domain/throttle';

export interface StoredApiKey {
  keyId: string;
  programId: string;
  scopes: Scope[];
  label?: string;
  createdAt: string;
  /** The key stops working at this instant (set at creation, or by a rotation's grace period). */
  expiresAt?: string;
  /** The key stopped working at this instant. */
  revokedAt?: string;
  /** The UTC day the authorizer last let it in (recorded at most once a day). */
  lastUsedOn?: string;
}

/** What ends a key: a revocation now, or an expiry (never later than one already set). */
export type KeyEnding = { revokedAt: string } | { expiresAt: string };

export type ProgramChanges = Partial<Omit<ProgramSettings, 'programId' | 'createdAt' | 'updatedAt'>>;

export interface ProgramStore {
  getProgram(programId: string): Promise<ProgramSettings | null>;
  /** Throws ProgramNotFound when there is no such program. */
  updateProgram(programId: string, changes: ProgramChanges, now: string): Promise<ProgramSettings>;
  /**
   * Stores `keys` as the program's windfall keys unless it has some already; answers the program as
   * stored (so concurrent first draws agree on one key). Throws ProgramNotFound.
   */
  ensureWindfallKeys(programId: string, keys: WindfallKeys): Promise<ProgramSettings>;
  /** Throws ProgramExists when the id is taken. */
  createProgram(settings: ProgramSettings): Promise<void>;
  /**
   * Stores a key by its hash, listed under its program; false when that hash is already stored
   * (nothing is overwritten).
   */
  putApiKey(keyHash: string, key: StoredApiKey): Promise<boolean>;
  getApiKey(keyHash: string): Promise<StoredApiKey | null>;
  /** Every key of the program (a program has a handful), oldest first, never a key's value or hash. */
  listApiKeys(programId: string): Promise<StoredApiKey[]>;
  /** The key as ended; null when the program has no key with this id. */
  endApiKey(programId: string, keyId: string, ending: KeyEnding): Promise<StoredApiKey | null>;
  /** Records that the key was used on `day` (YYYY-MM-DD), if not already recorded for that day or later. */
  touchApiKey(keyHash: string, day: string): Promise<void>;
}

/** A program's registered bus producers. */
export interface ProducerStore {
  /**
   * `freshFor`: read past any cache, for this reason (a source and account about to be refused); a
   * cache may still answer when a read for the same reason happened a moment ago.
   */
  listProducers(programId: string, opts?: { freshFor?: string }): Promise<Producer[]>;
  /** False when this source and account were registered already (nothing changes). */
  addProducer(programId: string, producer: Producer): Promise<boolean>;
  /** False when there was no such registration. */
  removeProducer(programId: string, source: string, account: string | null): Promise<boolean>;
}

/**
 * Where API Gateway enforces each program's limits on AWS: the program's API key, its usage plan on
 * the API's stage, and the link between them.
 */
export interface UsagePlans {
  /**
   * Creates what is missing and brings what exists to `limits`; running it again changes nothing.
   * `known` is the binding stored last time (found again by name when it is gone or absent).
   */
  ensure(programId: string, limits: ThrottleLimits, known?: UsagePlanBinding): Promise<UsagePlanBinding>;
}
