import { AppError } from './errors';
import { describeIssues } from './validation-issues';
import * as z from './zod-mini';

/**
 * What every Stripe schema and normaliser shares: the error a malformed object raises, the validation helper that
 * raises it, the field shapes Stripe repeats on every object, and the reading of ids and of our user's sub.
 */

export class InvalidStripeEventError extends AppError {
  override name = 'InvalidStripeEventError';
}

export const epochSeconds = z.number().check(z.int(), z.nonnegative());
export const metadataSchema = z.nullish(z.record(z.string(), z.string()));
/** An id reference that Stripe may also send expanded. */
export const idRef = z.union([
  z.string().check(z.minLength(1)),
  z.looseObject({ id: z.string().check(z.minLength(1)) }),
]);

/** Validates `value`; its issues become an InvalidStripeEventError (a 400) naming the field. */
export function parseWith<S extends z.ZodMiniType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = z.safeParse(schema, value);
  if (!result.success) {
    throw new InvalidStripeEventError(`invalid ${what}: ${describeIssues(result.error)}`);
  }
  return result.data;
}

export function idOf(ref: string | { id: string } | null | undefined): string | null {
  if (ref === null || ref === undefined) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

/** Metadata keys that name our user, newest convention first. */
const SUB_METADATA_KEYS = ['cognito_sub', 'cognito_user_id', 'user_id', 'userId'] as const;

export function subFromMetadata(metadata: Record<string, string> | null | undefined): string | null {
  for (const key of SUB_METADATA_KEYS) {
    const value = metadata?.[key]?.trim();
    if (value) return value;
  }
  return null;
}
