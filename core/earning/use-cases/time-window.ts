import { ValidationFailed } from '../../kernel/errors';
import { checkOccurredAt, type LatenessPolicy } from '../domain/time-window';
import { TooLate } from '../errors';

/** How a purchase, event or return is recorded: live (the default) or as history by an operator. */
export interface RecordOptions {
  /** An operator's import of older history: accepted however late (never from the future). */
  backfill?: boolean;
}

/** A record from the future is a 400; one older than the program accepts a 422 too-late, unless backfilled. */
export function assertInWindow(occurredAt: string, now: string, program: LatenessPolicy, opts: RecordOptions): void {
  const verdict = checkOccurredAt(occurredAt, now, program);
  if (verdict.ok) return;
  if (verdict.problem === 'future') throw new ValidationFailed([{ field: 'occurredAt', message: verdict.message }]);
  if (!opts.backfill) throw new TooLate(verdict.message);
}
