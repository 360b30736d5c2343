import { InvalidInputError } from '../domain/errors';
import * as z from '../domain/zod-mini';

/** The part of the Lambda context a scheduled handler uses. */
export interface TimeLimitedContext {
  getRemainingTimeInMillis(): number;
}

/** EventBridge Scheduler / rule payload: nothing in it is needed, but it must look like a schedule event. */
const scheduledEventSchema = z.union([z.looseObject({ source: z.optional(z.string()) }), z.null(), z.undefined()]);

/** Throws InvalidInputError unless `event` looks like a schedule event. */
export function assertScheduledEvent(event: unknown): void {
  if (!scheduledEventSchema.safeParse(event).success) throw new InvalidInputError('not a scheduled event');
}

/** The Lambda context of a run that needs its time limit; InvalidInputError when the caller passed none. */
export function requireTimeLimit<C extends TimeLimitedContext>(context: C | undefined, what: string): C {
  if (!context) throw new InvalidInputError(`${what} needs the Lambda context (its time limit)`);
  return context;
}
