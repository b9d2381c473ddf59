// Typed domain errors. Each names the problem type it is answered with (its slug in the problem
// registry, adapters/http/problems.ts); only the HTTP adapter knows statuses and titles.

export interface FieldError {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  /** Slug of the problem type in the registry: stable, part of the API. */
  declare static readonly problem: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  get type(): string {
    return (this.constructor as typeof DomainError).problem;
  }

  /** Members of the problem document beyond type, title, status, detail and instance. */
  get extensions(): Record<string, unknown> {
    return {};
  }
}

/** Input that breaks the contract: each bad field says what was expected and what came. */
export class ValidationFailed extends DomainError {
  static override readonly problem = 'validation-failed';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
  override get extensions() {
    return { errors: this.errors };
  }
}

/** Valid input the ledger cannot apply as asked (returning more than was bought, ...), naming the fields. */
export class Unprocessable extends DomainError {
  static override readonly problem = 'unprocessable';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
  override get extensions() {
    return { errors: this.errors };
  }
}

/** An idempotency key (return id, event id, Idempotency-Key, ...) reused for a different request. */
export class IdempotencyConflict extends DomainError {
  static override readonly problem = 'idempotency-conflict';
  constructor(
    readonly what: string,
    readonly id: string,
  ) {
    super(`${what} "${id}" was already recorded with different content`);
  }
}

/** Someone else changed the same definition at the same moment (an admin edit): send it again. */
export class ConcurrentChange extends DomainError {
  static override readonly problem = 'concurrent-change';
  constructor(what: string) {
    super(`${what} was changed by another request at the same time; retry`);
  }
}

/** The write kept losing to concurrent writes of the same member or order, past the bounded retries. */
export class ConcurrentUpdate extends DomainError {
  static override readonly problem = 'concurrent-update';
  constructor(what: string) {
    super(`${what} kept changing under this request; nothing was written, retrying is safe`);
  }
}
