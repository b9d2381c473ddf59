/**
 * The size DynamoDB bills an item at, by the rules AWS documents ("DynamoDB item sizes and formats",
 * CapacityUnitCalculations): attribute names count their UTF-8 bytes; strings their UTF-8 bytes;
 * numbers 1 byte per two significant digits plus 1; binary its raw bytes; booleans and null 1 byte;
 * lists and maps 3 bytes plus their elements plus 1 byte per element. Sets are counted as their
 * elements (the page gives them no overhead). Items are in the wire format (AttributeValue maps, as
 * sent in a request body: binary as base64 text or as bytes).
 */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string | Uint8Array }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: (string | Uint8Array)[] };

export type WireItem = Record<string, AttributeValue>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const binary = (b: string | Uint8Array) => (typeof b === 'string' ? Buffer.from(b, 'base64').length : b.length);

/** Significant digits: no sign, point or exponent, leading and trailing zeros trimmed (zero has one). */
export function numberBytes(n: string): number {
  const mantissa = n.trim().replace(/^[+-]/, '').split(/e/i)[0]!.replace('.', '');
  const digits = mantissa.replace(/^0+/, '').replace(/0+$/, '').length || 1;
  return Math.ceil(digits / 2) + 1;
}

export function valueBytes(v: AttributeValue): number {
  if ('S' in v) return utf8(v.S);
  if ('N' in v) return numberBytes(v.N);
  if ('B' in v) return binary(v.B);
  if ('BOOL' in v || 'NULL' in v) return 1;
  if ('L' in v) return 3 + v.L.reduce((s, e) => s + 1 + valueBytes(e), 0);
  if ('M' in v) return 3 + Object.entries(v.M).reduce((s, [k, e]) => s + 1 + utf8(k) + valueBytes(e), 0);
  if ('SS' in v) return v.SS.reduce((s, e) => s + utf8(e), 0);
  if ('NS' in v) return v.NS.reduce((s, e) => s + numberBytes(e), 0);
  if ('BS' in v) return v.BS.reduce((s, e) => s + binary(e), 0);
  throw new Error(`Not an attribute value: ${JSON.stringify(v)}`);
}

export function itemBytes(item: WireItem): number {
  return Object.entries(item).reduce((s, [name, v]) => s + utf8(name) + valueBytes(v), 0);
}

/** Write units of one item in a TransactWriteItems: 2 per started KB (a standard write is 1 per KB). */
export const transactionalWriteUnits = (bytes: number) => 2 * Math.max(1, Math.ceil(bytes / 1024));

export interface TransactWriteSizes {
  /** Transactional write units per TransactWriteItems, by the rules above, averaged over the writes. */
  wcuPerWrite: number;
  /** The largest size seen per `entity` attribute, in bytes. */
  largestBytes: Record<string, number>;
  /** The smallest, likewise. */
  smallestBytes: Record<string, number>;
}

/**
 * What AWS would bill TransactWriteItems at. A Put is sized as sent. An Update is billed on the larger
 * of the item before and after; it is sized as `readBack` finds it once the writes are done, which for
 * the bench's earns (balances and counters only added to) is the largest it was.
 */
export async function sizeTransactWrites(
  writes: readonly { TransactItems: readonly { Put?: { Item: WireItem }; Update?: { Key: WireItem } }[] }[],
  readBack: (key: WireItem) => Promise<WireItem | undefined>,
): Promise<TransactWriteSizes> {
  const current = new Map<string, Promise<WireItem | undefined>>();
  const largestBytes: Record<string, number> = {};
  const smallestBytes: Record<string, number> = {};
  let units = 0;
  for (const { TransactItems } of writes) {
    for (const t of TransactItems) {
      let item = t.Put?.Item;
      if (!item && t.Update) {
        const key = JSON.stringify(t.Update.Key);
        if (!current.has(key)) current.set(key, readBack(t.Update.Key));
        item = await current.get(key);
      }
      if (!item) throw new Error(`Cannot size ${JSON.stringify(t).slice(0, 200)}`);
      const bytes = itemBytes(item);
      const entity = item.entity && 'S' in item.entity ? item.entity.S : 'no-entity';
      largestBytes[entity] = Math.max(largestBytes[entity] ?? 0, bytes);
      smallestBytes[entity] = Math.min(smallestBytes[entity] ?? Number.POSITIVE_INFINITY, bytes);
      units += transactionalWriteUnits(bytes);
    }
  }
  return { wcuPerWrite: writes.length ? units / writes.length : 0, largestBytes, smallestBytes };
}
