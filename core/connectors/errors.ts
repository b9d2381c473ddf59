import { DomainError } from '../kernel/errors';

export class ConnectorNotFound extends DomainError {
  static override readonly problem = 'connector-not-found';
  constructor(readonly connectorId: string) {
    super(`No connector "${connectorId}"`);
  }
}

export class ConnectorDisabled extends DomainError {
  static override readonly problem = 'connector-disabled';
  constructor(readonly connectorId: string) {
    super(`Connector "${connectorId}" is disabled: it takes no deliveries`);
  }
}

/** The delivery's signature is missing or does not match the connector's secret: nothing was written. */
export class BadSignature extends DomainError {
  static override readonly problem = 'invalid-signature';
  constructor(header: string) {
    super(`The ${header} header is missing or does not match this connector's secret; nothing was recorded`);
  }
}

/** The recorded delivery could not be handed to the worker: the platform should retry (a retry is safe). */
export class HandOffFailed extends DomainError {
  static override readonly problem = 'service-unavailable';
  constructor() {
    super('The delivery could not be queued for crediting; retry it (the same delivery is recorded once)');
  }
}
