/**
 * The only module that knows how items are keyed (docs/data-model.md lists each access pattern).
 * Every key of program data starts with PROGRAM#<programId>; client ids cannot contain '#'
 * (shared/ids.ts), so no input can address another program's items.
 */
export const keys = {
  program: (programId: string) => ({ pk: `PROGRAM#${programId}`, sk: 'SETTINGS' }),
  apiKey: (keyHash: string) => ({ pk: `APIKEY#${keyHash}`, sk: 'APIKEY' }),
  memberPk: (programId: string, memberId: string) => `PROGRAM#${programId}#MEMBER#${memberId}`,
  member: (programId: string, memberId: string) => ({ pk: keys.memberPk(programId, memberId), sk: 'PROFILE' }),
  /** Lots sort by expiry (never-expiring last), so a debit reads the nearest-expiring first. */
  lot: (programId: string, memberId: string, expiresAt: string | null, lotId: string) => ({
    pk: keys.memberPk(programId, memberId),
    sk: `LOT#${expiresAt ?? '9999-12-31T23:59:59.999Z'}#${lotId}`,
  }),
  lotPrefix: 'LOT#',
  /** Transaction ids are ULIDs: sort key order is recording order, newest last. */
  transaction: (programId: string, memberId: string, transactionId: string) => ({
    pk: keys.memberPk(programId, memberId),
    sk: `TX#${transactionId}`,
  }),
  transactionPrefix: 'TX#',
  /** The exactly-once guard of a purchase, holding the original result. */
  order: (programId: string, orderId: string) => ({ pk: `PROGRAM#${programId}#ORDER#${orderId}`, sk: 'ORDER' }),
} as const;

export type ItemKey = { pk: string; sk: string };
