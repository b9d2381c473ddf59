import { DomainError } from '../kernel/errors';

export class RewardNotFound extends DomainError {
  static override readonly problem = 'reward-not-found';
  constructor(readonly rewardId: string) {
    super(`No reward "${rewardId}" in this program`);
  }
}

export class RewardExists extends DomainError {
  static override readonly problem = 'reward-exists';
  constructor(readonly rewardId: string) {
    super(`Reward "${rewardId}" already exists: change it with PATCH`);
  }
}

/** Inactive, not yet valid or no longer valid. */
export class RewardUnavailable extends DomainError {
  static override readonly problem = 'reward-unavailable';
  constructor(
    readonly rewardId: string,
    reason: string,
  ) {
    super(`Reward "${rewardId}" cannot be redeemed: ${reason}`);
  }
}

export class NotEligible extends DomainError {
  static override readonly problem = 'not-eligible';
  constructor(
    readonly rewardId: string,
    readonly reasons: string[],
  ) {
    super(`Not eligible for reward "${rewardId}": ${reasons.join('; ')}`);
  }
}

export class InsufficientPoints extends DomainError {
  static override readonly problem = 'insufficient-points';
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(`This needs ${needed} points; the member has ${available} available`);
  }
}

export class OutOfStock extends DomainError {
  static override readonly problem = 'out-of-stock';
  constructor(
    readonly rewardId: string,
    readonly remaining: number,
  ) {
    super(`Reward "${rewardId}" has ${remaining} left`);
  }
}

export class RedemptionLimitReached extends DomainError {
  static override readonly problem = 'redemption-limit-reached';
  constructor(
    readonly rewardId: string,
    detail: string,
  ) {
    super(`Reward "${rewardId}": ${detail}`);
  }
}

export class RedemptionNotFound extends DomainError {
  static override readonly problem = 'redemption-not-found';
  constructor(readonly redemptionId: string) {
    super(`No redemption "${redemptionId}" in this program`);
  }
}

/** A saga step found its redemption already closed (failed, cancelled) or not in the state the step needs. */
export class RedemptionClosed extends DomainError {
  static override readonly problem = 'redemption-closed';
  constructor(
    readonly redemptionId: string,
    readonly redemptionStatus: string,
  ) {
    super(`Redemption "${redemptionId}" is ${redemptionStatus}`);
  }
}

export class RedemptionNotCancellable extends DomainError {
  static override readonly problem = 'redemption-not-cancellable';
  constructor(
    readonly redemptionId: string,
    readonly redemptionStatus: string,
  ) {
    super(
      `Redemption "${redemptionId}" is ${redemptionStatus}: ` +
        'only completed redemptions and those awaiting fulfilment can be cancelled',
    );
  }
}

export class CancellationWindowClosed extends DomainError {
  static override readonly problem = 'cancellation-window-closed';
  constructor(
    readonly redemptionId: string,
    readonly until: string | null,
  ) {
    super(
      until
        ? `Redemption "${redemptionId}" could be cancelled until ${until}`
        : `Redemption "${redemptionId}" cannot be cancelled (the reward allows no cancellation)`,
    );
  }
}

export class RedemptionNotAwaitingFulfilment extends DomainError {
  static override readonly problem = 'redemption-not-awaiting-fulfilment';
  constructor(
    readonly redemptionId: string,
    readonly redemptionStatus: string,
  ) {
    super(`Redemption "${redemptionId}" is ${redemptionStatus}`);
  }
}

export class CouponNotFound extends DomainError {
  static override readonly problem = 'coupon-not-found';
  constructor() {
    super('No such coupon code in this program');
  }
}

export class CouponUsed extends DomainError {
  static override readonly problem = 'coupon-used';
  constructor(readonly usedAt: string | null) {
    super(usedAt ? `This coupon was used at ${usedAt}` : 'This coupon was already used');
  }
}

export class CouponExpired extends DomainError {
  static override readonly problem = 'coupon-expired';
  constructor(readonly expiresAt: string) {
    super(`This coupon expired at ${expiresAt}`);
  }
}

/** The redemption that issued the coupon was cancelled or failed. */
export class CouponVoid extends DomainError {
  static override readonly problem = 'coupon-void';
  constructor() {
    super('This coupon was withdrawn: its redemption was cancelled');
  }
}

/** A redemption whose points lie in more lots than one transaction can debit: refused whole, nothing spent. */
export class TooManyLots extends DomainError {
  static override readonly problem = 'too-many-lots';
  constructor(
    readonly lots: number,
    readonly max: number,
  ) {
    super(
      `These points are spread over ${lots} lots; one redemption can take from at most ${max}: ` +
        'redeem a smaller quantity',
    );
  }
}
