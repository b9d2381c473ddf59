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
