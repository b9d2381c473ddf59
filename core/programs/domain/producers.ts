// Who may credit a program over the bus. An EventBridge event names its program in
// `detail.programId`, but anyone allowed to PutEvents could name any program: so each program
// registers its producers, an event `source` (and the AWS account that sends it), and the
// consumer credits only events from a registered producer of the program they name.

export interface Producer {
  /** The event's `source`, e.g. `shop.checkout`. */
  source: string;
  /** The AWS account the events come from; null: the platform's own account (same-account PutEvents). */
  account: string | null;
  addedAt: string;
}

/** EventBridge sources are free text; ours are plain names, so a source can never alter a key. */
export const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
export const SOURCE_RULE = '1-128 letters, digits and . _ / -, starting with a letter or digit';
export const ACCOUNT_PATTERN = /^\d{12}$/;

/**
 * Whether an event from `source`, sent from `account`, may credit the program. A producer
 * registered without an account matches only events of `ownAccount`, the account the platform
 * runs in: a registration never opens the program to every account.
 */
export function isRegisteredProducer(
  producers: readonly Producer[],
  event: { source: string; account: string },
  ownAccount: string,
): boolean {
  return producers.some((p) => p.source === event.source && (p.account ?? ownAccount) === event.account);
}
