import { expireCheckout } from './checkout';
import {
  applyDunningOutcome,
  collectInvoice,
  expireIncomplete,
  finalizeAndCollect,
  paymentProcessing,
  settleInvoicePayment,
} from './collection';
import { type Billing, updateAndEmit } from './context';
import { openDispute, resolveDispute } from './disputes';
import { invalidParameter } from './errors';
import { failRefund } from './refunds';
import { endTrial, renew } from './renewals';
import { cancelSubscription, INCOMPLETE_EXPIRES_AFTER } from './subscriptions';
import {
  type Charge,
  type Dispute,
  type Invoice,
  type PaymentIntent,
  type Refund,
  type StripeEvent,
  type Subscription,
  TERMINAL_STATUSES,
} from './types';

/**
 * The emulator clock: wall time plus every advance (never goes back). On each advance, and before and after each API
 * request, every transition that fell due is played in time order, each event's `created` being the moment it
 * happened. What can fall due is derived from the objects' own fields (`current_period_end`, `trial_end`,
 * `cancel_at`, `automatically_finalizes_at`, `next_payment_attempt`, `expires_at`, ...) plus the emulator-only facts
 * of test cards (a dispute to open, a refund to fail, a bank debit to settle).
 */

interface Due {
  at: number;
  run: () => void;
}

const TRIAL_WILL_END_BEFORE = 3 * 86400;

export function advanceClock(billing: Billing, seconds: number): StripeEvent[] {
  if (!Number.isInteger(seconds) || seconds < 0) throw invalidParameter('seconds', 'seconds must be an integer >= 0');
  billing.store.advance(seconds);
  return processDue(billing);
}

/** Runs every due transition in time order; returns the events they emitted. */
export function processDue(billing: Billing): StripeEvent[] {
  const now = billing.now();
  const emitted: StripeEvent[] = [];
  const stop = billing.onEvent((event) => emitted.push(event));
  try {
    for (let guard = 0; guard < 100_000; guard += 1) {
      const next = earliest(dueActions(billing), now);
      if (!next) break;
      next.run();
    }
  } finally {
    stop();
  }
  return emitted;
}

function earliest(candidates: Due[], now: number): Due | undefined {
  let best: Due | undefined;
  for (const due of candidates) if (due.at <= now && (!best || due.at < best.at)) best = due;
  return best;
}

function dueActions(billing: Billing): Due[] {
  return [
    ...billing.store.all<Subscription>('subscription').flatMap((sub) => subscriptionDues(billing, sub)),
    ...billing.store.all<Invoice>('invoice').flatMap((invoice) => invoiceDues(billing, invoice)),
    ...paymentDues(billing),
    ...billing.store
      .all('checkout.session')
      .filter((s) => s.status === 'open' && typeof s.expires_at === 'number')
      .map((s) => ({ at: s.expires_at as number, run: () => expireCheckout(billing, s.id, s.expires_at as number) })),
  ];
}

function subscriptionDues(billing: Billing, sub: Subscription): Due[] {
  if (TERMINAL_STATUSES.has(sub.status)) return [];
  if (sub.status === 'incomplete') {
    const at = sub.created + INCOMPLETE_EXPIRES_AFTER;
    return paymentProcessing(billing, sub) ? [] : [{ at, run: () => expireIncomplete(billing, sub, at) }];
  }
  const dues: Due[] = [];
  const periodEnd = sub.items.data[0]?.current_period_end ?? Number.POSITIVE_INFINITY;
  const cancelAt = sub.cancel_at;
  if (cancelAt !== null) dues.push({ at: cancelAt, run: () => cancelSubscription(billing, sub, { at: cancelAt }) });
  const resumesAt = sub.pause_collection?.resumes_at;
  if (resumesAt) {
    dues.push({
      at: resumesAt,
      run: () =>
        updateAndEmit(
          billing,
          'customer.subscription.updated',
          sub,
          sub.customer,
          (s) => {
            s.pause_collection = null;
          },
          resumesAt,
        ),
    });
  }
  if (sub.status === 'paused' || (cancelAt !== null && cancelAt <= periodEnd)) return dues;
  if (sub.status === 'trialing' && sub.trial_end !== null) return [...dues, ...trialDues(billing, sub, sub.trial_end)];
  return [...dues, { at: periodEnd, run: () => renew(billing, sub, periodEnd) }];
}

