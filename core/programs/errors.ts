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
  readonly role: string | null;
  constructor(readonly scope: string) {
    const role = scope === 'admin' ? 'admin' : scope.startsWith('staff:') ? scope.slice('staff:'.length) : null;
    super(
      role
        ? `This operation needs the staff role "${role}" or higher (scope "${scope}")`
        : `This operation needs the "${scope}" scope`,
    );
    this.role = role;
  }
  override get extensions() {
    return { scope: this.scope, ...(this.role ? { role: this.role } : {}) };
  }
}

/** A bus event from a source (or account) the program it names has not registered. */
export class UnregisteredProducer extends DomainError {
  static override readonly problem = 'unregistered-producer';
  constructor(
    readonly programId: string,
    readonly source: string,
    readonly account: string,
  ) {
    super(
      `Source "${source}" from account ${account} is not a registered producer of program "${programId}": ` +
        `register it with \`npm run --silent loyalty -- producer add ${programId} --source ${source}\`` +
        ' (with --account for another AWS account), then redrive the dead letters',
    );
  }
}

export class ApiKeyNotFound extends DomainError {
  static override readonly problem = 'api-key-not-found';
  constructor(readonly keyId: string) {
    super(`The program has no API key "${keyId}"`);
  }
}

export class KeyInUse extends DomainError {
  static override readonly problem = 'key-in-use';
  constructor(readonly keyId: string) {
    super(`Key "${keyId}" is the one making this request: end it with another admin key`);
  }
}
