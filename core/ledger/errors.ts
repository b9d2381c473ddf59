import { DomainError } from '../kernel/errors';

export class MemberNotFound extends DomainError {
  static override readonly problem = 'member-not-found';
  constructor(readonly memberId: string) {
    super(`No member "${memberId}" in this program`);
  }
}

/** An adjustment beyond what the caller's staff role may move in one go (support: the program's limit). */
export class AdjustmentOverLimit extends DomainError {
  static override readonly problem = 'adjustment-over-limit';
  constructor(
    readonly limit: number,
    readonly role: string,
  ) {
    super(`Your role (${role}) may adjust at most ${limit} points either way; a manager or admin can make this one`);
  }
  override get extensions() {
    return {
      role: this.role,
      limit: this.limit,
      errors: [
        {
          field: 'points',
          message: `must be at most ${this.limit} points either way for the ${this.role} role (ask a manager)`,
        },
      ],
    };
  }
}
