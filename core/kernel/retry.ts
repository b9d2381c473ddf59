// Optimistic writes: read, decide, write under a condition on what was read. When another write
// got there first the condition fails; reading and deciding again is always safe, because nothing
// was written. One helper, one backoff, for every use case.
import { timeLeft } from './deadline';
import { ConcurrentUpdate } from './errors';

/**
 * A conditional write lost: `tags` say which conditions failed ("member:<id>", "lot:<id>",
 * "order", "limit", ...), as the store names them; `busy` when the items were only locked by a
 * concurrent transaction (no condition failed). Nothing of the write was applied.
 */
export class WriteConflict extends Error {
  constructor(
    readonly tags: string[],
    readonly busy = false,
  ) {
    super(busy ? 'Write conflict: items locked by a concurrent transaction' : `Write conflict on ${tags.join(', ')}`);
    this.name = 'WriteConflict';
  }

  /** Whether a condition with this tag (or this tag prefix, "member" for "member:alice") failed. */
  has(prefix: string): boolean {
    return this.tags.some((t) => t === prefix || t.startsWith(`${prefix}:`));
  }
}

/** Attempts before giving up: enough for dozens of concurrent writers of one member to each get through. */
export const MAX_WRITE_ATTEMPTS = 12;

/** Time an attempt needs at least (reads and a write): no retry starts with less than this left. */
export const MIN_ATTEMPT_MS = 250;

/** Full jitter, capped: contenders spread out so each round one of them wins. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(200, 10 * 2 ** Math.min(attempt, 5));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  maxAttempts?: number;
  /** Which conflicts to retry (default: all); the others go to the caller as they are. */
  retryIf?: (conflict: WriteConflict) => boolean;
  /** Called before each retry (metrics). */
  onRetry?: (attempt: number, conflict: WriteConflict) => void;
  sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` (read, decide, write) until it returns. A WriteConflict it lets through means
 * another write got there first: read and decide again after a backoff. Conflicts the attempt can
 * explain (a duplicate request, a limit reached) it handles itself before they reach here. When
 * every attempt lost, or the request's deadline (kernel/deadline) leaves no time for another,
 * ConcurrentUpdate names `what` kept changing (a 409 with Retry-After).
 */
export async function retryOnConflict<T>(
  what: string,
  attempt: (n: number) => Promise<T>,
  opts: RetryOptions = {},
): Promise<T> {
  const max = opts.maxAttempts ?? MAX_WRITE_ATTEMPTS;
  let longest = 0;
  for (let n = 1; ; n++) {
    const started = Date.now();
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof WriteConflict) || (opts.retryIf && !opts.retryIf(err))) throw err;
      longest = Math.max(longest, Date.now() - started);
      const wait = backoffMs(n);
      // Out of attempts, or of the request's time (another attempt may take half again the longest
      // so far): say so (409, retry later) while there is time to answer.
      if (n >= max || timeLeft() < wait + Math.max(MIN_ATTEMPT_MS, 1.5 * longest)) throw new ConcurrentUpdate(what);
      opts.onRetry?.(n, err);
      await (opts.sleep ?? sleep)(wait);
    }
  }
}
