import { startJobs } from '../../jobs/use-cases/start-jobs';
import { type ProgramAdminDeps, programOf } from '../../programs/use-cases/program-settings';
import type { ExpiryPolicy } from '../domain/expiry';

/**
 * Replaces the expiry policy. It applies to points earned from now on: a lot's expiry date is
 * fixed when it is earned. Under `inactivity` a member's deadline starts with their next earning.
 */
export async function putExpiryPolicy(programId: string, expiryPolicy: ExpiryPolicy, deps: ProgramAdminDeps) {
  const updated = await deps.programs.updateProgram(programId, { expiryPolicy }, deps.clock.now().toISOString());
  // Dated policies put lots in the EXPIRE index; inactivity puts members in the INACTIVITY index.
  if (expiryPolicy.kind !== 'none') {
    const kind = expiryPolicy.kind === 'inactivity' ? 'INACTIVITY' : 'EXPIRE';
    await startJobs(deps, { expire: [kind], notify: [kind] });
  }
  return { expiryPolicy: updated.expiryPolicy };
}

export async function getExpiryPolicy(programId: string, deps: ProgramAdminDeps) {
  return { expiryPolicy: (await programOf(programId, deps)).expiryPolicy };
}
