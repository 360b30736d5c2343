import { z } from 'zod';
import { AppError } from './errors';

/**
 * The plan catalog: one typed source for CDK (Cognito groups) and Lambdas (Stripe price -> plan).
 * Pure module: no AWS, no Stripe SDK.
 */

export const PLAN_IDS = ['free', 'trial', 'starter', 'pro', 'business', 'enterprise'] as const;
export type PlanId = (typeof PLAN_IDS)[number];
export const BILLING_INTERVALS = ['month', 'year'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

/** The operators' group: never added or removed by this system. */
export const ADMIN_GROUP = { name: 'admins', precedence: 1 } as const;

const groupName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, 'group names may not contain white space');

const planSchema = z
  .object({
    id: z.enum(PLAN_IDS),
    group: groupName,
    precedence: z.number().int().min(0),
    /** Stripe price lookup keys per billing interval; absent for free and trial. */
    prices: z
      .object({ month: z.string().min(1).optional(), year: z.string().min(1).optional() })
      .strict()
      .default({}),
    /**
     * Stripe price ids that are this plan whatever their lookup key (prices that lost their key to
     * `transfer_lookup_key`, or were never given one). Only on purchasable plans.
     */
    priceIds: z.array(z.string().min(1)).optional(),
    /** Stripe product ids whose every price is this plan (webhook payloads name a price's product by id). */
    productIds: z.array(z.string().min(1)).optional(),
    features: z.array(z.string().min(1)),
    /** Length of the no-card trial this plan grants (only the `trial` plan). */
    trialDays: z.number().int().positive().optional(),
  })
  .strict();

export type PlanDefinition = z.infer<typeof planSchema>;

export const catalogSchema = z
  .object({ plans: z.array(planSchema).min(1) })
  .strict()
  .superRefine((catalog, ctx) => {
    const seen = {
      id: new Map<string, number>(),
      group: new Map<string, number>(),
      precedence: new Map<number, string>(),
    };
    const lookupKeys = new Map<string, string>();
    const ids = { priceIds: new Map<string, string>(), productIds: new Map<string, string>() };
    catalog.plans.forEach((plan, index) => {
      for (const field of ['priceIds', 'productIds'] as const) {
        const list = plan[field] ?? [];
        if (list.length > 0 && Object.keys(plan.prices).length === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['plans', index, field],
            message: `plan "${plan.id}" is not sold (no lookup keys): it cannot own ${field}`,
          });
        }
        for (const id of list) {
          const owner = ids[field].get(id);
          if (owner !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['plans', index, field],
              message: `duplicate ${field === 'priceIds' ? 'price' : 'product'} id "${id}" (plans "${owner}" and "${plan.id}")`,
            });
          }
          ids[field].set(id, plan.id);
        }
      }
      if (seen.id.has(plan.id))
        ctx.addIssue({ code: 'custom', path: ['plans', index, 'id'], message: `duplicate plan "${plan.id}"` });
      seen.id.set(plan.id, index);
      if (seen.group.has(plan.group) || plan.group === ADMIN_GROUP.name) {
        ctx.addIssue({ code: 'custom', path: ['plans', index, 'group'], message: `duplicate group "${plan.group}"` });
      }
      seen.group.set(plan.group, index);
      const holder = seen.precedence.get(plan.precedence);
      if (holder !== undefined || plan.precedence === ADMIN_GROUP.precedence) {
        ctx.addIssue({
          code: 'custom',
          path: ['plans', index, 'precedence'],
          message: `duplicate precedence ${plan.precedence} (plan "${plan.id}" and "${holder ?? ADMIN_GROUP.name}")`,
        });
      }
      seen.precedence.set(plan.precedence, plan.id);
      for (const key of Object.values(plan.prices)) {
        if (key === undefined) continue;
        const owner = lookupKeys.get(key);
        if (owner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['plans', index, 'prices'],
            message: `duplicate lookup key "${key}" (plans "${owner}" and "${plan.id}")`,
          });
        }
        lookupKeys.set(key, plan.id);
      }
    });
    for (const required of ['free', 'trial'] as const) {
      if (!seen.id.has(required))
        ctx.addIssue({ code: 'custom', path: ['plans'], message: `plan "${required}" is required` });
    }
  });

export type PlanCatalogInput = z.input<typeof catalogSchema>;

const PRO_FEATURES = ['scheduled-backups', 'multiple-sources'];
const BUSINESS_FEATURES = [...PRO_FEATURES, 'team-management', 'advanced-backups'];

export const DEFAULT_CATALOG: PlanCatalogInput = {
  plans: [
    { id: 'free', group: 'free', precedence: 50, features: ['manual-backups'] },
    { id: 'trial', group: 'trial', precedence: 45, features: PRO_FEATURES, trialDays: 14 },
    {
      id: 'starter',
      group: 'starter',
      precedence: 40,
      prices: { month: 'starter_monthly', year: 'starter_yearly' },
      features: ['basic-backups'],
    },
    {
      id: 'pro',
      group: 'pro',
      precedence: 30,
      prices: { month: 'pro_monthly', year: 'pro_yearly' },
      features: PRO_FEATURES,
    },
    {
      id: 'business',
      group: 'business',
      precedence: 25,
      prices: { month: 'business_monthly', year: 'business_yearly' },
      features: BUSINESS_FEATURES,
    },
    {
      id: 'enterprise',
      group: 'enterprise',
      precedence: 3,
      prices: { month: 'enterprise_monthly', year: 'enterprise_yearly' },
      features: [...BUSINESS_FEATURES, 'advanced-analytics', 'custom-integrations', 'priority-support'],
    },
  ],
};

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
      const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
      throw new InvalidCatalogError(`Invalid plan catalog: ${problems.join('; ')}`);
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
