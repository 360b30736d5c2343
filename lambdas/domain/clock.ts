/** The time the rules see: injected so tests, the local stack and AWS each give their own. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
