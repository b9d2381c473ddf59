// The only module that knows how items are keyed; docs/data-model.md lists each access pattern
// with its key (a test keeps the two in step). Every key of program data starts with
// PROGRAM#<programId>; client ids cannot contain '#' (core/kernel/ids.ts), so no input can address
// another program's items.
import { DUE_SHARDS, type DueKind, dueDay, dueShard } from '../../core/jobs/domain/due-index';

export type ItemKey = { pk: string; sk: string };

/** Lots without an expiry sort last, so a debit reads the nearest-expiring first. */
const NEVER = '9999-12-31T23:59:59.999Z';

const memberPk = (programId: string, memberId: string) => `PROGRAM#${programId}#MEMBER#${memberId}`;

export const keys = {
  program: (programId: string): ItemKey => ({ pk: `PROGRAM#${programId}`, sk: 'SETTINGS' }),
  apiKey: (keyHash: string): ItemKey => ({ pk: `APIKEY#${keyHash}`, sk: 'APIKEY' }),
  /** A key listed under its program: its id and where its hash item is (the hash item is the truth). */
  programApiKey: (programId: string, keyId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#APIKEYS`,
    sk: `APIKEY#${keyId}`,
  }),

  member: (programId: string, memberId: string): ItemKey => ({ pk: memberPk(programId, memberId), sk: 'PROFILE' }),
  lot: (programId: string, memberId: string, expiresAt: string | null, lotId: string): ItemKey => ({
    pk: memberPk(programId, memberId),
    sk: `LOT#${expiresAt ?? NEVER}#${lotId}`,
  }),
  /** Transaction ids are ULIDs: sort key order is recording order, newest last. */
  transaction: (programId: string, memberId: string, transactionId: string): ItemKey => ({
    pk: memberPk(programId, memberId),
    sk: `TX#${transactionId}`,
  }),
  referralCode: (programId: string, code: string): ItemKey => ({
    pk: `PROGRAM#${programId}#REFCODE#${code}`,
    sk: 'REFCODE',
  }),
  /** A member found by email: the partition is the SHA-256 of the normalised address (never the address). */
  emailLookup: (programId: string, emailHash: string, memberId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#EMAIL#${emailHash}`,
    sk: `MEMBER#${memberId}`,
  }),
  /** The audit log: one partition per program, sorted by time (ULIDs break ties). */
  auditEntry: (programId: string, at: string, auditId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#AUDIT`,
    sk: `AUDIT#${at}#${auditId}`,
  }),

  /** The exactly-once guard of a purchase, holding the original result and what returns need. */
  order: (programId: string, orderId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#ORDER#${orderId}`,
    sk: 'ORDER',
  }),
  returnGuard: (programId: string, returnId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#RETURN#${returnId}`,
    sk: 'RETURN',
  }),
  eventGuard: (programId: string, eventId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#EVENT#${eventId}`,
    sk: 'EVENT',
  }),

  /** A registered bus producer of the program: its source and sending account (OWN: the platform's). */
  producer: (programId: string, source: string, account: string): ItemKey => ({
    pk: `PROGRAM#${programId}#PRODUCERS`,
    sk: `PRODUCER#${source}#${account}`,
  }),

  /** Earning rules: the current set in one item (one cached read), every version kept for audit. */
  ruleSet: (programId: string): ItemKey => ({ pk: `PROGRAM#${programId}`, sk: 'RULESET' }),
  ruleVersion: (programId: string, ruleId: string, version: number): ItemKey => ({
    pk: `PROGRAM#${programId}#RULES`,
    sk: `RULE#${ruleId}#V#${String(version).padStart(6, '0')}`,
  }),

  reward: (programId: string, rewardId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#REWARDS`,
    sk: `REWARD#${rewardId}`,
  }),
  /** A redemption by id (a pointer to the member's copy, for partners that know only the id). */
  redemption: (programId: string, redemptionId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#REDEMPTION#${redemptionId}`,
    sk: 'REDEMPTION',
  }),
  /** The redemption record itself, in the member's partition (listed newest first with its prefix). */
  memberRedemption: (programId: string, memberId: string, redemptionId: string): ItemKey => ({
    pk: memberPk(programId, memberId),
    sk: `REDEMPTION#${redemptionId}`,
  }),
  idempotency: (programId: string, scope: string, key: string): ItemKey => ({
    pk: `PROGRAM#${programId}#IDEMPOTENCY#${scope}#${key}`,
    sk: 'IDEMPOTENCY',
  }),
  /** Units of a reward a member redeemed in one limit period (the per-member limit, enforced by a condition). */
  rewardUsage: (programId: string, memberId: string, rewardId: string, periodKey: string): ItemKey => ({
    pk: memberPk(programId, memberId),
    sk: `RUSAGE#${rewardId}#${periodKey}`,
  }),
  coupon: (programId: string, code: string): ItemKey => ({ pk: `PROGRAM#${programId}#COUPON#${code}`, sk: 'COUPON' }),
  /** Running totals per cause, and one entry per donation under its reward. */
  donationTotal: (programId: string, causeId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#DONATIONS`,
    sk: `CAUSE#${causeId}`,
  }),
  donation: (programId: string, rewardId: string, redemptionId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#REWARD#${rewardId}#DONATIONS`,
    sk: `DONATION#${redemptionId}`,
  }),

  /**
   * Items of the scheduled jobs. In a member's partition they sort outside `LOT#`..`PROFILE`, so
   * the member view's one Query (profile + lots) never reads them:
   * DUE#INACTIVITY, DUE#OUTBOX#<id>, DUE#REVIEW < LOT#... < PROFILE < ... < SENT#<noticeId> < TX#...
   */
  schedule: (programId: string, memberId: string, kind: 'REVIEW' | 'INACTIVITY'): ItemKey => ({
    pk: memberPk(programId, memberId),
    sk: `DUE#${kind}`,
  }),
  outbox: (programId: string, memberId: string, outboxId: string): ItemKey => ({
    pk: memberPk(programId, memberId),
    sk: `DUE#OUTBOX#${outboxId}`,
  }),
  /** The send-once guard of a notice (Points Expiring, Tier Downgrade Warning), keyed by its stable id. */
  notice: (programId: string, memberId: string, noticeId: string): ItemKey => ({
    pk: memberPk(programId, memberId),
    sk: `SENT#${noticeId}`,
  }),
  /** A webhook endpoint; its deliveries and their attempts share one partition per endpoint. */
  webhook: (programId: string, webhookId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#WEBHOOKS`,
    sk: `WEBHOOK#${webhookId}`,
  }),
  /** An event a webhook endpoint's change announces (its disabling), published by the stream, kept 30 days. */
  webhookOutbox: (programId: string, webhookId: string, eventId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#WEBHOOK#${webhookId}`,
    sk: `OUTBOX#${eventId}`,
  }),
  webhookDelivery: (programId: string, webhookId: string, deliveryId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#WEBHOOK#${webhookId}`,
    sk: `DELIVERY#${deliveryId}`,
  }),
  /** Attempt ids are ULIDs of the attempt's time: listed newest first by sort key. */
  webhookAttempt: (programId: string, webhookId: string, attemptId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#WEBHOOK#${webhookId}`,
    sk: `ATTEMPT#${attemptId}`,
  }),
  /** A shop connector, found by its id alone: the public webhook route knows no program until it reads it. */
  connector: (connectorId: string): ItemKey => ({ pk: `CONNECTOR#${connectorId}`, sk: 'CONNECTOR' }),
  /** A connector listed under its program (the connector item is the truth). */
  programConnector: (programId: string, connectorId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#CONNECTORS`,
    sk: `CONNECTOR#${connectorId}`,
  }),
  /** A verified webhook, once per platform delivery id: the raw body until processed (TTL 30 days). */
  delivery: (programId: string, connectorId: string, deliveryId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#CONNECTOR#${connectorId}#DELIVERY#${deliveryId}`,
    sk: 'DELIVERY',
  }),
  /** What an edited order has credited so far (lines, their holders, a pending edit), from its first edit on. */
  orderEdits: (programId: string, orderId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#ORDER#${orderId}`,
    sk: 'EDITS',
  }),
  /** A delivery that verified but could not be mapped or credited, newest first by when it came. */
  deadLetter: (programId: string, connectorId: string, receivedAt: string, deliveryId: string): ItemKey => ({
    pk: `PROGRAM#${programId}#CONNECTOR#${connectorId}#DEADLETTERS`,
    sk: `DL#${receivedAt}#${deliveryId}`,
  }),
  /** Where each job resumes: the first day of the due index that may still hold work. Jobs span programs. */
  checkpoint: (job: string): ItemKey => ({ pk: `JOB#${job}`, sk: 'CHECKPOINT' }),
} as const;

