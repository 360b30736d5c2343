import type { StripeObject } from './store';

/**
 * The Stripe objects the emulator models, in the current API version's shape (2025-03-31 basil and later: billing
 * periods on subscription items, `invoice.parent.subscription_details`, no `invoice.charge`). Only the fields the
 * emulator reads are typed; every object carries the rest of Stripe's fields as plain JSON.
 */

export interface Price extends StripeObject {
  product: string;
  lookup_key: string | null;
  active: boolean;
  unit_amount: number;
  currency: string;
  metadata: Record<string, string>;
  nickname: string | null;
  recurring: { interval: 'month' | 'year' | 'week' | 'day'; interval_count: number } | null;
}

export interface SubscriptionItem extends StripeObject {
  price: Price;
  quantity: number;
  current_period_start: number;
  current_period_end: number;
  subscription: string;
}

export interface Subscription extends StripeObject {
  customer: string;
  status: string;
  metadata: Record<string, string>;
  items: { object: 'list'; data: SubscriptionItem[]; has_more: boolean; total_count: number; url: string };
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  trial_start: number | null;
  trial_end: number | null;
  latest_invoice: string | null;
  created: number;
  currency: string;
  billing_cycle_anchor: number;
  default_payment_method: string | null;
  pause_collection: { behavior: 'keep_as_draft' | 'mark_uncollectible' | 'void'; resumes_at: number | null } | null;
  schedule: string | null;
  trial_settings: { end_behavior: { missing_payment_method: 'cancel' | 'pause' | 'create_invoice' } };
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null };
}

export interface Customer extends StripeObject {
  email: string | null;
  metadata: Record<string, string>;
  invoice_settings?: { default_payment_method: string | null; [key: string]: unknown };
  deleted?: true;
}

export interface Invoice extends StripeObject {
  customer: string;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempt_count: number;
  attempted: boolean;
  auto_advance: boolean;
  automatically_finalizes_at: number | null;
  billing_reason: string;
  next_payment_attempt: number | null;
  parent: { subscription_details: { subscription: string; metadata: Record<string, string> } | null } | null;
  status_transitions: Record<string, number | null>;
  payments: { object: 'list'; data: StripeObject[]; has_more: boolean; url: string };
  currency: string;
}

export interface PaymentIntent extends StripeObject {
  amount: number;
  currency: string;
  customer: string | null;
  status: string;
  payment_method: string | null;
  latest_charge: string | null;
  last_payment_error: Record<string, unknown> | null;
  metadata: Record<string, string>;
}

export interface Charge extends StripeObject {
  amount: number;
  amount_refunded: number;
  refunded: boolean;
  disputed: boolean;
  customer: string | null;
  payment_intent: string | null;
  payment_method: string | null;
  status: 'succeeded' | 'pending' | 'failed';
  paid: boolean;
  currency: string;
  metadata: Record<string, string>;
}

export interface Refund extends StripeObject {
  amount: number;
  charge: string;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled' | 'requires_action';
  failure_reason: string | null;
}

export interface Dispute extends StripeObject {
  amount: number;
  charge: string;
  status: string;
  evidence: Record<string, unknown>;
  evidence_details: { submission_count: number; due_by: number; has_evidence: boolean; past_due: boolean };
}

export interface StripeEvent extends StripeObject {
  type: string;
  created: number;
  data: { object: StripeObject; previous_attributes?: Record<string, unknown> };
}

/** Sees every event as it is created, with the customer it belongs to (for per-customer delivery order). */
export type EventListener = (event: StripeEvent, customerId: string | undefined) => void;

export const TERMINAL_STATUSES = new Set(['canceled', 'incomplete_expired']);
