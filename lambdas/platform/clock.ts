import { type Clock, systemClock } from '../domain/clock';

/** A clock that may need to catch up with an outside source before each invocation. */
export interface RuntimeClock extends Clock {
  sync(): Promise<void>;
}

/**
 * The handlers' notion of "now". In AWS: the system clock. On the local stack, `EMULATOR_CLOCK_URL` names the Stripe
 * emulator's clock (`GET /_emulator/clock` -> `{ now }` in epoch seconds): when a test or the demo advances Stripe's
 * time, trials and grace periods end for the handlers too. The offset is refreshed before every invocation.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv): RuntimeClock {
  const url = env.EMULATOR_CLOCK_URL;
  if (!url) return { now: () => systemClock.now(), sync: async () => undefined };
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    async sync() {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`emulator clock ${url} answered ${response.status}`);
      const body = (await response.json()) as { now?: unknown };
      if (typeof body.now !== 'number') throw new Error(`emulator clock ${url} sent no numeric "now"`);
      offsetMs = body.now * 1000 - Date.now();
    },
  };
}