/** Partitions and prefixes the queries read (each beside the keys above that fill it). */
export const collections = {
  /** A member's partition: profile, lots, transactions, redemptions, usage, schedules, notices. */
  member: memberPk,
  lots: 'LOT#',
  transactions: 'TX#',
  memberRedemptions: 'REDEMPTION#',
  rewardUsage: 'RUSAGE#',
  /** The member view reads the profile and every lot in one Query: LOT#... sort just before PROFILE. */
  memberView: { from: 'LOT#', to: 'PROFILE' },
  rewards: (programId: string) => ({ pk: `PROGRAM#${programId}#REWARDS`, prefix: 'REWARD#' }),
  producers: (programId: string) => ({ pk: `PROGRAM#${programId}#PRODUCERS`, prefix: 'PRODUCER#' }),
  apiKeys: (programId: string) => ({ pk: `PROGRAM#${programId}#APIKEYS`, prefix: 'APIKEY#' }),
  connectors: (programId: string) => ({ pk: `PROGRAM#${programId}#CONNECTORS`, prefix: 'CONNECTOR#' }),
  deadLetters: (programId: string, connectorId: string) => ({
    pk: `PROGRAM#${programId}#CONNECTOR#${connectorId}#DEADLETTERS`,
    prefix: 'DL#',
  }),
  donationTotals: (programId: string) => ({ pk: `PROGRAM#${programId}#DONATIONS`, prefix: 'CAUSE#' }),
  donations: (programId: string, rewardId: string) => ({
    pk: `PROGRAM#${programId}#REWARD#${rewardId}#DONATIONS`,
    prefix: 'DONATION#',
  }),
  ruleVersions: (programId: string, ruleId: string) => ({
    pk: `PROGRAM#${programId}#RULES`,
    prefix: `RULE#${ruleId}#V#`,
  }),
  emailLookup: (programId: string, emailHash: string) => ({
    pk: `PROGRAM#${programId}#EMAIL#${emailHash}`,
    prefix: 'MEMBER#',
  }),
  auditLog: (programId: string) => ({ pk: `PROGRAM#${programId}#AUDIT`, prefix: 'AUDIT#' }),
  webhooks: (programId: string) => ({ pk: `PROGRAM#${programId}#WEBHOOKS`, prefix: 'WEBHOOK#' }),
  webhookAttempts: (programId: string, webhookId: string) => ({
    pk: `PROGRAM#${programId}#WEBHOOK#${webhookId}`,
    prefix: 'ATTEMPT#',
  }),
  /** The end of every sort key: an expiry bound for lots (`LOT#<asOf>#~` follows every lot due by asOf). */
  lotsThrough: (asOf: string) => `LOT#${asOf}#~`,
} as const;

