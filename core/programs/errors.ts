import { DomainError } from '../kernel/errors';

export class ProgramNotFound extends DomainError {
  static override readonly problem = 'program-not-found';
  constructor(readonly programId: string) {
    super(`No program "${programId}"`);
  }
}

export class ProgramExists extends DomainError {
  static override readonly problem = 'program-exists';
  constructor(readonly programId: string) {
    super(`Program "${programId}" already exists`);
  }
}

export class Unauthorized extends DomainError {
  static override readonly problem = 'unauthorized';
  constructor() {
    super('Send a valid key in the x-api-key header');
  }
}

export class Forbidden extends DomainError {
  static override readonly problem = 'forbidden';
  constructor(readonly scope: string) {
    super(`This operation needs the "${scope}" scope`);
  }
}
