import { CognitoGroupGateway } from '../adapters/cognito/cognito-groups';
import { DynamoCreditLedgerStore } from '../adapters/dynamo/credit-ledger-store';
import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { STRIPE_CALL_OPTIONS, StripeBillingGateway } from '../adapters/stripe/stripe-billing';
import { parseEnv } from '../platform/config';
import type { CONTRACTS } from '../platform/contracts';
import { type RedirectConfig, redirectEnvSchema } from '../platform/redirects';
import type { Runtime } from '../platform/runtime';
import type { CheckoutDeps } from '../use-cases/billing/create-checkout-session';
import type { PackCheckoutDeps } from '../use-cases/billing/create-pack-checkout';
import type { PortalDeps } from '../use-cases/billing/create-portal-session';
import type { StatusWithCreditsDeps } from '../use-cases/credits/status-with-credits';
import type { StartTrialDeps } from '../use-cases/entitlement/start-trial';
import { accountTombstones } from './account';
import { healerOf } from './heal';

type PackCheckoutWiring = Pick<PackCheckoutDeps, 'creditPacks' | 'billing'>;

/**
 * The dependency sets of the frontend routes, each from its function's runtime (one contract each). Every route
 * heals a caller whose rows are missing with the same use case (wiring/heal.ts).
 */

export function subscriptionStatusDeps(runtime: Runtime<typeof CONTRACTS.subscriptionStatus>): StatusWithCreditsDeps {
  return {
    credits: new DynamoCreditLedgerStore(runtime.ddb, runtime.tables.CREDITS_TABLE),
    entitlements: new DynamoEntitlementStore(runtime.ddb, runtime.tables.ENTITLEMENTS_TABLE),
    profiles: new DynamoProfileStore(runtime.ddb, runtime.tables.USER_PROFILES_TABLE),
    catalog: runtime.catalog,
    clock: runtime.clock,
    heal: healerOf(runtime),
  };
}

export function startTrialDeps(runtime: Runtime<typeof CONTRACTS.startTrial>): StartTrialDeps {
  return {
    entitlements: new DynamoEntitlementStore(runtime.ddb, runtime.tables.ENTITLEMENTS_TABLE),
    groups: new CognitoGroupGateway(runtime.cognito, runtime.userPoolId),
    catalog: runtime.catalog,
    clock: runtime.clock,
    trialMarks: accountTombstones(runtime),
    heal: healerOf(runtime),
  };
}

export function checkoutDeps(
  runtime: Runtime<typeof CONTRACTS.checkoutSession>,
  env: NodeJS.ProcessEnv,
): CheckoutDeps & { redirects: RedirectConfig; packs: PackCheckoutWiring } {
  const billing = new StripeBillingGateway(() => runtime.stripe(STRIPE_CALL_OPTIONS));
  return {
    profiles: new DynamoProfileStore(runtime.ddb, runtime.tables.USER_PROFILES_TABLE),
    entitlements: new DynamoEntitlementStore(runtime.ddb, runtime.tables.ENTITLEMENTS_TABLE),
    billing,
    catalog: runtime.catalog,
    clock: runtime.clock,
    trialMarks: accountTombstones(runtime),
    heal: healerOf(runtime),
    redirects: parseEnv(redirectEnvSchema, env),
    packs: { creditPacks: runtime.creditPacks, billing },
  };
}

export function portalDeps(
  runtime: Runtime<typeof CONTRACTS.billingPortal>,
  env: NodeJS.ProcessEnv,
): PortalDeps & { redirects: RedirectConfig } {
  return {
    profiles: new DynamoProfileStore(runtime.ddb, runtime.tables.USER_PROFILES_TABLE),
    entitlements: new DynamoEntitlementStore(runtime.ddb, runtime.tables.ENTITLEMENTS_TABLE),
    billing: new StripeBillingGateway(() => runtime.stripe(STRIPE_CALL_OPTIONS)),
    heal: healerOf(runtime),
    redirects: parseEnv(redirectEnvSchema, env),
  };
}
