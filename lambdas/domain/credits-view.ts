import type { CreditLedger } from './credit-ledger';
import type { SubscriptionStatusView } from './status-view';

/**
 * The caller's credits as GET /subscription/status shows them (platform/api-schemas.ts holds the matching zod
 * schema). Pure module.
 */
export interface CreditsView {
  /** Credits left; negative only when credits of a refunded or disputed pack were already spent. */
  balance: number;
}

export type StatusWithCreditsView = SubscriptionStatusView & { credits: CreditsView };

/** A user who never bought a pack has no ledger: a balance of 0. */
export function creditsView(ledger: Pick<CreditLedger, 'balance'> | undefined): CreditsView {
  return { balance: ledger?.balance ?? 0 };
}
