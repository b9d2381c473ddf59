import { startJobs } from '../../jobs/use-cases/start-jobs';
import { type ProgramAdminDeps, programOf } from '../../programs/use-cases/program-settings';
import type { TierSet } from '../domain/tiers';
import { TierSetNotConfigured } from '../errors';

/**
 * Replaces the tier set. Members keep their tier; one whose tier id the new set no longer has is
 * treated as entry tier when earning and placed where their value puts them at their next review.
 */
export async function putTierSet(programId: string, tierSet: TierSet, deps: ProgramAdminDeps) {
  const updated = await deps.programs.updateProgram(programId, { tierSet }, deps.clock.now().toISOString());
  await startJobs(deps, { review: ['REVIEW'], notify: ['REVIEW'] });
  return { tierSet: updated.tierSet };
}

export async function getTierSet(programId: string, deps: ProgramAdminDeps) {
  const { tierSet } = await programOf(programId, deps);
  if (!tierSet) throw new TierSetNotConfigured();
  return { tierSet };
}

/**
 * Turns tiers off: no multipliers, no upgrades, and reviews drop their schedules. Members' last tier stays on record.
 */
export async function deleteTierSet(programId: string, deps: ProgramAdminDeps): Promise<void> {
  await programOf(programId, deps);
  await deps.programs.updateProgram(programId, { tierSet: null }, deps.clock.now().toISOString());
}
