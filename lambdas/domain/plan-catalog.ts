import { DEFAULT_CATALOG } from './default-catalog';
import { AppError } from './errors';
import {
  type BillingInterval,
  catalogSchema,
  type PlanCatalogInput,
  type PlanDefinition,
  type PlanId,
} from './plan-catalog-schema';
import { describeIssues } from './validation-issues';

/**
 * The plan catalog: one typed source for CDK (Cognito groups) and Lambdas (Stripe price -> plan).
 * Pure module: no AWS, no Stripe SDK. Its shape and validation: plan-catalog-schema.ts.
 */

export class InvalidCatalogError extends AppError {
  override name = 'InvalidCatalogError';
}

/** A validated catalog with the lookups Lambdas and CDK need. */
export class PlanCatalog {
  readonly plans: readonly PlanDefinition[];
  private readonly byId: Map<PlanId, PlanDefinition>;
  private readonly byLookupKey: Map<string, PlanDefinition>;
  private readonly byPriceId: Map<string, PlanDefinition>;
  private readonly byProductId: Map<string, PlanDefinition>;

  private constructor(plans: PlanDefinition[]) {
    this.plans = plans;
    this.byId = new Map(plans.map((plan) => [plan.id, plan]));
    this.byPriceId = new Map(plans.flatMap((plan) => (plan.priceIds ?? []).map((id) => [id, plan] as const)));
    this.byProductId = new Map(plans.flatMap((plan) => (plan.productIds ?? []).map((id) => [id, plan] as const)));
    this.byLookupKey = new Map(
      plans.flatMap((plan) =>
        Object.values(plan.prices)
          .filter((key): key is string => key !== undefined)
          .map((key) => [key, plan] as const),
      ),
    );
  }

  /** Validates a catalog; throws InvalidCatalogError naming every problem. */
  static parse(input: unknown): PlanCatalog {
    const result = catalogSchema.safeParse(input);
    if (!result.success) {
      throw new InvalidCatalogError(`Invalid plan catalog: ${describeIssues(result.error)}`);
    }
    return new PlanCatalog(result.data.plans);
  }

  /** Parses the JSON form carried in the PLAN_CATALOG environment variable. */
  static fromJson(json: string): PlanCatalog {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new InvalidCatalogError('Invalid plan catalog: not valid JSON', { cause: error });
    }
    return PlanCatalog.parse(parsed);
  }

  static defaults(): PlanCatalog {
    return PlanCatalog.parse(DEFAULT_CATALOG);
  }

  toJSON(): PlanCatalogInput {
    return { plans: this.plans.map((plan) => ({ ...plan })) };
  }

  plan(id: PlanId): PlanDefinition {
    const plan = this.byId.get(id);
    if (!plan) throw new InvalidCatalogError(`Plan "${id}" is not in the catalog`);
    return plan;
  }

  hasPlan(id: string): id is PlanId {
    return this.byId.has(id as PlanId);
  }

  /** Plans a customer can buy (they have at least one Stripe price). */
  paidPlans(): PlanDefinition[] {
    return this.plans.filter((plan) => Object.keys(plan.prices).length > 0);
  }

  /** Every group this system manages; `admins` and unknown groups are never touched. */
  managedGroups(): string[] {
    return this.plans.map((plan) => plan.group);
  }

  isManagedGroup(group: string): boolean {
    return this.plans.some((plan) => plan.group === group);
  }

  lookupKeyFor(planId: PlanId, interval: BillingInterval): string | undefined {
    return this.byId.get(planId)?.prices[interval];
  }

  /**
   * Maps a Stripe price to a plan from what a webhook payload carries, in this order: its id (`priceIds`, the most
   * specific), its `lookup_key`, its `metadata.plan`, its product's id (`productIds`). Only purchasable plans count; anything else
   * is unknown (undefined). A product's `metadata.plan` is never read: payloads name the product by id only, so a
   * mapping that needed it would differ between an event and a re-read of Stripe.
   */
  planForPrice(price: StripePriceLike): PlanDefinition | undefined {
    const byId = price.id ? this.byPriceId.get(price.id) : undefined;
    if (byId) return byId;
    const byKey = price.lookup_key ? this.byLookupKey.get(price.lookup_key) : undefined;
    if (byKey) return byKey;
    const byMetadata = this.purchasable(price.metadata?.plan);
    if (byMetadata) return byMetadata;
    const productId = typeof price.product === 'string' ? price.product : price.product?.id;
    return productId ? this.byProductId.get(productId) : undefined;
  }

  /** The purchasable plan with this id, or undefined (free, trial, unknown ids). */
  purchasable(planId: string | null | undefined): PlanDefinition | undefined {
    if (!planId || !this.hasPlan(planId)) return undefined;
    const plan = this.plan(planId);
    return Object.keys(plan.prices).length > 0 ? plan : undefined;
  }
}

/** The fields of a Stripe price the catalog reads; both API-version shapes fit. */
export interface StripePriceLike {
  id?: string;
  lookup_key?: string | null;
  metadata?: Record<string, string> | null;
  product?: string | { id?: string; metadata?: Record<string, string> | null } | null;
}