/** byProgramDate: a program's purchases by date, one partition per month. */
export function purchaseByDate(programId: string, occurredAt: string, orderId: string) {
  return { gsi2pk: purchasesOfMonth(programId, occurredAt.slice(0, 7)), gsi2sk: `${occurredAt}#${orderId}` };
}

export function purchasesOfMonth(programId: string, month: string): string {
  return `PROGRAM#${programId}#PURCHASES#${month}`;
}

/** byDueDate: partition = kind, UTC day and shard; sort = due instant, so `<= asOf` finds what is due. */
export function dueKeys(kind: DueKind, at: string, programId: string, memberId: string, id: string) {
  const owner = `${programId}#${memberId}#${id}`;
  return { gsi1pk: duePartition(kind, dueDay(at), dueShard(owner, DUE_SHARDS)), gsi1sk: `${at}#${owner}` };
}

export function duePartition(kind: DueKind, day: string, shard: number): string {
  return `DUE#${kind}#${day}#${shard}`;
}

/** Whether index keys put an item in the activation partitions of the due index. */
export function inActivationIndex(item: Record<string, unknown>): boolean {
  return String(item.gsi1pk ?? '').startsWith('DUE#ACTIVATE#');
}

/** Upper bound of every index sort key at an instant: ids never contain '~', so `<at>#~` follows `<at>#<owner>`. */
export function dueThrough(instant: string): string {
  return `${instant}#~`;
}

/** A due index sort key back to its parts. */
export function parseDueSortKey(sk: string): { at: string; programId: string; memberId: string; id: string } {
  const [at = '', programId = '', memberId = '', ...rest] = sk.split('#');
  return { at, programId, memberId, id: rest.join('#') };
}
