/** Time is injected so every rule and schedule can run "as of" any instant in tests and jobs. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let t = Date.parse(iso);
  return {
    now: () => new Date(t),
    set: (v) => {
      t = Date.parse(v);
    },
    advance: (ms) => {
      t += ms;
    },
  };
}
