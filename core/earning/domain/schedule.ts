// Campaign windows. Any rule may carry a schedule; it is judged on the local clock of the
// schedule's time zone at the moment the purchase or event occurred (not when it was recorded).
import type { Schedule } from '../rule-schemas';
import { localParts, toEpochMs } from './time';

export type ScheduleVerdict = { ok: true } | { ok: false; reason: string };

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * Whether `instant` falls inside `schedule`. Local hours come from Intl, so across a DST change a
 * 09:00-17:00 window stays 09:00-17:00 on the wall clock; in a repeated hour (clocks going back)
 * both instants read the same wall time and are judged alike; a skipped hour simply never occurs.
 */
export function checkSchedule(
  schedule: Schedule | undefined,
  instant: string,
  defaultTimeZone: string,
): ScheduleVerdict {
  if (!schedule) return { ok: true };
  const at = toEpochMs(instant);
  if (schedule.from !== undefined && at < toEpochMs(schedule.from)) {
    return { ok: false, reason: `campaign starts ${schedule.from}` };
  }
  if (schedule.until !== undefined && at >= toEpochMs(schedule.until)) {
    return { ok: false, reason: `campaign ended ${schedule.until}` };
  }
  if (schedule.daysOfWeek === undefined && schedule.hours === undefined) return { ok: true };

  const timeZone = schedule.timeZone ?? defaultTimeZone;
  const local = localParts(instant, timeZone);
  if (schedule.daysOfWeek !== undefined && !schedule.daysOfWeek.includes(local.weekday)) {
    return {
      ok: false,
      reason: `campaign runs on ${schedule.daysOfWeek.join(', ')}, not ${local.weekday} (${timeZone})`,
    };
  }
  if (schedule.hours !== undefined) {
    const now = local.hour * 60 + local.minute;
    const start = minutesOf(schedule.hours.start);
    const end = minutesOf(schedule.hours.end);
    const inside = start < end ? now >= start && now < end : now >= start || now < end;
    if (!inside) {
      const wall = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
      return {
        ok: false,
        reason: `campaign runs ${schedule.hours.start}-${schedule.hours.end}, not ${wall} (${timeZone})`,
      };
    }
  }
  return { ok: true };
}
