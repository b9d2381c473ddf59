import { DomainError } from '../kernel/errors';

export class WebhookNotFound extends DomainError {
  static override readonly problem = 'webhook-not-found';
  constructor(readonly webhookId: string) {
    super(`No webhook endpoint "${webhookId}" in this program`);
  }
}

export class WebhookDeliveryNotFound extends DomainError {
  static override readonly problem = 'webhook-delivery-not-found';
  constructor(readonly deliveryId: string) {
    super(`No delivery "${deliveryId}" for this webhook endpoint`);
  }
}

export class WebhookLimitReached extends DomainError {
  static override readonly problem = 'webhook-limit-reached';
  constructor(readonly limit: number) {
    super(`A program has at most ${limit} webhook endpoints; disable and reuse one, or ask for more`);
  }
}

export class WebhookDisabled extends DomainError {
  static override readonly problem = 'webhook-disabled';
  constructor(readonly webhookId: string) {
    super(`Webhook endpoint "${webhookId}" is disabled: enable it (PATCH status "enabled") to redeliver`);
  }
}
