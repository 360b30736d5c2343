import { emptyLedger, grantSale, type PackSale } from '../../domain/credit-ledger';
import { DependencyUnavailableError } from '../../domain/errors';
import { logger } from '../../platform/logger';
import type { Clock } from '../../ports/app-ports';
import type { CreditBook } from '../../ports/credit-ports';
import { commitLedger, reputPending } from './commit-ledger';

export interface CreditSaleDeps {
  credits: CreditBook;
  clock: Clock;
}

export type CreditSaleOutcome = { kind: 'granted' | 'already-granted'; sub: string; balance: number };

/** Lost write races retried before the delivery fails (Stripe, or reconcile, retries it). */
const MAX_ATTEMPTS = 5;

/**
 * Credits a paid pack sale to `sub` exactly once: read the ledger, add the grant keyed by the Checkout Session
 * (already there: nothing but its audit entry re-put), write conditional on the version read with the grant's
 * AuditLog entry, re-read on a lost race. Any delivery order and any duplication of the session's events credit it
 * once and audit it once.
 */
export async function creditSale(
  deps: CreditSaleDeps,
  sub: string,
  sale: PackSale,
  eventId: string,
): Promise<CreditSaleOutcome> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const stored = await deps.credits.ledger.get(sub);
    const now = deps.clock.now();
    const step = grantSale(stored ?? emptyLedger(sub, now), sale, eventId, now);
    if (step.kind === 'already-granted') {
      if (stored) await reputPending(deps.credits, stored, sale.sessionId);
      return { kind: 'already-granted', sub, balance: stored?.balance ?? 0 };
    }
    const outcome = await commitLedger(deps.credits, stored, { ...step.ledger, pendingAudit: [step.audit] });
    if (outcome === 'written') {
      logger.info('credits granted', {
        sub,
        eventId,
        sessionId: sale.sessionId,
        pack: sale.pack,
        credits: sale.credits,
        balance: step.ledger.balance,
      });
      return { kind: 'granted', sub, balance: step.ledger.balance };
    }
  }
  throw new DependencyUnavailableError('dynamodb', `credit ledger of ${sub} kept changing; the retry credits it`);
}
