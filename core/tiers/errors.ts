import { DomainError } from '../kernel/errors';

export class TierSetNotConfigured extends DomainError {
  static override readonly problem = 'tiers-not-configured';
  constructor() {
    super('No tier set is configured: PUT /v1/admin/tiers creates one');
  }
}
