import { asArray, asObject, mergeMetadata, optBool, optInt, optString } from '../coerce';
import { type Billing, updateAndEmit } from '../context';
import { invalidParameter, missingParameter, StripeApiError } from '../errors';
import type { FormObject } from '../form';
import { ALLOW } from '../params';
import { paymentMethodOf } from '../payment-methods';
import { endTrialNow, resumeSubscription } from '../renewals';
import {
  activeRecurringPrice,
  assertUpdatable,
  cancelSubscription,
  createSubscription,
  newItem,
  requireItem,
} from '../subscriptions';
import type { Subscription } from '../types';
import { futureTimestamp, list, oneOf, parseItems, type Route, req, route } from './route';

/**
 * `/v1/subscriptions` (https://docs.stripe.com/api/subscriptions). Update semantics followed here: `cancel_at` may be
 * any future date (https://docs.stripe.com/billing/subscriptions/cancel), `cancel_at_period_end` sets `cancel_at` to
 * the period end, `trial_end=now` ends a trial and charges at once, item price changes refuse archived prices.
 */
export const SUBSCRIPTION_ROUTES: Route[] = [
  route('POST', '/v1/subscriptions', ALLOW.subscriptionCreate, ({ billing }, p) => newSubscription(billing, p)),
  route('GET', '/v1/subscriptions', ALLOW.subscriptionList, ({ billing }, p) => listSubscriptions(billing, p)),
  route('GET', '/v1/subscriptions/:id', ALLOW.retrieve, ({ billing }, _p, id) => billing.subscription(req(id))),
  route('POST', '/v1/subscriptions/:id', ALLOW.subscriptionUpdate, ({ billing }, p, id) =>
    updateSubscription(billing, p, req(id)),
  ),
  route('DELETE', '/v1/subscriptions/:id', ALLOW.subscriptionCancel, ({ billing }, p, id) => {
    const sub = billing.subscription(req(id));
    const details = asObject(p.cancellation_details, 'cancellation_details');
    sub.cancellation_details = {
      ...sub.cancellation_details,
      comment: optString(details.comment, 'cancellation_details[comment]') ?? sub.cancellation_details.comment,
      feedback: optString(details.feedback, 'cancellation_details[feedback]') ?? sub.cancellation_details.feedback,
    };
    return cancelSubscription(billing, sub);
  }),
  route('POST', '/v1/subscriptions/:id/resume', ALLOW.subscriptionResume, ({ billing }, p, id) => {
    const sub = billing.subscription(req(id));
    if (sub.status !== 'paused') {
      throw new StripeApiError(
        400,
        `Only subscriptions with status \`paused\` can be resumed (${sub.id} is ${sub.status}).`,
      );
    }
    const anchor = asObject(p.billing_cycle_anchor, 'billing_cycle_anchor');
    const type = oneOf(anchor.type, 'billing_cycle_anchor[type]', ['now', 'unchanged'] as const);
    if (type === 'unchanged') {
      throw invalidParameter(
        'billing_cycle_anchor[type]',
        'The emulator resumes with billing_cycle_anchor[type]=now only.',
      );
    }
    oneOf(p.payment_behavior, 'payment_behavior', ['resume_on_payment_attempt'] as const);
    resumeSubscription(billing, sub, billing.now());
    return sub;
  }),
];

const PAYMENT_BEHAVIORS = [
  'allow_incomplete',
  'default_incomplete',
  'error_if_incomplete',
  'pending_if_incomplete',
] as const;
const MISSING_PM = ['cancel', 'pause', 'create_invoice'] as const;

