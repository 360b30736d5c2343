import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { type AccessRequirement, assertKnownRequirement } from '../domain/feature-gate';
import type { PlanId } from '../domain/plan-catalog-schema';
import type { DynamoAction, FunctionContract } from '../platform/contracts';
import { type GateHttpOptions, type GateMiddleware, gateMiddleware } from '../platform/feature-gate-http';
import type { Runtime } from '../platform/runtime';
import { createFeatureGate, type FeatureGate, type GateCacheOptions } from '../use-cases/gate/feature-gate';

/**
 * The feature gate for a Lambda of this app, built once per container from its runtime. The function's contract
 * must give it `GetItem` on the Entitlements table (spread `GATE_TABLES` from platform/contracts.ts into it).
 *
 * ```ts
 * const entry = lambdaEntry(CONTRACTS.myRoute, (runtime) => {
 *   const gate = featureGate(runtime, { upgradeUrl: 'https://app.example.com/pricing' });
 *   return withGates([gate.requireFeature('scheduled-backups')], myHandler);   // or middy(myHandler).use(...)
 * });
 * ```
 */

type GateContract = FunctionContract & { readonly tables: { readonly entitlements: readonly DynamoAction[] } };

export interface FeatureGateOptions extends GateHttpOptions {
  cache?: GateCacheOptions;
}

export interface AppFeatureGate extends FeatureGate {
  /** Middleware + plain function: 403 `feature_not_in_plan` unless the caller's plan grants `feature`. */
  requireFeature(feature: string): GateMiddleware;
  /** Middleware + plain function: 403 `feature_not_in_plan` unless the caller's plan is `plan` or better. */
  requirePlan(plan: PlanId): GateMiddleware;
}

export function featureGate<C extends GateContract>(
  runtime: Runtime<C>,
  options: FeatureGateOptions = {},
): AppFeatureGate {
  const tables = runtime.tables as Record<string, string>;
  const tableName = tables.ENTITLEMENTS_TABLE;
  if (!tableName) throw new Error("the gate needs ENTITLEMENTS_TABLE in the function's contract");
  const gate = createFeatureGate({
    entitlements: new DynamoEntitlementStore(runtime.ddb, tableName),
    catalog: runtime.catalog,
    clock: runtime.clock,
    ...(options.cache ? { cache: options.cache } : {}),
  });
  // A requirement naming no catalog feature or plan fails the cold start, not every request.
  const middleware = (requirement: AccessRequirement) => {
    assertKnownRequirement(requirement, runtime.catalog);
    return gateMiddleware(gate.check, requirement, options);
  };
  return {
    ...gate,
    requireFeature: (feature) => middleware({ feature }),
    requirePlan: (plan) => middleware({ plan }),
  };
}
