// What the platform publishes, where a developer can see it: one compact line per event on the
// console of `npm start` (LOG_EVENTS=full adds the payload), and every event appended to
// `.local/events.jsonl`, which `npm run --silent loyalty -- events tail` follows from another
// terminal. Only events of our own source: commerce events are the bus's rules' business.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EVENT_SOURCE } from '../adapters/eventbridge/publisher';

export interface LoggedEvent {
  id: string;
  time: string;
  source: string;
  'detail-type': string;
  detail: { metadata?: Record<string, unknown>; data?: Record<string, unknown> };
}

/** The figures worth a glance, in this order, when the event carries them. */
const FIGURES = [
  'points',
  'status',
  'via',
  'from',
  'to',
  'direction',
  'reason',
  'orderId',
  'returnId',
  'eventId',
  'lotId',
  'redemptionId',
  'rewardId',
  'noticeId',
  'warningId',
  'daysBefore',
  'pointsReturned',
] as const;

/** `12:00:01.123 Points Earned program=demo member=alice points=42 status=credited available=142` */
export function compactLine(event: LoggedEvent): string {
  const data = event.detail.data ?? {};
  const meta = event.detail.metadata ?? {};
  const time = (String(meta.occurredAt ?? event.time).split('T')[1] ?? '').replace('Z', '');
  const parts = [time, event['detail-type'], `program=${meta.programId ?? '?'}`];
  if (data.memberId !== undefined) parts.push(`member=${data.memberId}`);
  for (const k of FIGURES) {
    const v = data[k];
    if (v !== undefined && v !== null && typeof v !== 'object') parts.push(`${k}=${v}`);
  }
  const balances = data.balances as { available?: number } | undefined;
  if (balances?.available !== undefined) parts.push(`available=${balances.available}`);
  return parts.join(' ');
}

export function createEventLog(opts: { file: string; full: boolean; log: (line: string) => void }) {
  mkdirSync(dirname(opts.file), { recursive: true });
  return {
    file: opts.file,
    /** True when the event is ours (logged); false for anything else on the bus. */
    record(event: LoggedEvent): boolean {
      if (event.source !== EVENT_SOURCE) return false;
      appendFileSync(opts.file, `${JSON.stringify(event)}\n`);
      opts.log(`  event ${compactLine(event)}`);
      if (opts.full) opts.log(JSON.stringify(event.detail, null, 2));
      return true;
    },
  };
}
