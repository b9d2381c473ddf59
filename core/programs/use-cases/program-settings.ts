// The program settings an admin reads and changes: name, time zone, pending days, return policy,
// auto-enrolment. Settings live on the program item; Lambdas cache them for up to 60 s, so a
// change takes effect within a minute everywhere.
import { type StartJobsDeps, startJobs } from '../../jobs/use-cases/start-jobs';
import { DEFAULT_SUPPORT_ADJUSTMENT_LIMIT, type ProgramSettings } from '../domain/program';
import { DEFAULT_THROTTLE } from '../domain/throttle';
import { ProgramNotFound } from '../errors';
import type { ProgramStore } from '../ports';
import type { ProgramSettingsInput } from '../schemas';
import { updateProgramSettings } from './manage-programs';

export interface ProgramAdminDeps extends StartJobsDeps {
  programs: ProgramStore;
}

export async function programOf(
  programId: string,
  deps: { programs: Pick<ProgramStore, 'getProgram'> },
): Promise<ProgramSettings> {
  const p = await deps.programs.getProgram(programId);
  if (!p) throw new ProgramNotFound(programId);
  return p;
}

/** What an admin sees of the program: everything but internal fields (its limits read-only, no API Gateway key). */
export function programView(p: ProgramSettings) {
  const {
    programId,
    name,
    currency,
    timeZone,
    pointsPerUnit,
    autoEnrol,
    pendingDays,
    latenessDays,
    earnOn,
    amountTolerancePerLine,
    maxPurchaseAmount,
    maxPointsPerTransaction,
    returnPolicy,
    supportAdjustmentLimit,
    expiryPolicy,
    tierSet,
    throttle,
    createdAt,
  } = p;
  return {
    programId,
    name,
    currency,
    timeZone,
    pointsPerUnit,
    autoEnrol,
    pendingDays,
    latenessDays,
    earnOn,
    amountTolerancePerLine,
    maxPurchaseAmount,
    maxPointsPerTransaction,
    returnPolicy,
    supportAdjustmentLimit: supportAdjustmentLimit ?? DEFAULT_SUPPORT_ADJUSTMENT_LIMIT,
    expiryPolicy,
    tierSet,
    throttle: throttle ?? DEFAULT_THROTTLE,
    createdAt,
    updatedAt: p.updatedAt ?? createdAt,
  };
}

export async function getProgramSettings(programId: string, deps: ProgramAdminDeps) {
  return programView(await programOf(programId, deps));
}

/** The same change as the operator CLI (`npm run loyalty -- program set`), plus the activate job's start. */
export async function patchProgramSettings(programId: string, changes: ProgramSettingsInput, deps: ProgramAdminDeps) {
  const updated = await updateProgramSettings(programId, changes, deps);
  if (updated.pendingDays > 0) await startJobs(deps, { activate: ['ACTIVATE'] });
  return programView(updated);
}
