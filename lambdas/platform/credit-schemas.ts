import { z } from 'zod';

/** Request and responses of POST /credits/consume (lambdas/handlers/consume-credits.ts), also in OpenAPI. Pure: zod. */

const KEY_MESSAGE = 'must be 1 to 255 printable ASCII characters';
/** An idempotency key as Stripe takes them: up to 255 characters (printable ASCII, no spaces). */
export const idempotencyKeySchema = z
  .string({ error: KEY_MESSAGE })
  .regex(/^[\x21-\x7e]{1,255}$/, { error: KEY_MESSAGE })
  .meta({ description: 'Any unique value per intended consumption (a UUID); the `Idempotency-Key` header instead.' });

const AMOUNT_MESSAGE = 'must be a whole number from 1 to 1000000';

export const consumeCreditsRequestSchema = z
  .strictObject(
    {
      amount: z
        .number({ error: AMOUNT_MESSAGE })
        .int({ error: AMOUNT_MESSAGE })
        .min(1, { error: AMOUNT_MESSAGE })
        .max(1_000_000, { error: AMOUNT_MESSAGE })
        .meta({ description: 'Credits to consume.' }),
      idempotencyKey: idempotencyKeySchema.optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
  )
  .meta({
    description:
      'Consumes `amount` credits once per idempotency key, given as the `Idempotency-Key` header or the ' +
      '`idempotencyKey` field (both: they must be equal).',
  });

export const consumeCreditsResponseSchema = z
  .object({
    consumed: z.number().int().min(1).meta({ description: 'Credits debited by this key.' }),
    balance: z.number().int().min(0).meta({ description: 'The balance right after this consumption.' }),
    replayed: z.boolean().meta({
      description: 'True when the key was used before: this is its first answer, nothing was debited again.',
    }),
  })
  .meta({ description: 'The credits are consumed.' });

export const insufficientCreditsResponseSchema = z
  .object({
    error: z.object({ code: z.literal('insufficient_credits'), message: z.string() }),
    credits: z.object({ balance: z.number().int().meta({ description: 'The balance now (may be negative).' }) }),
  })
  .meta({ description: 'Not enough credits: nothing was debited.' });
