import {
  type AccountDeletionSettings,
  DEFAULT_ACCOUNT_DELETION,
  deletionSettingsProblem,
} from '../domain/account-deletion';
import * as z from '../domain/zod-mini';
import { ConfigError, parseEnv } from './config';

/**
 * The stage's account-deletion settings (lib/stage-config.ts `accountDeletion`), as CDK passes them to the
 * functions that delete accounts (DELETE /account, reconcile). Unset variables take the defaults (the local stack).
 */
export const ACCOUNT_DELETION_VARIABLES = [
  'ACCOUNT_DELETION_SUBSCRIPTIONS',
  'ACCOUNT_DELETION_CUSTOMER',
  'ORPHAN_SUBSCRIPTIONS',
] as const;

export const accountDeletionEnvSchema = z.object({
  /** A user's own deletion: their subscriptions end now, or at the end of the paid period. */
  ACCOUNT_DELETION_SUBSCRIPTIONS: z._default(
    z.enum(['cancel-now', 'cancel-at-period-end']),
    DEFAULT_ACCOUNT_DELETION.user.subscriptions,
  ),
  /** A user's own deletion: the Stripe customer is deleted, or kept for accounting without PII and link. */
  ACCOUNT_DELETION_CUSTOMER: z._default(z.enum(['delete', 'anonymise']), DEFAULT_ACCOUNT_DELETION.user.customer),
  /** A profile whose Cognito user was deleted by an operator: its subscriptions are canceled, or kept. */
  ORPHAN_SUBSCRIPTIONS: z._default(z.enum(['cancel-now', 'keep']), DEFAULT_ACCOUNT_DELETION.orphan.subscriptions),
});

export function accountDeletionSettingsFromEnv(env: NodeJS.ProcessEnv): AccountDeletionSettings {
  const parsed = parseEnv(accountDeletionEnvSchema, env);
  const settings: AccountDeletionSettings = {
    user: { subscriptions: parsed.ACCOUNT_DELETION_SUBSCRIPTIONS, customer: parsed.ACCOUNT_DELETION_CUSTOMER },
    orphan: { subscriptions: parsed.ORPHAN_SUBSCRIPTIONS },
  };
  const problem = deletionSettingsProblem(settings);
  if (problem) throw new ConfigError(`Invalid Lambda configuration: ACCOUNT_DELETION_SUBSCRIPTIONS: ${problem}`);
  return settings;
}
