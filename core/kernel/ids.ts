import { createHash, randomBytes } from 'node:crypto';

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

/**
 * A ULID-shaped id that is a function of what it names: the time part from `at`, the rest from a
 * SHA-256 of `parts`. The same change read twice (a retried batch, a replayed stream) gets the same id.
 */
export function changeEventId(at: string, ...parts: string[]): string {
  let time = '';
  let t = Math.max(0, Date.parse(at) || 0);
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return time + Array.from(digest.subarray(0, 16), (b) => CROCKFORD[b % 32]).join('');
}
