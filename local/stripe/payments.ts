import type { Billing } from './context';
import { type Behaviour, behaviourOf } from './payment-methods';
import { newId } from './store';
import type { Charge, PaymentIntent } from './types';

/**
 * PaymentIntents and Charges (https://docs.stripe.com/payments/paymentintents/lifecycle): one PaymentIntent per
 * invoice (reused by retries), one Charge per attempt. Events in creation order: `payment_intent.created`, then
 * `charge.succeeded` + `payment_intent.succeeded`, `charge.failed` + `payment_intent.payment_failed`, or, for bank
 * debits, `charge.pending` + `payment_intent.processing` until the payment settles.
 */

export type Outcome = 'succeeded' | 'failed' | 'processing' | 'requires_payment_method';

export interface PaymentPlan {
  outcome: Outcome;
  paymentMethod: string | null;
  behaviour?: Behaviour;
  declineCode?: string;
}

/**
 * What one attempt with this payment method does. An armed failure (`failNextPayment`, the emulator's stand-in for
 * swapping in a declining test card) is consumed here.
 */
export function planPayment(billing: Billing, customer: string, paymentMethod: string | null): PaymentPlan {
  if (!paymentMethod) return { outcome: 'requires_payment_method', paymentMethod: null };
  const { behaviour } = behaviourOf(billing, paymentMethod);
  if (consumeArmedFailure(billing, customer)) {
    return { outcome: 'failed', paymentMethod, behaviour, declineCode: 'generic_decline' };
  }
  if (behaviour === 'declines' || behaviour === 'declines_after_attach') {
    return { outcome: 'failed', paymentMethod, behaviour, declineCode: 'generic_decline' };
  }
  return { outcome: behaviour === 'async' ? 'processing' : 'succeeded', paymentMethod, behaviour };
}

export function hasArmedFailure(billing: Billing, customer: string): boolean {
  return (billing.store.raw.failNext[customer] ?? 0) > 0;
}

export function consumeArmedFailure(billing: Billing, customer: string): boolean {
  const failNext = billing.store.raw.failNext;
  const count = failNext[customer] ?? 0;
  if (count <= 0) return false;
  if (count === 1) delete failNext[customer];
  else failNext[customer] = count - 1;
  return true;
}

export interface PaymentInput {
  customer: string;
  amount: number;
  currency: string;
  at: number;
  description: string | null;
  metadata?: Record<string, string>;
  /** Reused by retries of the same invoice. */
  paymentIntent?: PaymentIntent;
}

export function newPaymentIntent(billing: Billing, input: PaymentInput, paymentMethod: string | null): PaymentIntent {
  const intent = billing.store.put<PaymentIntent>({
    id: newId('pi'),
    object: 'payment_intent',
    amount: input.amount,
    amount_capturable: 0,
    amount_received: 0,
    capture_method: 'automatic',
    client_secret: `${newId('pi')}_secret_${newId('s').slice(2)}`,
    confirmation_method: 'automatic',
    created: input.at,
    currency: input.currency,
    customer: input.customer,
    description: input.description,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: { ...input.metadata },
    next_action: null,
    payment_method: paymentMethod,
    payment_method_types: ['card'],
    processing: null,
    status: 'requires_payment_method',
  });
  billing.emit('payment_intent.created', intent, input.customer, { at: input.at });
  return intent;
}

/** One attempt: a charge with the plan's outcome and its events. Returns the charge (none without a method). */
export function attemptPayment(billing: Billing, input: PaymentInput, plan: PaymentPlan) {
  const intent = input.paymentIntent ?? newPaymentIntent(billing, input, plan.paymentMethod);
  intent.payment_method = plan.paymentMethod;
  if (plan.outcome === 'requires_payment_method') return { intent, charge: undefined };
  const charge = newCharge(billing, intent, plan, input.at);
  intent.latest_charge = charge.id;
  if (plan.behaviour === 'async')
    billing.store.internal(intent.id).settlesAt = input.at + billing.settings.asyncSettlementDelay;
  if (plan.outcome === 'processing') {
    intent.status = 'processing';
    billing.emit('charge.pending', charge, input.customer, { at: input.at });
    billing.emit('payment_intent.processing', intent, input.customer, { at: input.at });
  } else if (plan.outcome === 'succeeded') {
    succeed(billing, intent, charge, input.at);
  } else {
    fail(billing, intent, charge, input.at, plan.declineCode ?? 'generic_decline');
  }
  return { intent, charge };
}

