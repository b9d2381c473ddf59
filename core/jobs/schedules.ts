// The hook for ledger writes (earn, events, referral credits): the schedules a write implies, as
// records that commit with it. A move to a higher tier schedules its review; under the inactivity
// policy every earning moves the member's deadline. They cannot fail the write: the jobs re-check
// the member before acting on a schedule.
import type { MemberState } from '../ledger/domain/member-state';
import type { ProgramSettings } from '../programs/domain/program';
import { schedulesAfterWrite } from './domain/job-plans';
import type { ScheduleSet } from './ports';

export function scheduleRecords(
  program: Pick<ProgramSettings, 'tierSet' | 'expiryPolicy' | 'timeZone'>,
  members: readonly { memberId: string; before: MemberState; after: MemberState }[],
  now: string,
): ScheduleSet[] {
  return members.flatMap(({ memberId, before, after }) => {
    const due = schedulesAfterWrite(program, before, after, now);
    const records: ScheduleSet[] = [];
    if (due.review) records.push({ kind: 'schedule-set', memberId, schedule: 'REVIEW', dueAt: due.review });
    if (due.inactivity) records.push({ kind: 'schedule-set', memberId, schedule: 'INACTIVITY', dueAt: due.inactivity });
    return records;
  });
}
