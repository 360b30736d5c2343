import { z } from 'zod';

/** Response of DELETE /account (lambdas/handlers/delete-account.ts), also in the OpenAPI document. Pure: zod only. */
export const deleteAccountResponseSchema = z
  .object({
    deleted: z.literal(true),
    deletedAt: z.iso.datetime({ offset: true }).meta({ description: 'When the deletion finished.' }),
    subscriptions: z.enum(['cancel-now', 'cancel-at-period-end', 'keep']).meta({
      description:
        'What happened to the Stripe subscriptions: ended at once, or left to run out at the end of the paid period.',
    }),
    customer: z.enum(['delete', 'anonymise', 'keep', 'none']).meta({
      description:
        'What happened to the Stripe customer: deleted, or kept for accounting without personal data and link (`none`: there was none).',
    }),
  })
  .meta({ description: 'The account is gone; the same answer for a repeated request.' });

export type DeleteAccountResponse = z.output<typeof deleteAccountResponseSchema>;
