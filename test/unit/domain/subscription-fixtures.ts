import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import type { SubscriptionSnapshot } from '../../../lambdas/domain/subscription-snapshot';

/** Shared by the policy's table tests: one pro subscription in January 2026 and the moments it is judged at. */

export const catalog = PlanCatalog.defaults();
export const policy = { gracePeriodDays: 7, paymentReversal: 'revoke' as const };
export const day = 86_400;
export const periodStart = Date.parse('2026-01-01T00:00:00Z') / 1000;
export const periodEnd = periodStart + 30 * day;
export const trialEnd = periodStart + 14 * day;

export const base: SubscriptionSnapshot = {
  id: 'sub_a',
  status: 'active',
  plan: 'pro',
  priceLabel: 'pro_monthly',
  currentPeriodStart: periodStart,
  currentPeriodEnd: periodEnd,
  trialEnd: null,
  cancelAtPeriodEnd: false,
  eventCreated: periodStart,
  eventId: 'evt_a',
};
export const snapshot = (overrides: Partial<SubscriptionSnapshot>): SubscriptionSnapshot => ({
  ...structuredClone(base),
  ...overrides,
});

/** early: inside the grace window and the trial; late: grace and trial over, period running; ended: period over. */
export const PHASES = {
  early: new Date((periodStart + 3 * day) * 1000),
  late: new Date((periodStart + 20 * day) * 1000),
  ended: new Date((periodEnd + 5 * day) * 1000),
} as const;
export type Phase = keyof typeof PHASES;
