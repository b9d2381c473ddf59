import { DomainError } from '../kernel/errors';

export class MemberNotFound extends DomainError {
  static override readonly problem = 'member-not-found';
  constructor(readonly memberId: string) {
    super(`No member "${memberId}" in this program`);
  }
}
