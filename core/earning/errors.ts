import { DomainError, type FieldError } from '../kernel/errors';

export class CurrencyMismatch extends DomainError {
  static override readonly problem = 'currency-mismatch';
  constructor(
    readonly got: string,
    readonly expected: string,
  ) {
    super(`This program earns on ${expected}; the purchase is in ${got}`);
  }
}

/** The same order id was already recorded with different content: not a replay, a conflict. */
export class OrderConflict extends DomainError {
  static override readonly problem = 'order-conflict';
  constructor(readonly orderId: string) {
    super(`Order "${orderId}" was already recorded with a different member, amount, currency, time or items`);
  }
}

export class OrderNotFound extends DomainError {
  static override readonly problem = 'order-not-found';
  constructor(readonly orderId: string) {
    super(`No purchase with order id "${orderId}" in this program`);
  }
}

export class RuleExists extends DomainError {
  static override readonly problem = 'rule-exists';
  constructor(readonly ruleId: string) {
    super(`Earning rule "${ruleId}" already exists: update it with PUT`);
  }
}

export class RuleNotFound extends DomainError {
  static override readonly problem = 'rule-not-found';
  constructor(readonly ruleId: string) {
    super(`No earning rule "${ruleId}"`);
  }
}

/** `occurredAt` is older than the program accepts: the counters of its period may be gone. */
export class TooLate extends DomainError {
  static override readonly problem = 'too-late';
  readonly errors: FieldError[];
  constructor(message: string) {
    super(`occurredAt: ${message}`);
    this.errors = [{ field: 'occurredAt', message }];
  }
  override get extensions() {
    return { errors: this.errors };
  }
}
