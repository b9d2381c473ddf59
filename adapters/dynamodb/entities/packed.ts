// Attributes that no request reads on its own, filters or conditions on, written once with their
// item: stored together as one Binary attribute, the deflateRaw of their JSON. An item's write
// capacity follows its size (2 WCU per started KB in a transaction), and what is packed is mostly
// text that compresses to half. Readers get the attributes back in place; items written before
// packing hold them as plain attributes and read as they are.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Item } from '../query';

/** The Binary attribute holding the packed ones. */
export const PACKED = 'packed';

export function pack(attributes: Record<string, unknown>): Uint8Array {
  return deflateRawSync(JSON.stringify(attributes));
}

/** The item with its packed attributes in place of `packed` (an item without it, unchanged). */
export function unpack(item: Item): Item {
  const { [PACKED]: packed, ...rest } = item;
  if (!(packed instanceof Uint8Array)) return item;
  return { ...rest, ...JSON.parse(inflateRawSync(packed).toString('utf8')) };
}

/**
 * What an item announces (core/ledger/ports.ts Announcement), packed with the item's other packed
 * attributes; a plain `announces: true` beside them is what the stream's filter matches.
 */
export const ANNOUNCES = 'announces';
