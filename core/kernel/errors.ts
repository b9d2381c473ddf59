/** Typed domain errors; shared/http/problem.ts maps each to a status and a stable problem type. */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationFailed extends DomainError {
  readonly status = 400;
  readonly type = 'validation-failed';
  readonly title = 'Your request is not valid';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

export class MemberNotFound extends DomainError {
  readonly status = 404;
  readonly type = 'member-not-found';
  readonly title = 'Member not found';
  constructor(readonly memberId: string) {
    super(`No member "${memberId}" in this program`);
  }
}

export class ProgramNotFound extends DomainError {
  readonly status = 404;
  readonly type = 'program-not-found';
  readonly title = 'Program not found';
  constructor(readonly programId: string) {
    super(`No program "${programId}"`);
  }
}

export class ProgramExists extends DomainError {
  readonly status = 409;
  readonly type = 'program-exists';
  readonly title = 'Program already exists';
  constructor(readonly programId: string) {
    super(`Program "${programId}" already exists`);
  }
}

export class CurrencyMismatch extends DomainError {
  readonly status = 422;
  readonly type = 'currency-mismatch';
  readonly title = 'Currency not accepted by this program';
  constructor(readonly got: string, readonly expected: string) {
    super(`This program earns on ${expected}; the purchase is in ${got}`);
  }
}

/** The same order id was already recorded with different content: not a replay, a conflict. */
export class OrderConflict extends DomainError {
  readonly status = 409;
  readonly type = 'order-conflict';
  readonly title = 'Order id already used for a different purchase';
  constructor(readonly orderId: string) {
    super(`Order "${orderId}" was already recorded with a different member, amount, currency, time or items`);
  }
}

export class Forbidden extends DomainError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Your API key lacks the scope for this operation';
  constructor(readonly scope: string) {
    super(`This operation needs the "${scope}" scope`);
  }
}

export class Unauthorized extends DomainError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Missing or unknown API key';
  constructor() {
    super('Send a valid key in the x-api-key header');
  }
}

export class OrderNotFound extends DomainError {
  readonly status = 404;
  readonly type = 'order-not-found';
  readonly title = 'Order not found';
  constructor(readonly orderId: string) {
    super(`No purchase with order id "${orderId}" in this program`);
  }
}

