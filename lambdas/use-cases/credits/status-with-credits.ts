import { creditsView, type StatusWithCreditsView } from '../../domain/credits-view';
import type { CreditLedgerStore } from '../../ports/credit-ports';
import { type SubscriptionStatusDeps, subscriptionStatus, type TokenUser } from '../entitlement/subscription-status';

export interface StatusWithCreditsDeps extends SubscriptionStatusDeps {
  credits: Pick<CreditLedgerStore, 'get'>;
}

/**
 * GET /subscription/status: the subscription status (with its healing) and the credit balance, read side by side;
 * a user who never bought a pack has a balance of 0.
 */
export async function statusWithCredits(deps: StatusWithCreditsDeps, user: TokenUser): Promise<StatusWithCreditsView> {
  // Settled side by side: a failed balance read answers its error only once the status (and any healing it does)
  // has finished, so a retry never races a heal still running.
  const [status, ledger] = await Promise.allSettled([subscriptionStatus(deps, user), deps.credits.get(user.sub)]);
  if (status.status === 'rejected') throw status.reason;
  if (ledger.status === 'rejected') throw ledger.reason;
  return { ...status.value, credits: creditsView(ledger.value) };
}
