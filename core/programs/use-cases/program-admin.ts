// Program administration for tiers and expiry: the tier set, the expiry policy and the program
// settings they depend on (time zone, pending days, return policy). Settings live on the program
// item; Lambdas cache them for up to 60 s, so a change takes effect within a minute everywhere.
import { z } from 'zod';
import type { Clock } from '../../kernel/clock';
import type { ProgramChanges, ProgramRepository } from '../../../adapters/dynamodb/program-repository';
import type { DueWorkRepository } from '../../../adapters/dynamodb/due-work';
import { TimeZoneInput } from '../../kernel/calendar';
import type { ExpiryPolicy } from '../../expiry/domain/expiry';
import type { TierSet } from '../../tiers/domain/tiers';
import type { ProgramSettings } from '../../ledger/domain/types';
import { ProgramNotFound, TierSetNotConfigured } from '../../kernel/errors';
import { updateProgramSettings } from './manage-programs';

export interface ProgramAdminDeps {
  programs: ProgramRepository;
  due: Pick<DueWorkRepository, 'initCheckpoint'>;
  clock: Clock;
}

/**
 * The jobs that will find work once a program uses a feature, and the index kinds they must read
 * for it (recorded on their checkpoints). A checkpoint that does not exist yet starts today:
 * entries created from now on are due from now on, so a first run need not look a year back.
 */
async function startJobs(deps: ProgramAdminDeps, jobs: Partial<Record<'activate' | 'expire' | 'review' | 'notify', string[]>>): Promise<void> {
  const now = deps.clock.now().toISOString();
  const all = { ...jobs, outbox: ['OUTBOX'] };
  for (const [job, kinds] of Object.entries(all)) await deps.due.initCheckpoint(job, job === 'notify' ? { lastAsOf: now } : { from: now.slice(0, 10) }, kinds);
}

/** PATCH /v1/admin/program: every field optional, at least one. Currency and earning rates belong to other endpoints. */
export const ProgramSettingsInput = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    timeZone: TimeZoneInput,
    autoEnrol: z.boolean(),
    pendingDays: z.int('must be a whole number of days').min(0).max(365),
    returnPolicy: z.enum(['cap-at-balance', 'negative-balance'], { error: 'must be "cap-at-balance" or "negative-balance"' }),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one setting to change' });
export type ProgramSettingsInput = z.infer<typeof ProgramSettingsInput>;

async function program(programId: string, deps: ProgramAdminDeps): Promise<ProgramSettings> {
  const p = await deps.programs.getProgram(programId);
  if (!p) throw new ProgramNotFound(programId);
  return p;
}

const update = (programId: string, changes: ProgramChanges, deps: ProgramAdminDeps) => deps.programs.updateProgram(programId, changes, deps.clock.now().toISOString());

/** What an admin sees of the program: everything but internal fields. */
export function programView(p: ProgramSettings) {
  const { programId, name, currency, timeZone, pointsPerUnit, autoEnrol, pendingDays, returnPolicy, expiryPolicy, tierSet, createdAt, updatedAt } = p;
  return { programId, name, currency, timeZone, pointsPerUnit, autoEnrol, pendingDays, returnPolicy, expiryPolicy, tierSet, createdAt, updatedAt: updatedAt ?? createdAt };
}

export async function getProgramSettings(programId: string, deps: ProgramAdminDeps) {
  return programView(await program(programId, deps));
}

/** The same change as the operator CLI (`npm run loyalty -- program update`), plus the activate job's start. */
export async function patchProgramSettings(programId: string, changes: ProgramSettingsInput, deps: ProgramAdminDeps) {
  const updated = await updateProgramSettings(programId, changes, deps);
  if (updated.pendingDays > 0) await startJobs(deps, { activate: ['ACTIVATE'] });
  return programView(updated);
}

/**
 * Replaces the tier set. Members keep their tier; one whose tier id the new set no longer has is
 * treated as entry tier when earning and placed where their value puts them at their next review.
 */
export async function putTierSet(programId: string, tierSet: TierSet, deps: ProgramAdminDeps) {
  const updated = await update(programId, { tierSet }, deps);
  await startJobs(deps, { review: ['REVIEW'], notify: ['REVIEW'] });
  return { tierSet: updated.tierSet };
}

export async function getTierSet(programId: string, deps: ProgramAdminDeps) {
  const { tierSet } = await program(programId, deps);
  if (!tierSet) throw new TierSetNotConfigured();
  return { tierSet };
}

/** Turns tiers off: no multipliers, no upgrades, and reviews drop their schedules. Members' last tier stays on record. */
export async function deleteTierSet(programId: string, deps: ProgramAdminDeps): Promise<void> {
  await program(programId, deps);
  await update(programId, { tierSet: null }, deps);
}

/**
 * Replaces the expiry policy. It applies to points earned from now on: a lot's expiry date is
 * fixed when it is earned. Under `inactivity` a member's deadline starts with their next earning.
 */
export async function putExpiryPolicy(programId: string, expiryPolicy: ExpiryPolicy, deps: ProgramAdminDeps) {
  const updated = await update(programId, { expiryPolicy }, deps);
  // Dated policies put lots in the EXPIRE index; inactivity puts members in the INACTIVITY index.
  if (expiryPolicy.kind !== 'none') {
    const kind = expiryPolicy.kind === 'inactivity' ? 'INACTIVITY' : 'EXPIRE';
    await startJobs(deps, { expire: [kind], notify: [kind] });
  }
  return { expiryPolicy: updated.expiryPolicy };
}

export async function getExpiryPolicy(programId: string, deps: ProgramAdminDeps) {
  return { expiryPolicy: (await program(programId, deps)).expiryPolicy };
}
