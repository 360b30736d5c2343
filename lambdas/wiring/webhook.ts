import { CognitoGroupGateway } from '../adapters/cognito/cognito-groups';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoCreditLedgerStore } from '../adapters/dynamo/credit-ledger-store';
import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { DynamoParkedEventStore } from '../adapters/dynamo/parked-events';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { DynamoWebhookLedger } from '../adapters/dynamo/webhook-ledger';
import { StripeSignatureVerifier } from '../adapters/stripe/stripe-signature';
import { StripeSubscriptionSource } from '../adapters/stripe/stripe-subscriptions';
import { entitlementPolicyOf } from '../platform/config';
import type { CONTRACTS, CognitoAction, DynamoAction, SecretKey } from '../platform/contracts';
import type { Runtime } from '../platform/runtime';
import { systemClock } from '../ports/app-ports';
import type { StripeEventDeps } from '../use-cases/webhook/apply-stripe-event';
import type { DeliveryDeps } from '../use-cases/webhook/receive-delivery';
import { accountTombstones } from './account';

/** What re-applying Stripe events needs of a contract (the webhook's and reconcile's both have it). */
export type StripeEventContract = {
  tables: Record<'entitlements' | 'userProfiles' | 'parkedEvents' | 'auditLog' | 'credits', readonly DynamoAction[]>;
  secrets: readonly ['stripeApiKey', ...SecretKey[]];
  userPool: { poolIdFrom: 'env'; actions: readonly CognitoAction[] };
};

/** Stripe reads of the webhook path are time-boxed: a hung read fails fast into a retry by Stripe. */
export const WEBHOOK_STRIPE_OPTIONS = { timeoutMs: 4_000, maxNetworkRetries: 1 } as const;

/** The webhook use case's dependencies: for the webhook, and for reconcile when it re-applies parked events. */
export function stripeEventDeps(runtime: Runtime<StripeEventContract>): StripeEventDeps {
  const { ddb, tables } = runtime;
  return {
    entitlements: new DynamoEntitlementStore(ddb, tables.ENTITLEMENTS_TABLE),
    profiles: new DynamoProfileStore(ddb, tables.USER_PROFILES_TABLE),
    groups: new CognitoGroupGateway(runtime.cognito, runtime.userPoolId),
    stripe: new StripeSubscriptionSource(() => runtime.stripe(WEBHOOK_STRIPE_OPTIONS)),
    parked: new DynamoParkedEventStore(ddb, tables.PARKED_EVENTS_TABLE),
    credits: {
      ledger: new DynamoCreditLedgerStore(ddb, tables.CREDITS_TABLE),
      audit: new DynamoAuditLog(ddb, tables.AUDIT_TABLE),
    },
    audit: new DynamoAuditLog(ddb, tables.AUDIT_TABLE),
    catalog: runtime.catalog,
    policy: entitlementPolicyOf(runtime.policy),
    clock: runtime.clock,
    tombstones: accountTombstones(runtime),
    // A Stripe trial seen for the first time also marks the email (one trial per identity, beyond one account).
    trialMarks: accountTombstones(runtime),
  };
}

export function deliveryDeps(runtime: Runtime<typeof CONTRACTS.stripeWebhook>): DeliveryDeps {
  return {
    ...stripeEventDeps(runtime),
    ledger: new DynamoWebhookLedger(runtime.ddb, runtime.tables.WEBHOOK_EVENTS_TABLE),
    // Signatures carry wall-clock timestamps (Stripe signs with real time): the tolerance is checked against it.
    verifier: new StripeSignatureVerifier(runtime.secret('stripeWebhookSecret'), systemClock),
  };
}
