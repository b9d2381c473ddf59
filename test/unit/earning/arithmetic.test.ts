import { describe, expect, it } from 'vitest';
import { formatRatio, largestRemainder, parseDecimal, roundRatio } from '../../../core/earning/domain';

describe('exact arithmetic', () => {
  it('parses decimal strings into exact ten-thousandths', () => {
    expect(['1', '1.5', '0.0001', '2.25', '12.3456'].map(parseDecimal)).toEqual([10000n, 15000n, 1n, 22500n, 123456n]);
  });

  it('rejects decimals with more than four places or a sign', () => {
    expect(() => parseDecimal('0.00001')).toThrow(RangeError);
    expect(() => parseDecimal('-1')).toThrow(RangeError);
    expect(() => parseDecimal('1e3')).toThrow(RangeError);
  });

  it('rounds floor, half-up and ceil as named', () => {
    const cases: [bigint, bigint][] = [
      [5n, 2n],
      [7n, 3n],
      [8n, 3n],
      [6n, 3n],
      [0n, 7n],
    ];
    expect(cases.map(([n, d]) => roundRatio(n, d, 'floor'))).toEqual([2n, 2n, 2n, 2n, 0n]);
    expect(cases.map(([n, d]) => roundRatio(n, d, 'round-half-up'))).toEqual([3n, 2n, 3n, 2n, 0n]);
    expect(cases.map(([n, d]) => roundRatio(n, d, 'ceil'))).toEqual([3n, 3n, 3n, 2n, 0n]);
  });

  it('splits a total by largest remainder, summing exactly, ties to the earlier index', () => {
    expect(largestRemainder(10, [1n, 1n, 1n])).toEqual([4, 3, 3]);
    expect(largestRemainder(100, [1n, 2n, 3n])).toEqual([17, 33, 50]);
    expect(largestRemainder(7, [0n, 5n, 0n])).toEqual([0, 7, 0]);
    expect(largestRemainder(5, [0n, 0n])).toEqual([3, 2]);
    expect(largestRemainder(0, [])).toEqual([]);
  });

  it('formats ratios for descriptions, marking approximations', () => {
    expect([formatRatio(25n, 2n), formatRatio(10n, 5n), formatRatio(1n, 3n)]).toEqual(['12.5', '2', '~0.33']);
  });
});
