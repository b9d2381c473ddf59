// Exact integer arithmetic for points. Rates and factors are decimal strings ("1.5") held as
// bigint ten-thousandths, so "1.5 points per USD" on USD 0.03 stays the exact ratio 45000/1000000
// until the single, explicit rounding step.

export const DECIMAL_PLACES = 4;
/** Scale of a parsed decimal: "1.5" -> 15000n. */
export const SCALE = 10n ** BigInt(DECIMAL_PLACES);

export type RoundingMode = 'floor' | 'round-half-up' | 'ceil';

const DECIMAL = /^(\d{1,9})(?:\.(\d{1,4}))?$/;

/** "1.5" -> 15000n. Throws RangeError on anything the rule schema would have rejected. */
export function parseDecimal(text: string): bigint {
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a decimal with at most ${DECIMAL_PLACES} places: "${text}"`);
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').padEnd(DECIMAL_PLACES, '0');
  return BigInt(whole) * SCALE + BigInt(fraction);
}

/** Rounds the non-negative ratio num/den to an integer. */
export function roundRatio(num: bigint, den: bigint, mode: RoundingMode): bigint {
  if (num < 0n || den <= 0n) throw new RangeError('roundRatio expects num >= 0 and den > 0');
  switch (mode) {
    case 'floor':
      return num / den;
    case 'ceil':
      return (num + den - 1n) / den;
    case 'round-half-up':
      return (2n * num + den) / (2n * den);
  }
}

/** "12.5" for 25/2; at most `places` decimals, trailing zeros trimmed. For descriptions only. */
export function formatRatio(num: bigint, den: bigint, places = 2): string {
  const scale = 10n ** BigInt(places);
  const scaled = (num * scale) / den;
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(places, '0').replace(/0+$/, '');
  const approx = scaled * den !== num * scale ? '~' : '';
  return `${approx}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** 15000n -> "1.5". */
export function formatDecimal(scaled: bigint): string {
  return formatRatio(scaled, SCALE, DECIMAL_PLACES);
}

/**
 * Splits the non-negative integer `total` over `weights` in proportion, by largest remainder:
 * every share is floor(total * w / sum) or one more, the shares sum to `total` exactly, and
 * ties go to the earlier index so the split is deterministic. With all weights zero the split is
 * even (again by largest remainder).
 */
export function largestRemainder(total: number, weights: readonly bigint[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`cannot split ${total}`);
  if (weights.length === 0) {
    if (total !== 0) throw new RangeError('cannot split points over nothing');
    return [];
  }
  const sum = weights.reduce((a, b) => a + b, 0n);
  const effective = sum === 0n ? weights.map(() => 1n) : weights;
  const divisor = sum === 0n ? BigInt(weights.length) : sum;
  const target = BigInt(total);
  const shares = effective.map((w) => (target * w) / divisor);
  const remainders = effective.map((w, index) => ({ index, remainder: (target * w) % divisor }));
  let left = target - shares.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0n) break;
    shares[index] = (shares[index] ?? 0n) + 1n;
    left -= 1n;
  }
  return shares.map(Number);
}
