/**
 * Drift detection for reconcile: snapshots of one user in Cognito, UserProfiles, Stripe, Entitlements and the
 * Cognito groups in, findings and an ordered repair plan out. Pure (no AWS, no Stripe SDK, no clock), so a
 * dry-run reports exactly what an apply would do: the apply executes this same plan.
 *
 * The expected entitlement is the webhook's own policy (`computeEntitlement`) over the customer's subscriptions as
 * Stripe lists them now, merged into the record's per-subscription state with the webhook's ordering rule
 * (`withStripeSubscriptions`), so payment signals the record holds (disputes, refunds) are kept.
 *
 * This file is the entry point; the work lives in
 * - drift-snapshots.ts: what is read about a user, the run's context, which customer decides;
 * - drift-findings.ts: drift kinds, findings, repair actions, parked events, counts;
 * - drift-entitlement.ts: the expected entitlement and the comparison with the stored one;
 * - drift-plan.ts: `planUser`, the four steps in repair order.
 */

export { customerStateFromStripe, expectedEntitlement, sameEntitlement, stripeReadAt } from './drift-entitlement';
export {
  countByKind,
  DRIFT_KINDS,
  type DriftFinding,
  type DriftKind,
  NEW_CUSTOMER,
  type ParkedEventRef,
  parkedEventFindings,
  REPORT_ONLY_KINDS,
  type RepairAction,
  type UserPlan,
} from './drift-findings';
export { planUser } from './drift-plan';
export {
  type CognitoUserSnapshot,
  customerFor,
  type DriftContext,
  isConfirmed,
  linkedCustomerId,
  needsCompleteSubscriptionList,
  preferredCustomer,
  type StripeCustomerSnapshot,
  type UserSnapshot,
} from './drift-snapshots';
