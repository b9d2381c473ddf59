// Every event we publish, declared once per context: docs/asyncapi.json documents them all.

import * as earning from '../../core/earning/events';
import * as expiry from '../../core/expiry/events';
import type { EventDefinition } from '../../core/kernel/events';
import * as ledger from '../../core/ledger/events';
import * as rewards from '../../core/rewards/events';
import * as tiers from '../../core/tiers/events';
import * as webhooks from '../../core/webhooks/events';

const isDefinition = (value: unknown): value is EventDefinition =>
  typeof value === 'object' && value !== null && 'detailType' in value && 'schema' in value && 'version' in value;

/**
 * The events modules export their shared schemas too: only the definitions are events. By context,
 * then by detail-type: the order of a module's exports depends on the loader.
 */
export const PUBLISHED_EVENTS: readonly EventDefinition[] = [ledger, earning, tiers, expiry, rewards, webhooks].flatMap(
  (module) =>
    Object.values(module)
      .filter(isDefinition)
      .sort((a, b) => a.detailType.localeCompare(b.detailType)),
);