function newSubscription(billing: Billing, p: FormObject): Subscription {
  const customer = optString(p.customer, 'customer');
  if (!customer) throw missingParameter('customer');
  const trialDays = optInt(p.trial_period_days, 'trial_period_days');
  const trialEnd = futureTimestamp(billing, p.trial_end, 'trial_end');
  billing.liveCustomer(customer, 'customer');
  const defaultPaymentMethod = optString(p.default_payment_method, 'default_payment_method');
  if (defaultPaymentMethod) paymentMethodOf(billing, defaultPaymentMethod, customer, 'default_payment_method');
  const { subscription } = createSubscription(billing, {
    customer,
    items: parseItems(p.items, 'items'),
    metadata: mergeMetadata({}, p.metadata),
    trialEnd: trialEnd ?? (trialDays ? billing.now() + trialDays * 86400 : undefined),
    param: 'items',
    defaultPaymentMethod: defaultPaymentMethod ?? null,
    missingPaymentMethod: missingPaymentMethodOf(p, 'trial_settings'),
    paymentBehavior: oneOf(p.payment_behavior, 'payment_behavior', PAYMENT_BEHAVIORS),
    announce: 'final',
  });
  if (optBool(p.cancel_at_period_end, 'cancel_at_period_end')) {
    return updateSubscription(billing, { cancel_at_period_end: 'true' }, subscription.id);
  }
  return subscription;
}

function missingPaymentMethodOf(p: FormObject, param: string) {
  const endBehavior = asObject(asObject(p.trial_settings, param).end_behavior, `${param}[end_behavior]`);
  return oneOf(endBehavior.missing_payment_method, `${param}[end_behavior][missing_payment_method]`, MISSING_PM);
}

const STATUSES = [
  'active',
  'all',
  'canceled',
  'ended',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
];

function listSubscriptions(billing: Billing, p: FormObject) {
  const customer = optString(p.customer, 'customer');
  const status = optString(p.status, 'status') ?? 'default';
  const price = optString(p.price, 'price');
  if (status !== 'default' && !STATUSES.includes(status)) {
    throw invalidParameter('status', `Invalid status: must be one of ${STATUSES.join(', ')}`);
  }
  const ended = (s: Subscription) => s.status === 'canceled' || s.status === 'incomplete_expired';
  const statusMatches = (s: Subscription) =>
    status === 'all' || (status === 'default' && !ended(s)) || (status === 'ended' && ended(s)) || s.status === status;
  const found = billing.store
    .all<Subscription>('subscription')
    .filter(
      (s) =>
        (customer === undefined || s.customer === customer) &&
        statusMatches(s) &&
        (price === undefined || s.items.data.some((i) => i.price.id === price)),
    );
  return list(found, p, '/v1/subscriptions');
}

const METADATA_ONLY = new Set([
  'metadata',
  'expand',
  'cancellation_details',
  'default_payment_method',
  'default_source',
]);

function updateSubscription(billing: Billing, p: FormObject, id: string): Subscription {
  const current = billing.subscription(id);
  assertUpdatable(
    current,
    Object.keys(p).every((key) => METADATA_ONLY.has(key)),
  );
  const trialEnd = optString(p.trial_end, 'trial_end');
  const defaultPaymentMethod = optString(p.default_payment_method, 'default_payment_method');
  if (defaultPaymentMethod) paymentMethodOf(billing, defaultPaymentMethod, current.customer, 'default_payment_method');
  const changeTrial =
    trialEnd !== undefined && trialEnd !== 'now' ? futureTimestamp(billing, trialEnd, 'trial_end') : undefined;
  const updated = updateFields(billing, current, p, { defaultPaymentMethod, changeTrial });
  if (trialEnd === 'now' && updated.status === 'trialing') endTrialNow(billing, updated, billing.now());
  return updated;
}

function updateFields(
  billing: Billing,
  sub: Subscription,
  p: FormObject,
  extra: { defaultPaymentMethod?: string; changeTrial?: number },
): Subscription {
  updateAndEmit(billing, 'customer.subscription.updated', sub, sub.customer, (s) => {
    s.metadata = mergeMetadata(s.metadata, p.metadata);
    if (extra.defaultPaymentMethod !== undefined) s.default_payment_method = extra.defaultPaymentMethod || null;
    applyCancellation(billing, s, p);
    applyItems(billing, s, p);
    applyPauseCollection(s, p);
    if (extra.changeTrial !== undefined && s.status === 'trialing') {
      s.trial_end = extra.changeTrial;
      for (const item of s.items.data) item.current_period_end = extra.changeTrial;
    }
  });
  return sub;
}

