import { collectInvoice, finalizeAndCollect } from './collection';
import { type Billing, updateAndEmit } from './context';
import { createInvoice, finalizeInvoice, markUncollectible, voidInvoice } from './invoices';
import { addInterval } from './periods';
import { applyPhaseItems, enterPhase, scheduleAtPeriodEnd } from './schedules';
import { cancelSubscription, paymentMethodFor } from './subscriptions';
import type { Invoice, Subscription } from './types';

/**
 * Renewals and trial ends.
 * Stripe: https://docs.stripe.com/billing/invoices/subscription#subscription-renewal ("Subscription invoices"): at
 * the period end the subscription moves to its next period (`customer.subscription.updated`) and a `draft` invoice is
 * created (`invoice.created`); about an hour later it is finalized and the payment attempted.
 * Trials: https://docs.stripe.com/billing/subscriptions/trials: `customer.subscription.trial_will_end` three days
 * before the end (at once for a shorter trial); at the end the subscription becomes `active` and its first real
 * invoice follows the renewal path; without a payment method `trial_settings.end_behavior.missing_payment_method`
 * decides: `cancel`, `pause` (status `paused`, `customer.subscription.paused`, no invoices) or `create_invoice`.
 * Paused collection (https://docs.stripe.com/billing/subscriptions/pause-payment): the subscription stays `active`,
 * invoices are still created and kept as drafts, voided or marked uncollectible.
 */

export function renew(billing: Billing, sub: Subscription, at: number): void {
  const planned = scheduleAtPeriodEnd(billing, sub, at);
  if (planned.outcome === 'canceled') return;
  const enter = planned.enter;
  const invoice = advancePeriod(billing, sub, at, 'subscription_cycle', {
    change: enter ? (draft) => applyPhaseItems(billing, draft, enter.phase, at) : undefined,
    prepare: (draft) => planCollection(billing, sub, draft, at),
  });
  if (enter) enterPhase(billing, enter.schedule, enter.phase, at);
  afterRenewalInvoice(billing, sub, invoice, at);
}

/**
 * Starts the next period at `at` (`customer.subscription.updated`, with the new `latest_invoice`), then
 * `invoice.created` for it. A trial end or a resume also makes the subscription `active` and re-anchors the cycle.
 */
export function advancePeriod(
  billing: Billing,
  sub: Subscription,
  at: number,
  reason: string,
  options: { activate?: boolean; change?: (sub: Subscription) => void; prepare?: (invoice: Invoice) => void } = {},
): Invoice {
  let invoice: Invoice | undefined;
  const activate = options.activate ?? sub.status === 'trialing';
  updateAndEmit(
    billing,
    'customer.subscription.updated',
    sub,
    sub.customer,
    (s) => {
      options.change?.(s);
      const first = s.items.data[0];
      if (activate) s.billing_cycle_anchor = at;
      const end = first ? addInterval(at, first.price, s.billing_cycle_anchor) : at;
      for (const item of s.items.data) {
        item.current_period_start = at;
        item.current_period_end = end;
      }
      if (activate) s.status = 'active';
      if (s.trial_end !== null && s.trial_end > at) s.trial_end = at;
      invoice = createInvoice(billing, s, { reason, start: at, end, at, announce: false });
    },
    at,
  );
  const created = invoice as Invoice;
  options.prepare?.(created);
  billing.emit('invoice.created', created, sub.customer, { at });
  return created;
}

/**
 * How the renewal invoice will be collected: finalized and attempted an hour later, or held as a draft while
 * collection is paused (`keep_as_draft`) or the subscription is `unpaid` (invoices keep coming, no attempts).
 */
function planCollection(billing: Billing, sub: Subscription, invoice: Invoice, at: number): void {
  const pause = sub.pause_collection;
  if (sub.status === 'unpaid' || pause?.behavior === 'keep_as_draft') invoice.auto_advance = false;
  else if (!pause) invoice.automatically_finalizes_at = at + billing.settings.renewalFinalizeDelay;
}

/** Paused collection voids or marks the invoice uncollectible at once; a zero delay collects at once. */
function afterRenewalInvoice(billing: Billing, sub: Subscription, invoice: Invoice, at: number): void {
  const behavior = sub.pause_collection?.behavior;
  if (behavior === 'void' || behavior === 'mark_uncollectible') {
    finalizeInvoice(billing, invoice, at);
    if (behavior === 'void') voidInvoice(billing, invoice, at);
    else markUncollectible(billing, invoice, at);
  } else if (invoice.automatically_finalizes_at === at) {
    finalizeAndCollect(billing, invoice, at);
  }
}

/** Trial end: renews into the first paid period, or applies the missing-payment-method behaviour. */
export function endTrial(billing: Billing, sub: Subscription, at: number): void {
  if (paymentMethodFor(billing, sub)) {
    renew(billing, sub, at);
    return;
  }
  const behaviour = sub.trial_settings.end_behavior.missing_payment_method;
  if (behaviour === 'cancel') {
    cancelSubscription(billing, sub, { at, reason: null });
    return;
  }
  if (behaviour === 'pause') {
    updateAndEmit(
      billing,
      'customer.subscription.updated',
      sub,
      sub.customer,
      (s) => {
        s.status = 'paused';
      },
      at,
    );
    billing.emit('customer.subscription.paused', sub, sub.customer, { at });
    return;
  }
  renew(billing, sub, at);
}

/** Ends a trial now (`trial_end=now`): the first paid period starts and its invoice is charged at once. */
export function endTrialNow(billing: Billing, sub: Subscription, at: number): void {
  const invoice = advancePeriod(billing, sub, at, 'subscription_update');
  finalizeInvoice(billing, invoice, at);
  collectInvoice(billing, invoice, at);
}

/**
 * Resumes a `paused` subscription (https://docs.stripe.com/api/subscriptions/resume): the billing cycle restarts now,
 * `customer.subscription.resumed` + `updated`, and the new period's invoice is charged at once (`active` when paid,
 * `past_due` when not).
 */
export function resumeSubscription(billing: Billing, sub: Subscription, at: number): void {
  const invoice = advancePeriod(billing, sub, at, 'subscription_update', { activate: true });
  billing.emit('customer.subscription.resumed', sub, sub.customer, { at });
  finalizeInvoice(billing, invoice, at);
  collectInvoice(billing, invoice, at);
}
