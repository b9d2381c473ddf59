import type { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** One item of a TransactWriteItems. */
export type TxItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** A transaction item and the conflict name a failed condition on it reports. */
export interface Tagged {
  tag: string;
  item: TxItem;
}

/** What every item writer needs: where, for which program, at what time. */
export interface WriteContext {
  tableName: string;
  programId: string;
  now: string;
}

export const DAY_S = 86_400;
export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** `SET a = :a, ...` with every name aliased (status, limit, name, ttl... are reserved words); null removes. */
export function setExpression(values: Record<string, unknown>, prefix = 's') {
  const names: Record<string, string> = {};
  const vals: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(values).forEach(([k, v], i) => {
    if (v === undefined) return;
    names[`#${prefix}${i}`] = k;
    if (v === null) removes.push(`#${prefix}${i}`);
    else {
      vals[`:${prefix}${i}`] = v;
      sets.push(`#${prefix}${i} = :${prefix}${i}`);
    }
  });
  return { names, values: vals, sets, removes };
}
