// The time a request has left. An API call has a deadline (its Lambda's remaining time, less a
// margin to answer in); work that could go on (retrying a conflict) checks it and gives up in
// time to say so, instead of being cut off mid-flight. Outside a request there is no deadline.
import { AsyncLocalStorage } from 'node:async_hooks';

const deadlines = new AsyncLocalStorage<number>();

/** Runs `fn` with a deadline (epoch milliseconds) that everything it awaits can read. */
export function withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  return deadlines.run(deadline, fn);
}

/** Milliseconds until the current deadline; Infinity when nothing set one. */
export function timeLeft(now: number = Date.now()): number {
  const deadline = deadlines.getStore();
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - now;
}