/** Valid input the ledger cannot accept as asked (returning more than was bought, ...): 422 naming the fields. */
export class Unprocessable extends DomainError {
  readonly status = 422;
  readonly type = 'unprocessable';
  readonly title = 'The request cannot be applied';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

/** An idempotency key (return id, event id, ...) reused for a different request. */
export class IdempotencyConflict extends DomainError {
  readonly status = 409;
  readonly type = 'idempotency-conflict';
  readonly title = 'Id already used for a different request';
  constructor(readonly what: string, readonly id: string) {
    super(`${what} "${id}" was already recorded with different content`);
  }
}

export class RuleExists extends DomainError {
  readonly status = 409;
  readonly type = 'rule-exists';
  readonly title = 'Rule already exists';
  constructor(readonly ruleId: string) {
    super(`Earning rule "${ruleId}" already exists: update it with PUT`);
  }
}

export class RuleNotFound extends DomainError {
  readonly status = 404;
  readonly type = 'rule-not-found';
  readonly title = 'Rule not found';
  constructor(readonly ruleId: string) {
    super(`No earning rule "${ruleId}"`);
  }
}

/** Someone else changed the same thing at the same moment: retrying is safe. */
export class ConcurrentChange extends DomainError {
  readonly status = 409;
  readonly type = 'concurrent-change';
  readonly title = 'Changed concurrently';
  constructor(what: string) {
    super(`${what} was changed by another request at the same time; retry`);
  }
}

// --- Rewards and redemptions (issue: rewards catalog and redemption saga) ---------------------

export class RewardNotFound extends DomainError {
  readonly status = 404;
  readonly type = 'reward-not-found';
  readonly title = 'Reward not found';
  constructor(readonly rewardId: string) {
    super(`No reward "${rewardId}" in this program`);
  }
}

export class RewardExists extends DomainError {
  readonly status = 409;
  readonly type = 'reward-exists';
  readonly title = 'Reward already exists';
  constructor(readonly rewardId: string) {
    super(`Reward "${rewardId}" already exists: change it with PATCH`);
  }
}

/** Inactive, not yet valid or no longer valid. */
export class RewardUnavailable extends DomainError {
  readonly status = 422;
  readonly type = 'reward-unavailable';
  readonly title = 'Reward not available';
  constructor(readonly rewardId: string, reason: string) {
    super(`Reward "${rewardId}" cannot be redeemed: ${reason}`);
  }
}

export class NotEligible extends DomainError {
  readonly status = 422;
  readonly type = 'not-eligible';
  readonly title = 'Member not eligible for this reward';
  constructor(readonly rewardId: string, readonly reasons: string[]) {
    super(`Not eligible for reward "${rewardId}": ${reasons.join('; ')}`);
  }
}

export class InsufficientPoints extends DomainError {
  readonly status = 409;
  readonly type = 'insufficient-points';
  readonly title = 'Not enough points';
  constructor(readonly needed: number, readonly available: number) {
    super(`This needs ${needed} points; the member has ${available} available`);
  }
}

export class OutOfStock extends DomainError {
  readonly status = 409;
  readonly type = 'out-of-stock';
  readonly title = 'Reward out of stock';
  constructor(readonly rewardId: string, readonly remaining: number) {
    super(`Reward "${rewardId}" has ${remaining} left`);
  }
}

export class RedemptionLimitReached extends DomainError {
  readonly status = 409;
  readonly type = 'redemption-limit-reached';
  readonly title = 'Redemption limit reached';
  constructor(readonly rewardId: string, detail: string) {
    super(`Reward "${rewardId}": ${detail}`);
  }
}

export class RedemptionNotFound extends DomainError {
  readonly status = 404;
  readonly type = 'redemption-not-found';
  readonly title = 'Redemption not found';
  constructor(readonly redemptionId: string) {
    super(`No redemption "${redemptionId}" in this program`);
  }
}

/** A saga step found its redemption already closed (failed, cancelled) or not in the state the step needs. */
export class RedemptionClosed extends DomainError {
  readonly status = 409;
  readonly type = 'redemption-closed';
  readonly title = 'Redemption no longer in progress';
  constructor(readonly redemptionId: string, readonly redemptionStatus: string) {
    super(`Redemption "${redemptionId}" is ${redemptionStatus}`);
  }
}

export class RedemptionNotCancellable extends DomainError {
  readonly status = 409;
  readonly type = 'redemption-not-cancellable';
  readonly title = 'Redemption cannot be cancelled';
  constructor(readonly redemptionId: string, readonly redemptionStatus: string) {
    super(`Redemption "${redemptionId}" is ${redemptionStatus}: only completed redemptions and those awaiting fulfilment can be cancelled`);
  }
}

export class CancellationWindowClosed extends DomainError {
  readonly status = 409;
  readonly type = 'cancellation-window-closed';
  readonly title = 'Cancellation window closed';
  constructor(readonly redemptionId: string, readonly until: string | null) {
    super(until ? `Redemption "${redemptionId}" could be cancelled until ${until}` : `Redemption "${redemptionId}" cannot be cancelled (the reward allows no cancellation)`);
  }
}

export class RedemptionNotAwaitingFulfilment extends DomainError {
  readonly status = 409;
  readonly type = 'redemption-not-awaiting-fulfilment';
  readonly title = 'Redemption is not waiting for fulfilment';
  constructor(readonly redemptionId: string, readonly redemptionStatus: string) {
    super(`Redemption "${redemptionId}" is ${redemptionStatus}`);
  }
}

export class CouponNotFound extends DomainError {
  readonly status = 404;
  readonly type = 'coupon-not-found';
  readonly title = 'Coupon not found';
  constructor() {
    super('No such coupon code in this program');
  }
}

export class CouponUsed extends DomainError {
  readonly status = 409;
  readonly type = 'coupon-used';
  readonly title = 'Coupon already used';
  constructor(readonly usedAt: string | null) {
    super(usedAt ? `This coupon was used at ${usedAt}` : 'This coupon was already used');
  }
}

export class CouponExpired extends DomainError {
  readonly status = 409;
  readonly type = 'coupon-expired';
  readonly title = 'Coupon expired';
  constructor(readonly expiresAt: string) {
    super(`This coupon expired at ${expiresAt}`);
  }
}

/** The redemption that issued the coupon was cancelled or failed. */
export class CouponVoid extends DomainError {
  readonly status = 409;
  readonly type = 'coupon-void';
  readonly title = 'Coupon no longer valid';
  constructor() {
    super('This coupon was withdrawn: its redemption was cancelled');
  }
}

// --- Tiers and expiry

export class TierSetNotConfigured extends DomainError {
  readonly status = 404;
  readonly type = 'tiers-not-configured';
  readonly title = 'This program has no tiers';
  constructor() {
    super('No tier set is configured: PUT /v1/admin/tiers creates one');
  }
}

/** A redemption whose points lie in more lots than one transaction can debit: refused whole, nothing spent. */
export class TooManyLots extends DomainError {
  readonly status = 422;
  readonly type = 'too-many-lots';
  readonly title = 'Points spread over too many lots';
  constructor(readonly lots: number, readonly max: number) {
    super(`These points are spread over ${lots} lots; one redemption can take from at most ${max}: redeem a smaller quantity`);
  }
}
