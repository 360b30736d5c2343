import { type Billing, updateAndEmit } from './context';
import { invalidParameter, missingParameter, StripeApiError } from './errors';
import { newId } from './store';
import type { Charge, Refund } from './types';

/**
 * Refunds (https://docs.stripe.com/refunds, https://docs.stripe.com/api/refunds): full or partial, of any succeeded
 * charge (a subscription invoice's or a one-off payment's, however old), at most the unrefunded amount. Events:
 * `refund.created` and `charge.refunded` (the charge with `amount_refunded`, `refunded` once fully refunded); since
 * 2024-10-28 `refund.created/updated/failed` apply to every refund. Test card 4000000000005126
 * (https://docs.stripe.com/testing#refunds): the refund starts `succeeded`, later becomes `failed` (`refund.failed`,
 * `refund.updated`) and the amount is no longer refunded.
 */

/** Seconds after which a refund of a 4000000000005126 charge fails (Stripe: "some time later"). */
export const REFUND_FAILS_AFTER = 3600;

const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;

export interface NewRefund {
  charge?: string;
  paymentIntent?: string;
  amount?: number;
  reason?: string;
  metadata: Record<string, string>;
}

export function createRefund(billing: Billing, input: NewRefund): Refund {
  const charge = refundableCharge(billing, input);
  const remaining = charge.amount - charge.amount_refunded;
  const amount = input.amount ?? remaining;
  if (amount < 1) throw invalidParameter('amount', 'Refund amount must be at least 1 cent.');
  if (amount > remaining) {
    throw invalidParameter(
      'amount',
      `Refund amount (${money(amount)}) is greater than unrefunded amount on charge (${money(remaining)})`,
      'amount_too_large',
    );
  }
  const at = billing.now();
  const refund = billing.store.put<Refund>({
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: at,
    currency: charge.currency,
    customer: charge.customer,
    destination_details: {
      type: 'card',
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
    },
    failure_reason: null,
    metadata: input.metadata,
    payment_intent: charge.payment_intent,
    reason: input.reason ?? null,
    receipt_number: null,
    status: 'succeeded',
  } as Refund);
  if (billing.store.internal(charge.id).behaviour === 'refund_fails')
    billing.store.internal(refund.id).failsAt = at + REFUND_FAILS_AFTER;
  billing.emit('refund.created', refund, charge.customer, { at });
  updateAndEmit(
    billing,
    'charge.refunded',
    charge,
    charge.customer,
    (c) => {
      c.amount_refunded += amount;
      c.refunded = c.amount_refunded >= c.amount;
      c.refunds = { ...(c.refunds as object), data: [refund, ...(c.refunds as { data: Refund[] }).data] };
    },
    at,
  );
  return refund;
}

function refundableCharge(billing: Billing, input: NewRefund): Charge {
  if (!input.charge && !input.paymentIntent) throw missingParameter('charge');
  const charge = input.charge
    ? billing.charge(input.charge, 'charge')
    : billing.charge(
        String(billing.paymentIntent(input.paymentIntent as string, 'payment_intent').latest_charge),
        'payment_intent',
      );
  if (charge.status !== 'succeeded') {
    throw new StripeApiError(400, `Charge ${charge.id} has not succeeded and cannot be refunded.`, {
      code: 'charge_not_refundable',
    });
  }
  if (charge.disputed) {
    throw new StripeApiError(400, `Charge ${charge.id} has been charged back; cannot issue a refund.`, {
      code: 'charge_disputed',
    });
  }
  if (charge.amount_refunded >= charge.amount) {
    throw new StripeApiError(400, `Charge ${charge.id} has already been refunded.`, {
      code: 'charge_already_refunded',
    });
  }
  return charge;
}

/** The later failure of a refund (test card 4000000000005126). */
export function failRefund(billing: Billing, refund: Refund, at: number): void {
  delete billing.store.internal(refund.id).failsAt;
  const charge = billing.charge(refund.charge);
  refund.status = 'failed';
  refund.failure_reason = 'expired_or_canceled_card';
  billing.emit('refund.updated', refund, charge.customer, {
    at,
    previous: { status: 'succeeded', failure_reason: null },
  });
  billing.emit('refund.failed', refund, charge.customer, { at });
  charge.amount_refunded -= refund.amount;
  charge.refunded = false;
  const refunds = charge.refunds as { data: Refund[] };
  refunds.data = refunds.data.map((r) => (r.id === refund.id ? refund : r));
}
