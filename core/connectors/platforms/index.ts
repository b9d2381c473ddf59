// Each platform's mapper: (topic, parsed body, options) -> one ledger action, and the ids a dead letter shows.
import type { ConnectorAction } from '../domain/connector';
import type { ConnectorOptions, Platform } from '../schemas';
import { commercetoolsIds, mapCommercetools } from './commercetools';
import { mapShopify, shopifyIds } from './shopify';
import { mapWooCommerce, wooCommerceIds } from './woocommerce';

export interface PlatformMapper {
  map(topic: string, body: unknown, options: ConnectorOptions): ConnectorAction;
  ids(topic: string, body: unknown): Record<string, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: each platform reads its own payload shape
const safeIds = (f: (topic: string, body: any) => Record<string, string>) => (topic: string, body: unknown) => {
  try {
    return body && typeof body === 'object' ? f(topic, body) : {};
  } catch {
    return {};
  }
};

export const MAPPERS: Record<Platform, PlatformMapper> = {
  shopify: { map: mapShopify, ids: safeIds(shopifyIds) },
  woocommerce: { map: mapWooCommerce, ids: safeIds(wooCommerceIds) },
  commercetools: { map: mapCommercetools, ids: safeIds(commercetoolsIds) },
};