/** `customer.subscription.trial_will_end` three days before the end (at once for a shorter trial), then the end. */
function trialDues(billing: Billing, sub: Subscription, trialEnd: number): Due[] {
  const facts = billing.store.internal(sub.id);
  const dues: Due[] = [{ at: trialEnd, run: () => endTrial(billing, sub, trialEnd) }];
  if (facts.trialWillEndFor !== trialEnd) {
    const at = Math.max(trialEnd - TRIAL_WILL_END_BEFORE, sub.trial_start ?? sub.created);
    dues.push({
      at,
      run: () => {
        facts.trialWillEndFor = trialEnd;
        billing.emit('customer.subscription.trial_will_end', sub, sub.customer, { at });
      },
    });
  }
  return dues;
}

function invoiceDues(billing: Billing, invoice: Invoice): Due[] {
  if (invoice.status === 'draft' && invoice.auto_advance && invoice.automatically_finalizes_at !== null) {
    const at = invoice.automatically_finalizes_at;
    return [{ at, run: () => finalizeAndCollect(billing, invoice, at) }];
  }
  if (invoice.status !== 'open') return [];
  const dues: Due[] = [];
  if (invoice.auto_advance && invoice.next_payment_attempt !== null) {
    const at = invoice.next_payment_attempt;
    dues.push({ at, run: () => collectInvoice(billing, invoice, at) });
  }
  const outcomeAt = billing.store.internal(invoice.id).outcomeAt;
  if (typeof outcomeAt === 'number') {
    dues.push({
      at: outcomeAt,
      run: () => {
        delete billing.store.internal(invoice.id).outcomeAt;
        const subId = invoice.parent?.subscription_details?.subscription;
        const sub = subId ? billing.store.get<Subscription>(subId, 'subscription') : undefined;
        if (sub) applyDunningOutcome(billing, sub, outcomeAt);
      },
    });
  }
  return dues;
}

/** Test-card consequences: bank debits settling, disputes opening and closing, refunds failing. */
function paymentDues(billing: Billing): Due[] {
  const { store } = billing;
  const at = (id: string, key: string) => store.raw.internal[id]?.[key];
  const dues: Due[] = [];
  for (const intent of store.all<PaymentIntent>('payment_intent')) {
    const settlesAt = at(intent.id, 'settlesAt');
    if (intent.status === 'processing' && typeof settlesAt === 'number') {
      dues.push({ at: settlesAt, run: () => settleInvoicePayment(billing, intent, settlesAt) });
    }
  }
  for (const charge of store.all<Charge>('charge')) {
    const disputeAt = at(charge.id, 'disputeAt');
    if (typeof disputeAt === 'number') dues.push({ at: disputeAt, run: () => openDispute(billing, charge, disputeAt) });
  }
  for (const dispute of store.all<Dispute>('dispute')) {
    const closesAt = at(dispute.id, 'closesAt');
    const outcome = at(dispute.id, 'outcome');
    if (typeof closesAt === 'number' && (outcome === 'won' || outcome === 'lost')) {
      dues.push({ at: closesAt, run: () => resolveDispute(billing, dispute, outcome, closesAt) });
    }
  }
  for (const refund of store.all<Refund>('refund')) {
    const failsAt = at(refund.id, 'failsAt');
    if (typeof failsAt === 'number') dues.push({ at: failsAt, run: () => failRefund(billing, refund, failsAt) });
  }
  return dues;
}
