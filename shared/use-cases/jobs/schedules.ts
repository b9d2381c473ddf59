import type { JobDeps } from './context';
import { desiredSchedules } from '../../domain/job-plans';
import { MemberNotFound, ProgramNotFound } from '../../errors';

/**
 * Writes a member's schedule items (tier review, inactivity deadline) from their current state.
 * Ledger writes keep them up to date through `scheduleWrites` (the hook in each write path); this
 * repairs a member written before the hook existed, and sets up members in tests and tools.
 */
export async function syncMemberSchedules(programId: string, memberId: string, deps: Pick<JobDeps, 'ledger' | 'programs' | 'due' | 'clock'>) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  const { member } = await deps.ledger.loadWith(programId, memberId, []);
  if (!member.exists) throw new MemberNotFound(memberId);
  const wanted = desiredSchedules(program, member, deps.clock.now().toISOString());
  if (wanted.review) await deps.due.putSchedule(programId, memberId, 'REVIEW', wanted.review);
  if (wanted.inactivity) await deps.due.putSchedule(programId, memberId, 'INACTIVITY', wanted.inactivity);
  return wanted;
}
