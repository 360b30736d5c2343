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
  const [status, ledger] = await Promise.all([subscriptionStatus(deps, user), deps.credits.get(user.sub)]);
  return { ...status, credits: creditsView(ledger) };
}
