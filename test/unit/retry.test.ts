import { describe, expect, it } from 'vitest';
import { timeLeft, withDeadline } from '../../core/kernel/deadline';
import { ConcurrentUpdate } from '../../core/kernel/errors';
import { MAX_WRITE_ATTEMPTS, retryOnConflict, WriteConflict } from '../../core/kernel/retry';

const noSleep = async () => {};

describe('retryOnConflict', () => {
  it('reads and decides again after a conflict, and returns what the winning attempt returns', async () => {
    let calls = 0;
    const out = await retryOnConflict(
      'x',
      async () => {
        if (++calls < 3) throw new WriteConflict(['member:a']);
        return 'done';
      },
      { sleep: noSleep },
    );
    expect([out, calls]).toEqual(['done', 3]);
  });

  it('after the bounded attempts, a ConcurrentUpdate (409 with Retry-After), never the raw conflict', async () => {
    let calls = 0;
    const run = retryOnConflict(
      'Order "o-1"',
      async () => {
        calls++;
        throw new WriteConflict([], true);
      },
      { sleep: noSleep },
    );
    await expect(run).rejects.toBeInstanceOf(ConcurrentUpdate);
    expect(calls).toBe(MAX_WRITE_ATTEMPTS);
  });

  it('does not start an attempt the request has no time left for', async () => {
    let calls = 0;
    const run = withDeadline(Date.now() + 100, () =>
      retryOnConflict(
        'x',
        async () => {
          calls++;
          throw new WriteConflict(['order']);
        },
        { sleep: noSleep },
      ),
    );
    await expect(run).rejects.toBeInstanceOf(ConcurrentUpdate);
    expect(calls).toBe(1); // 100 ms left < the 250 ms an attempt needs
  });

  it('lets every other error through at once', async () => {
    let calls = 0;
    const boom = new Error('boom');
    await expect(
      retryOnConflict('x', async () => {
        calls++;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
  });
});

describe('deadline', () => {
  it('is Infinity outside a request and counts down inside one, through awaits', async () => {
    expect(timeLeft()).toBe(Number.POSITIVE_INFINITY);
    await withDeadline(Date.now() + 5_000, async () => {
      await new Promise((r) => setTimeout(r, 5));
      expect(timeLeft()).toBeGreaterThan(4_000);
      expect(timeLeft()).toBeLessThanOrEqual(5_000);
    });
    expect(timeLeft()).toBe(Number.POSITIVE_INFINITY);
  });
});
