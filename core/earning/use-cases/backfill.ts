// The operator's import of older history: purchases, events and returns the live path would refuse as
// too late. Each record goes through the same use case as the API (same rules, same exactly-once
// guards, so a rerun replays), oldest first, so the limits and caps of each period see the records
// before it; nothing is announced (history, not news: its writes carry no announcement), and each reason says
// "(backfill)".
import { DomainError, type FieldError } from '../../kernel/errors';
import { check } from '../../kernel/validation';
import { BackfillRecord } from '../schemas';
import { type EarnDeps, earnForPurchase } from './earn-for-purchase';
import { recordEngagement } from './record-engagement';
import { recordReturn } from './record-return';

export interface BackfillLine {
  /** 1-based line of the file. */
  line: number;
  record: string | null;
  id: string | null;
  status: 'credited' | 'replayed' | 'rejected';
  /** Signed: what it added to (or, for a return, took from) the member. */
  points: number;
  problem?: string;
  errors?: FieldError[];
}

export interface BackfillReport {
  records: number;
  credited: number;
  replayed: number;
  rejected: number;
  points: number;
  lines: BackfillLine[];
}

const idOf = (r: BackfillRecord) =>
  r.record === 'purchase' ? r.orderId : r.record === 'event' ? r.eventId : r.returnId;

/** Records `lines` (raw JSON values, in file order) as history of `programId`. */
export async function backfill(programId: string, lines: readonly unknown[], deps: EarnDeps): Promise<BackfillReport> {
  const results: BackfillLine[] = [];
  const valid: { line: number; record: BackfillRecord }[] = [];
  lines.forEach((value, i) => {
    const parsed = check(BackfillRecord, value);
    if (parsed.ok) valid.push({ line: i + 1, record: parsed.value });
    else results.push({ line: i + 1, record: null, id: null, status: 'rejected', points: 0, errors: parsed.errors });
  });
  // Oldest first (file order among equals): a return after its purchase, each period's records in order.
  valid.sort((a, b) => Date.parse(a.record.occurredAt) - Date.parse(b.record.occurredAt) || a.line - b.line);

  for (const { line, record } of valid) {
    const base = { line, record: record.record, id: idOf(record) };
    try {
      const { replayed, points } = await apply(programId, record, deps);
      results.push({ ...base, status: replayed ? 'replayed' : 'credited', points });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const errors = (err.extensions as { errors?: FieldError[] }).errors;
      results.push({ ...base, status: 'rejected', points: 0, problem: err.type, ...(errors ? { errors } : {}) });
    }
  }
  results.sort((a, b) => a.line - b.line);
  const count = (status: BackfillLine['status']) => results.filter((r) => r.status === status).length;
  return {
    records: lines.length,
    credited: count('credited'),
    replayed: count('replayed'),
    rejected: count('rejected'),
    points: results.filter((r) => r.status === 'credited').reduce((sum, r) => sum + r.points, 0),
    lines: results,
  };
}

async function apply(programId: string, record: BackfillRecord, deps: EarnDeps) {
  const history = { backfill: true };
  switch (record.record) {
    case 'purchase': {
      const { record: _, ...purchase } = record;
      const { replayed, result } = await earnForPurchase(programId, purchase, deps, undefined, history);
      return { replayed, points: result.points };
    }
    case 'event': {
      const { record: _, ...event } = record;
      const { replayed, result } = await recordEngagement(programId, event, deps, undefined, history);
      return { replayed, points: result.points };
    }
    case 'return': {
      const { record: _, orderId, ...input } = record;
      const { replayed, result } = await recordReturn(programId, orderId, input, deps, undefined, history);
      return { replayed, points: -result.points };
    }
  }
}