function applyCancellation(billing: Billing, s: Subscription, p: FormObject): void {
  const atPeriodEnd = optBool(p.cancel_at_period_end, 'cancel_at_period_end');
  if (atPeriodEnd !== undefined) {
    s.cancel_at_period_end = atPeriodEnd;
    s.cancel_at = atPeriodEnd ? (s.items.data[0]?.current_period_end ?? null) : null;
    s.canceled_at = atPeriodEnd ? billing.now() : null;
    s.cancellation_details = { ...s.cancellation_details, reason: atPeriodEnd ? 'cancellation_requested' : null };
  }
  const cancelAt = optString(p.cancel_at, 'cancel_at');
  if (cancelAt === undefined) return;
  if (cancelAt === '') {
    Object.assign(s, { cancel_at: null, cancel_at_period_end: false, canceled_at: null });
    return;
  }
  const at = futureTimestamp(billing, cancelAt, 'cancel_at') ?? null;
  const periodEnd = s.items.data[0]?.current_period_end ?? null;
  Object.assign(s, {
    cancel_at: at,
    cancel_at_period_end: at !== null && at === periodEnd,
    canceled_at: billing.now(),
  });
  s.cancellation_details = { ...s.cancellation_details, reason: 'cancellation_requested' };
}

function applyItems(billing: Billing, s: Subscription, p: FormObject): void {
  asArray(p.items).forEach((raw, index) => {
    const item = asObject(raw, `items[${index}]`);
    const param = `items[${index}]`;
    const itemId = optString(item.id, `${param}[id]`);
    if (optBool(item.deleted, `${param}[deleted]`)) {
      if (!itemId) throw missingParameter(`${param}[id]`);
      requireItem(s, itemId, `${param}[id]`);
      s.items.data = s.items.data.filter((x) => x.id !== itemId);
    } else {
      changeItem(billing, s, item, itemId, param);
    }
    s.items.total_count = s.items.data.length;
  });
  if (s.items.data.length === 0) throw invalidParameter('items', 'A subscription must have at least one item.');
}

function changeItem(
  billing: Billing,
  s: Subscription,
  item: FormObject,
  itemId: string | undefined,
  param: string,
): void {
  const priceId = optString(item.price, `${param}[price]`);
  const quantity = optInt(item.quantity, `${param}[quantity]`);
  const existing = itemId ? requireItem(s, itemId, `${param}[id]`) : undefined;
  if (priceId) {
    const price = structuredClone(activeRecurringPrice(billing, priceId, `${param}[price]`));
    if (existing) {
      existing.price = price;
      existing.quantity = quantity ?? existing.quantity;
      return;
    }
    const first = s.items.data[0];
    const start = first?.current_period_start ?? billing.now();
    s.items.data.push(newItem(s.id, price, quantity ?? 1, start, first?.current_period_end ?? start));
  } else if (existing && quantity !== undefined) {
    existing.quantity = quantity;
  }
}

const PAUSE_BEHAVIORS = ['keep_as_draft', 'mark_uncollectible', 'void'] as const;

function applyPauseCollection(s: Subscription, p: FormObject): void {
  if (p.pause_collection === undefined) return;
  if (p.pause_collection === '') {
    s.pause_collection = null;
    return;
  }
  const pause = asObject(p.pause_collection, 'pause_collection');
  const behavior = oneOf(pause.behavior, 'pause_collection[behavior]', PAUSE_BEHAVIORS);
  if (!behavior) throw missingParameter('pause_collection[behavior]');
  s.pause_collection = { behavior, resumes_at: optInt(pause.resumes_at, 'pause_collection[resumes_at]') ?? null };
}