function newCharge(billing: Billing, intent: PaymentIntent, plan: PaymentPlan, at: number): Charge {
  const id = newId('ch');
  const charge = billing.store.put<Charge>({
    id,
    object: 'charge',
    amount: intent.amount,
    amount_captured: 0,
    amount_refunded: 0,
    balance_transaction: null,
    billing_details: { address: null, email: null, name: null, phone: null },
    captured: false,
    created: at,
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description as string | null,
    disputed: false,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: { ...intent.metadata },
    outcome: null,
    paid: false,
    payment_intent: intent.id,
    payment_method: plan.paymentMethod,
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    status: 'pending',
  });
  billing.store.internal(id).behaviour = plan.behaviour ?? 'succeeds';
  return charge;
}

function succeed(billing: Billing, intent: PaymentIntent, charge: Charge, at: number): void {
  Object.assign(charge, {
    status: 'succeeded',
    paid: true,
    captured: true,
    amount_captured: charge.amount,
    outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'normal', type: 'authorized' },
  });
  Object.assign(intent, { status: 'succeeded', amount_received: intent.amount, last_payment_error: null });
  billing.emit('charge.succeeded', charge, charge.customer, { at });
  billing.emit('payment_intent.succeeded', intent, intent.customer, { at });
  if (billing.store.internal(charge.id).behaviour === 'disputes') billing.store.internal(charge.id).disputeAt = at;
}

const FAILURES: Record<string, { code: string; message: string; type: string }> = {
  account_closed: {
    code: 'account_closed',
    message: 'The bank account has been closed.',
    type: 'invalid_request_error',
  },
};

function fail(billing: Billing, intent: PaymentIntent, charge: Charge, at: number, declineCode: string): void {
  const failure = FAILURES[declineCode] ?? {
    code: 'card_declined',
    message: 'Your card was declined.',
    type: 'card_error',
  };
  const error = {
    type: failure.type,
    code: failure.code,
    ...(failure.code === 'card_declined' ? { decline_code: declineCode } : {}),
    message: failure.message,
    charge: charge.id,
    payment_method: { id: intent.payment_method },
  };
  Object.assign(charge, {
    status: 'failed',
    failure_code: failure.code,
    failure_message: failure.message,
    outcome: {
      network_status: 'declined_by_network',
      reason: declineCode,
      risk_level: 'normal',
      type: 'issuer_declined',
    },
  });
  Object.assign(intent, { status: 'requires_payment_method', last_payment_error: error });
  billing.emit('charge.failed', charge, charge.customer, { at });
  billing.emit('payment_intent.payment_failed', intent, intent.customer, { at });
}

/** A processing bank debit settles: the charge succeeds or fails with Stripe's events. */
export function settlePayment(billing: Billing, intent: PaymentIntent, at: number): 'succeeded' | 'failed' {
  const facts = billing.store.internal(intent.id);
  delete facts.settlesAt;
  const charge = intent.latest_charge ? billing.charge(intent.latest_charge) : undefined;
  const outcome = intent.payment_method ? behaviourOf(billing, intent.payment_method).asyncOutcome : 'succeeded';
  if (!charge) return 'failed';
  if (outcome === 'failed') {
    fail(billing, intent, charge, at, 'account_closed');
    return 'failed';
  }
  succeed(billing, intent, charge, at);
  return 'succeeded';
}

/** The invoice payment record an invoice lists under `payments` (current API versions). */
/** The invoice payment (https://docs.stripe.com/api/invoice-payment) that ties a PaymentIntent to its invoice. */
export function invoicePayment(invoice: string, intent: PaymentIntent, at: number) {
  return {
    id: newId('inpay'),
    object: 'invoice_payment',
    invoice,
    amount_paid: intent.amount_received,
    amount_requested: intent.amount,
    created: at,
    currency: intent.currency,
    is_default: true,
    livemode: false,
    payment: { type: 'payment_intent', payment_intent: intent.id },
    status: 'paid',
    status_transitions: { canceled_at: null, paid_at: at },
  };
}
