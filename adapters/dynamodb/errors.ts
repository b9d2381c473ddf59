import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { WriteConflict } from '../../core/kernel/retry';

/**
 * A cancelled transaction as the domain sees it: which tagged items failed their condition, or
 * `busy` when other transactions only held the items (nothing failed, nothing was written).
 * Anything else is returned unchanged (a real failure).
 */
export function toWriteConflict(err: unknown, tags: readonly string[]): unknown {
  if (err instanceof TransactionConflictException) return new WriteConflict([], true);
  if (!(err instanceof TransactionCanceledException)) return err;
  const reasons = err.CancellationReasons ?? [];
  const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [tags[i] ?? `item:${i}`] : []));
  if (failed.length) return new WriteConflict(failed);
  if (reasons.some((r) => r.Code === 'TransactionConflict')) return new WriteConflict([], true);
  return err;
}

/** A single conditional write that failed its condition, as a conflict on `tag`. */
export function conditionFailed(err: unknown, tag: string): unknown {
  if (err instanceof ConditionalCheckFailedException) return new WriteConflict([tag]);
  if (err instanceof TransactionConflictException) return new WriteConflict([], true);
  return err;
}

export function isConditionFailed(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException;
}
