import type { StageConfig } from './stage-config';

/**
 * The stage's account-deletion settings as the Lambda variables lambdas/platform/account-deletion-config.ts parses
 * (set on every function whose contract lists them: DELETE /account and reconcile).
 */
export function accountDeletionEnvironment(config: Pick<StageConfig, 'accountDeletion'>): Record<string, string> {
  const { user, orphan } = config.accountDeletion;
  return {
    ACCOUNT_DELETION_SUBSCRIPTIONS: user.subscriptions,
    ACCOUNT_DELETION_CUSTOMER: user.customer,
    ORPHAN_SUBSCRIPTIONS: orphan.subscriptions,
  };
}
