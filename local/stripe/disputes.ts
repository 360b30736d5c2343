import { type Billing, updateAndEmit } from './context';
import { StripeApiError } from './errors';
import { newId } from './store';
import type { Charge, Dispute } from './types';

/**
 * Disputes (https://docs.stripe.com/disputes/api, https://docs.stripe.com/disputes/responding): a disputed charge
 * gets a dispute (`needs_response`): `charge.dispute.created` and `charge.dispute.funds_withdrawn`. Submitting
 * evidence puts it `under_review` (`charge.dispute.updated`); closing it accepts the loss (`lost`,
 * `charge.dispute.closed`). Test mode (https://docs.stripe.com/testing#disputes): card 4000000000000259 is disputed
 * as fraudulent right after the payment; evidence text `winning_evidence` wins (`won`, `charge.dispute.closed`,
 * `charge.dispute.funds_reinstated`), `losing_evidence` loses. Other evidence stays under review.
 */

const OPEN = new Set(['warning_needs_response', 'needs_response', 'warning_under_review', 'under_review']);

export function openDispute(billing: Billing, charge: Charge, at: number, reason = 'fraudulent'): Dispute {
  delete billing.store.internal(charge.id).disputeAt;
  if (charge.disputed) throw new StripeApiError(400, `Charge ${charge.id} is already disputed.`);
  const dispute = billing.store.put<Dispute>({
    id: newId('du'),
    object: 'dispute',
    amount: charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created: at,
    currency: charge.currency,
    evidence: { uncategorized_text: null, customer_email_address: null, product_description: null },
    evidence_details: { due_by: at + 7 * 86400, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason,
    status: 'needs_response',
  } as Dispute);
  charge.disputed = true;
  billing.emit('charge.dispute.created', dispute, charge.customer, { at });
  billing.emit('charge.dispute.funds_withdrawn', dispute, charge.customer, { at });
  return dispute;
}

function customerOf(billing: Billing, dispute: Dispute): string | null {
  return billing.store.get<Charge>(dispute.charge, 'charge')?.customer ?? null;
}

/** `POST /v1/disputes/:id`: evidence, submitted unless `submit=false`. */
export function updateDispute(
  billing: Billing,
  dispute: Dispute,
  change: { evidence?: Record<string, string>; submit: boolean; metadata?: Record<string, string> },
): Dispute {
  if (!OPEN.has(dispute.status)) throw new StripeApiError(400, `This dispute is already closed (${dispute.id}).`);
  const at = billing.now();
  updateAndEmit(
    billing,
    'charge.dispute.updated',
    dispute,
    customerOf(billing, dispute),
    (d) => {
      if (change.metadata) d.metadata = change.metadata;
      if (change.evidence) d.evidence = { ...d.evidence, ...change.evidence };
      if (change.submit) {
        d.status = 'under_review';
        d.evidence_details = {
          ...d.evidence_details,
          has_evidence: true,
          submission_count: d.evidence_details.submission_count + 1,
        };
      }
    },
    at,
  );
  const text = String(dispute.evidence.uncategorized_text ?? '');
  const outcome = text.includes('winning_evidence') ? 'won' : text.includes('losing_evidence') ? 'lost' : undefined;
  if (change.submit && outcome) {
    Object.assign(billing.store.internal(dispute.id), {
      closesAt: at + billing.settings.disputeResolutionDelay,
      outcome,
    });
  }
  return dispute;
}

/** `POST /v1/disputes/:id/close`: the merchant accepts the dispute, it is lost. */
export function acceptDispute(billing: Billing, dispute: Dispute): Dispute {
  if (dispute.status !== 'needs_response' && dispute.status !== 'warning_needs_response') {
    throw new StripeApiError(400, `This dispute can no longer be closed (${dispute.status}).`);
  }
  resolveDispute(billing, dispute, 'lost', billing.now());
  return dispute;
}

/** The card network's decision: `charge.dispute.closed` (+ `charge.dispute.funds_reinstated` when won). */
export function resolveDispute(billing: Billing, dispute: Dispute, outcome: 'won' | 'lost', at: number): void {
  const facts = billing.store.internal(dispute.id);
  delete facts.closesAt;
  delete facts.outcome;
  const customer = customerOf(billing, dispute);
  updateAndEmit(
    billing,
    'charge.dispute.closed',
    dispute,
    customer,
    (d) => {
      d.status = outcome;
    },
    at,
  );
  if (outcome === 'won') billing.emit('charge.dispute.funds_reinstated', dispute, customer, { at });
}

/** A cardholder disputes a charge (the emulator's control; test card 4000000000000259 does it by itself). */
export function disputeCharge(billing: Billing, chargeId: string, reason = 'fraudulent'): Dispute {
  const charge = billing.charge(chargeId);
  if (charge.status !== 'succeeded') throw new StripeApiError(400, `Charge ${charge.id} did not succeed.`);
  return openDispute(billing, charge, billing.now(), reason);
}
