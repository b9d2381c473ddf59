import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom: number[] = [];

/**
 * ULID: 48-bit millisecond time + 80 random bits, sortable by time. Ids made in the same
 * millisecond by this process increase (the random part counts up), so items keyed by them sort
 * in the order they were recorded.
 */
export function ulid(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (now === lastTime && increment(lastRandom)) return time + lastRandom.map((d) => CROCKFORD[d]).join('');
  const bytes = randomBytes(16);
  lastRandom = Array.from(bytes, (b) => b % 32);
  lastTime = now;
  return time + lastRandom.map((d) => CROCKFORD[d]).join('');
}

/** Adds one to base-32 digits in place; false when they were all at the top (then draw afresh). */
function increment(digits: number[]): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}

/** `length` characters of Crockford base32 (no I, L, O, U) from crypto randomness: codes people type. */
export function randomCode(length: number): string {
  return Array.from(randomBytes(length), (b) => CROCKFORD[b % 32]).join('');
}

/** Ids supplied by clients (members, orders, programs) may not contain the key separator '#'. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/;
export const CLIENT_ID_RULE = '1-128 characters: letters, digits and . _ : @ + - (starting with a letter or digit)';
