import { type Billing, updateAndEmit } from './context';
import { invalidParameter, StripeApiError } from './errors';
import { addInterval } from './periods';
import { newId, type StripeObject } from './store';
import { activeRecurringPrice, cancelSubscription, newItem } from './subscriptions';
import type { Subscription } from './types';

/**
 * Subscription schedules (https://docs.stripe.com/billing/subscriptions/subscription-schedules): a schedule made
 * `from_subscription` starts with one phase mirroring the current period; updating its phases plans changes, which
 * apply when the current phase ends (the period end). At the end of the last phase `end_behavior` releases the
 * subscription (`subscription_schedule.released`, it renews on its own again) or cancels it.
 * Events: `subscription_schedule.created`, `.updated`, `.released`, `.canceled`, `.completed`.
 */

export interface PhaseItem {
  price: string;
  quantity: number;
}

export interface Phase {
  start_date: number;
  end_date: number;
  items: PhaseItem[];
  metadata: Record<string, string>;
  proration_behavior: string;
}

export interface Schedule extends StripeObject {
  customer: string;
  subscription: string | null;
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled';
  end_behavior: 'release' | 'cancel';
  phases: Phase[];
  current_phase: { start_date: number; end_date: number } | null;
}

export function createScheduleFromSubscription(billing: Billing, subscriptionId: string): Schedule {
  const sub = billing.subscription(subscriptionId, 'from_subscription');
  if (sub.schedule) {
    throw invalidParameter('from_subscription', `The subscription ${sub.id} is already attached to a schedule.`);
  }
  const item = sub.items.data[0];
  const start = item?.current_period_start ?? billing.now();
  const end = item?.current_period_end ?? start;
  const phase: Phase = {
    start_date: start,
    end_date: end,
    items: sub.items.data.map((i) => ({ price: i.price.id, quantity: i.quantity })),
    metadata: {},
    proration_behavior: 'create_prorations',
  };
  const schedule = billing.store.put<Schedule>({
    id: newId('sub_sched'),
    object: 'subscription_schedule',
    application: null,
    canceled_at: null,
    completed_at: null,
    created: billing.now(),
    current_phase: { start_date: start, end_date: end },
    customer: sub.customer,
    default_settings: { collection_method: 'charge_automatically' },
    end_behavior: 'release',
    livemode: false,
    metadata: {},
    phases: [phase],
    released_at: null,
    released_subscription: null,
    status: 'active',
    subscription: sub.id,
    test_clock: null,
  });
  billing.emit('subscription_schedule.created', schedule, sub.customer);
  updateAndEmit(billing, 'customer.subscription.updated', sub, sub.customer, (s) => {
    s.schedule = schedule.id;
  });
  return schedule;
}

export interface PhaseInput {
  items: PhaseItem[];
  start_date?: number;
  end_date?: number;
  /** Defaults to one interval of the phase's price. */
  duration?: { interval: 'day' | 'week' | 'month' | 'year'; count: number };
  metadata: Record<string, string>;
}

/** Replaces the phases (the current one cannot move) and `end_behavior`; `subscription_schedule.updated`. */
export function updateSchedule(
  billing: Billing,
  schedule: Schedule,
  change: { phases?: PhaseInput[]; endBehavior?: 'release' | 'cancel' },
): Schedule {
  if (schedule.status !== 'active' && schedule.status !== 'not_started') {
    throw new StripeApiError(400, `You cannot update a subscription schedule that is ${schedule.status}.`);
  }
  updateAndEmit(billing, 'subscription_schedule.updated', schedule, schedule.customer, (s) => {
    if (change.endBehavior) s.end_behavior = change.endBehavior;
    if (change.phases) s.phases = planPhases(billing, s, change.phases);
  });
  return schedule;
}

function planPhases(billing: Billing, schedule: Schedule, inputs: PhaseInput[]): Phase[] {
  if (inputs.length === 0) throw invalidParameter('phases', 'A schedule needs at least one phase.');
  const current = schedule.current_phase;
  let start = inputs[0]?.start_date ?? current?.start_date ?? billing.now();
  if (current && start !== current.start_date) {
    throw invalidParameter('phases[0][start_date]', 'You can not modify the start date of the current phase.');
  }
  return inputs.map((input, index) => {
    const prices = input.items.map((item, i) =>
      activeRecurringPrice(billing, item.price, `phases[${index}][items][${i}][price]`),
    );
    if (prices.length === 0) throw invalidParameter(`phases[${index}][items]`, 'Each phase needs at least one item.');
    const first = prices[0] as (typeof prices)[number];
    const recurring = input.duration ? { interval: input.duration.interval, interval_count: 1 } : first.recurring;
    const end = input.end_date ?? addInterval(start, { recurring }, undefined, input.duration?.count ?? 1);
    if (end <= start) throw invalidParameter(`phases[${index}][end_date]`, 'The phase must end after it starts.');
    const phase: Phase = {
      start_date: start,
      end_date: end,
      items: input.items,
      metadata: input.metadata,
      proration_behavior: 'create_prorations',
    };
    start = end;
    return phase;
  });
}

