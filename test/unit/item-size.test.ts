import { describe, expect, it } from 'vitest';
import {
  itemBytes,
  numberBytes,
  sizeTransactWrites,
  transactionalWriteUnits,
  valueBytes,
  type WireItem,
} from '../../bench/item-size';

describe('item size by the documented rules', () => {
  it('counts attribute names and string values in UTF-8 bytes', () => {
    expect(itemBytes({ pk: { S: 'abc' } })).toBe(5);
    expect(itemBytes({ née: { S: '€' } })).toBe(4 + 3);
  });

  it('counts a number as one byte per two significant digits plus one, zeros trimmed', () => {
    expect(numberBytes('0')).toBe(2);
    expect(numberBytes('7')).toBe(2);
    expect(numberBytes('12')).toBe(2);
    expect(numberBytes('123')).toBe(3);
    expect(numberBytes('-12.50')).toBe(3);
    expect(numberBytes('0.00100')).toBe(2);
    expect(numberBytes('1500000')).toBe(2);
    expect(numberBytes('1.2345e10')).toBe(4);
  });

  it('counts binary as its raw bytes, whether sent as base64 text or bytes', () => {
    expect(valueBytes({ B: Buffer.from([0, 1, 2]).toString('base64') })).toBe(3);
    expect(valueBytes({ B: new Uint8Array(10) })).toBe(10);
  });

  it('counts booleans and null as one byte', () => {
    expect(itemBytes({ ok: { BOOL: false }, no: { NULL: true } })).toBe(2 + 1 + 2 + 1);
  });

  it('gives lists and maps 3 bytes of overhead and 1 byte per element, map keys counted', () => {
    expect(valueBytes({ L: [] })).toBe(3);
    expect(valueBytes({ M: {} })).toBe(3);
    expect(valueBytes({ L: [{ S: 'ab' }, { BOOL: true }] })).toBe(3 + (1 + 2) + (1 + 1));
    expect(valueBytes({ M: { a: { N: '1' }, bc: { M: {} } } })).toBe(3 + (1 + 1 + 2) + (1 + 2 + 3));
  });

  it('sizes a whole item as the sum of its attributes', () => {
    const item: WireItem = {
      itemType: { S: 'SLOT' },
      id: { S: 'abc1231' },
      hostName: { S: 'Harry Mason' },
      timeSlot: { S: 'February 23, 1999' },
      slotStatus: { S: 'OPEN' },
      createdAt: { S: 'February 1, 1999' },
      updatedAt: { S: 'February 1, 1999' },
      expiresAt: { N: '2099' },
    };
    expect(itemBytes(item)).toBe(141);
  });

  it('bills a transactional write 2 units per started KB', () => {
    expect([0, 1, 1023, 1024, 1025, 2048, 2049].map(transactionalWriteUnits)).toEqual([2, 2, 2, 2, 4, 4, 6]);
  });
});

describe('sizeTransactWrites', () => {
  const put = (entity: string, pad: number): { Put: { Item: WireItem } } => ({
    Put: { Item: { entity: { S: entity }, pad: { S: 'x'.repeat(pad) } } },
  });

  it('sizes puts as sent and updates as read back once, and averages the units per write', async () => {
    const reads: string[] = [];
    const member: WireItem = { entity: { S: 'member' }, pk: { S: 'M' } };
    const sizes = await sizeTransactWrites(
      [
        { TransactItems: [put('order', 1_200), { Update: { Key: { pk: { S: 'M' } } } }] },
        { TransactItems: [put('order', 100), { Update: { Key: { pk: { S: 'M' } } } }] },
      ],
      async (key) => {
        reads.push(JSON.stringify(key));
        return member;
      },
    );
    expect(reads).toHaveLength(1);
    expect(sizes.wcuPerWrite).toBe((4 + 2 + 2 + 2) / 2);
    expect(sizes.largestBytes).toEqual({ order: 6 + 5 + 3 + 1_200, member: 6 + 6 + 2 + 1 });
    expect(sizes.smallestBytes.order).toBe(6 + 5 + 3 + 100);
  });

  it('refuses an item it cannot size', async () => {
    await expect(
      sizeTransactWrites([{ TransactItems: [{ Update: { Key: { pk: { S: 'gone' } } } }] }], async () => undefined),
    ).rejects.toThrow(/Cannot size/);
  });
});
