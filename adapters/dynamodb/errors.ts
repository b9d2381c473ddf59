import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** Which items of a cancelled TransactWriteItems failed their condition (by position). */
export function failedConditions(err: unknown): number[] | null {
  if (!(err instanceof TransactionCanceledException)) return null;
  const reasons = err.CancellationReasons ?? [];
  const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
  return failed.length ? failed : null;
}