export interface PlannedPhase {
  outcome: 'renew' | 'canceled';
  /** The phase the subscription enters at this period end (its prices apply to the new period). */
  enter?: { schedule: Schedule; phase: Phase };
}

/**
 * At a period end: the next phase of an attached schedule (the subscription takes its prices for the new period), or
 * `end_behavior` after the last phase. `canceled` when the schedule ended the subscription.
 */
export function scheduleAtPeriodEnd(billing: Billing, sub: Subscription, at: number): PlannedPhase {
  const schedule = sub.schedule ? billing.store.get<Schedule>(sub.schedule, 'subscription_schedule') : undefined;
  if (schedule?.status !== 'active') return { outcome: 'renew' };
  const next = schedule.phases.find((p) => p.start_date <= at && at < p.end_date);
  if (!next) return { outcome: endSchedule(billing, schedule, sub, at) };
  if (schedule.current_phase?.start_date === next.start_date) return { outcome: 'renew' };
  return { outcome: 'renew', enter: { schedule, phase: next } };
}

/** The subscription's items become the phase's prices (inside the period change, so previous_attributes show both). */
export function applyPhaseItems(billing: Billing, sub: Subscription, phase: Phase, at: number): void {
  const end = sub.items.data[0]?.current_period_end ?? at;
  sub.items.data = phase.items.map((wanted, index) => {
    const price = structuredClone(billing.price(wanted.price));
    const existing = sub.items.data[index];
    if (!existing) return newItem(sub.id, price, wanted.quantity, at, end);
    return { ...existing, price, quantity: wanted.quantity };
  });
  sub.items.total_count = sub.items.data.length;
}

/** `subscription_schedule.updated`: the schedule's current phase moved on. */
export function enterPhase(billing: Billing, schedule: Schedule, phase: Phase, at: number): void {
  updateAndEmit(
    billing,
    'subscription_schedule.updated',
    schedule,
    schedule.customer,
    (s) => {
      s.current_phase = { start_date: phase.start_date, end_date: phase.end_date };
    },
    at,
  );
}

function endSchedule(billing: Billing, schedule: Schedule, sub: Subscription, at: number): 'renew' | 'canceled' {
  if (schedule.end_behavior === 'cancel') {
    cancelSubscription(billing, sub, { at });
    updateAndEmit(
      billing,
      'subscription_schedule.completed',
      schedule,
      schedule.customer,
      (s) => {
        s.status = 'completed';
        s.completed_at = at;
        s.current_phase = null;
      },
      at,
    );
    return 'canceled';
  }
  releaseSchedule(billing, schedule, at);
  return 'renew';
}

/** Detaches the subscription, which keeps its current prices and renews on its own. */
export function releaseSchedule(billing: Billing, schedule: Schedule, at = billing.now()): Schedule {
  if (schedule.status !== 'active' && schedule.status !== 'not_started') {
    throw new StripeApiError(400, `You cannot release a subscription schedule that is ${schedule.status}.`);
  }
  const subId = schedule.subscription;
  updateAndEmit(
    billing,
    'subscription_schedule.released',
    schedule,
    schedule.customer,
    (s) => {
      s.status = 'released';
      s.released_at = at;
      s.released_subscription = subId;
      s.subscription = null;
      s.current_phase = null;
    },
    at,
  );
  const sub = subId ? billing.store.get<Subscription>(subId, 'subscription') : undefined;
  if (sub)
    updateAndEmit(
      billing,
      'customer.subscription.updated',
      sub,
      sub.customer,
      (s) => {
        s.schedule = null;
      },
      at,
    );
  return schedule;
}

/** Cancels the schedule and its subscription now. */
export function cancelSchedule(billing: Billing, schedule: Schedule, at = billing.now()): Schedule {
  if (schedule.status !== 'active' && schedule.status !== 'not_started') {
    throw new StripeApiError(400, `You cannot cancel a subscription schedule that is ${schedule.status}.`);
  }
  const sub = schedule.subscription
    ? billing.store.get<Subscription>(schedule.subscription, 'subscription')
    : undefined;
  if (sub && sub.status !== 'canceled') cancelSubscription(billing, sub, { at });
  updateAndEmit(
    billing,
    'subscription_schedule.canceled',
    schedule,
    schedule.customer,
    (s) => {
      s.status = 'canceled';
      s.canceled_at = at;
      s.current_phase = null;
    },
    at,
  );
  return schedule;
}
