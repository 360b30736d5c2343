/**
 * Consuming credits (POST /credits/consume): one pure step over the user's ledger. A consumption is keyed by the
 * caller's idempotency key: the ledger remembers each successful one for 24 hours (as Stripe does its keys), so a
 * replay answers the first result and debits once. The balance never goes below zero by consumption. Pure module.
 */

import { type CreditAuditEntry, creditAuditEntry } from './credit-audit';
import type { Consumption, CreditLedger } from './credit-ledger';

export interface ConsumeRequest {
  idempotencyKey: string;
  amount: number;
}

export type ConsumeStep =
  | { kind: 'consumed'; ledger: CreditLedger & { pendingAudit: CreditAuditEntry[] }; consumption: Consumption }
  /** The key was used before with the same amount: its first result, nothing debited. */
  | { kind: 'replayed'; consumption: Consumption }
  /** The key was used before with another amount: refused, nothing debited. */
  | { kind: 'key-reused'; consumption: Consumption }
  /** Not enough credits (a negative balance never is): refused, nothing debited, not remembered. */
  | { kind: 'insufficient'; balance: number };

/** How long a consumption's key is remembered. */
export const CONSUMPTION_KEY_TTL_MS = 24 * 3600 * 1000;
/** Most keys a ledger keeps (the oldest go first past it): bounds the item well under DynamoDB's 400 KB. */
export const MAX_REMEMBERED_CONSUMPTIONS = 1000;

/** The keys still remembered at `now`, oldest dropped past the limit. */
export function rememberedConsumptions(
  consumed: Record<string, Consumption> | undefined,
  now: Date,
): Record<string, Consumption> {
  const fresh = Object.entries(consumed ?? {})
    .filter(([, c]) => now.getTime() - Date.parse(c.at) < CONSUMPTION_KEY_TTL_MS)
    .sort(([, a], [, b]) => a.at.localeCompare(b.at));
  return Object.fromEntries(fresh.slice(Math.max(0, fresh.length - MAX_REMEMBERED_CONSUMPTIONS)));
}

export function consumeStep(ledger: CreditLedger, request: ConsumeRequest, now: Date): ConsumeStep {
  const remembered = rememberedConsumptions(ledger.consumed, now);
  const earlier = remembered[request.idempotencyKey];
  if (earlier)
    return earlier.amount === request.amount
      ? { kind: 'replayed', consumption: earlier }
      : { kind: 'key-reused', consumption: earlier };
  if (ledger.balance < request.amount) return { kind: 'insufficient', balance: ledger.balance };
  const consumption: Consumption = {
    amount: request.amount,
    balanceAfter: ledger.balance - request.amount,
    at: now.toISOString(),
  };
  const audit = creditAuditEntry({
    sub: ledger.sub,
    type: 'credits.consumed',
    ref: request.idempotencyKey,
    credits: -request.amount,
    balanceBefore: ledger.balance,
    ledgerVersion: ledger.version + 1,
    at: now,
  });
  return {
    kind: 'consumed',
    consumption,
    ledger: {
      ...ledger,
      balance: consumption.balanceAfter,
      version: ledger.version + 1,
      consumed: { ...remembered, [request.idempotencyKey]: consumption },
      updatedAt: now.toISOString(),
      pendingAudit: [audit],
    },
  };
}
