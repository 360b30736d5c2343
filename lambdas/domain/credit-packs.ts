import { AppError } from './errors';
import type { PlanCatalog, StripePriceLike } from './plan-catalog';
import { describeIssues } from './validation-issues';
import * as z from './zod-mini';

/**
 * Credit packs: one-time purchases (Checkout in `payment` mode) that add credits to a user's balance. A stage's
 * packs feed the checkout (pack -> Stripe price), the webhook and reconcile (Stripe price -> pack). Pure module.
 */

const nonEmpty = z.string().check(z.minLength(1));

const packSchema = z.strictObject({
  /** What a client asks for: `{"pack":"credits_500"}`. */
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'pack ids are lowercase letters, digits, "_" or "-"')),
  /** Credits one unit of the pack adds. */
  credits: z.number().check(z.int(), z.positive(), z.lte(1_000_000_000)),
  /** The Stripe one-time price's lookup key (checkout finds the price by it). */
  lookupKey: nonEmpty,
  /** Stripe price ids that are this pack whatever their lookup key. */
  priceIds: z.optional(z.array(nonEmpty)),
  /** Most units one checkout may buy (Stripe line item quantity). */
  maxQuantity: z._default(z.number().check(z.int(), z.gte(1), z.lte(99)), 1),
});

export type CreditPack = z.infer<typeof packSchema>;

export const creditPacksSchema = z.strictObject({ packs: z.array(packSchema) }).check(
  z.superRefine((catalog, ctx) => {
    const ids = new Set<string>();
    const prices = new Map<string, string>();
    catalog.packs.forEach((pack, index) => {
      if (ids.has(pack.id))
        ctx.addIssue({ code: 'custom', path: ['packs', index, 'id'], message: `duplicate pack "${pack.id}"` });
      ids.add(pack.id);
      for (const key of [`lookup:${pack.lookupKey}`, ...(pack.priceIds ?? []).map((id) => `id:${id}`)]) {
        const owner = prices.get(key);
        if (owner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['packs', index],
            message: `duplicate ${key.replace(':', ' ')} (packs "${owner}" and "${pack.id}")`,
          });
        }
        prices.set(key, pack.id);
      }
    });
  }),
);

export type CreditPacksInput = z.input<typeof creditPacksSchema>;

export const DEFAULT_CREDIT_PACKS: CreditPacksInput = {
  packs: [
    { id: 'credits_100', credits: 100, lookupKey: 'credits_100', maxQuantity: 10 },
    { id: 'credits_500', credits: 500, lookupKey: 'credits_500', maxQuantity: 5 },
  ],
};

export class InvalidCreditPacksError extends AppError {
  override name = 'InvalidCreditPacksError';
}

/** A validated set of credit packs with the lookups checkout, the webhook and reconcile need. */
export class CreditPacks {
  readonly packs: readonly CreditPack[];
  private readonly byId: Map<string, CreditPack>;

  private constructor(packs: CreditPack[]) {
    this.packs = packs;
    this.byId = new Map(packs.map((pack) => [pack.id, pack]));
  }

  /** Validates packs; with `plans`, also that no pack shares a lookup key or price id with a plan. */
  static parse(input: unknown, plans?: PlanCatalog): CreditPacks {
    const result = creditPacksSchema.safeParse(input);
    const problems = result.success ? [] : [describeIssues(result.error)];
    if (result.success && plans) problems.push(...clashesWithPlans(result.data.packs, plans));
    if (!result.success || problems.length > 0) {
      throw new InvalidCreditPacksError(`Invalid credit packs: ${problems.join('; ')}`);
    }
    return new CreditPacks(result.data.packs);
  }

  /** Parses the JSON form carried in the CREDIT_PACKS environment variable. */
  static fromJson(json: string): CreditPacks {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new InvalidCreditPacksError('Invalid credit packs: not valid JSON', { cause: error });
    }
    return CreditPacks.parse(parsed);
  }

  static defaults(): CreditPacks {
    return CreditPacks.parse(DEFAULT_CREDIT_PACKS);
  }

  toJSON(): CreditPacksInput {
    return { packs: this.packs.map((pack) => ({ ...pack })) };
  }

  ids(): string[] {
    return this.packs.map((pack) => pack.id);
  }

  pack(id: string): CreditPack | undefined {
    return this.byId.get(id);
  }

  /** The pack a Stripe price is (its id, then its lookup key), or undefined. */
  packForPrice(price: StripePriceLike): CreditPack | undefined {
    const byId = price.id ? this.packs.find((pack) => pack.priceIds?.includes(price.id as string)) : undefined;
    return byId ?? (price.lookup_key ? this.packs.find((pack) => pack.lookupKey === price.lookup_key) : undefined);
  }
}

/** A price that is both a plan and a pack would be mapped by two rules: refused. */
function clashesWithPlans(packs: CreditPack[], plans: PlanCatalog): string[] {
  const planKeys = new Set(plans.plans.flatMap((plan) => Object.values(plan.prices).filter(Boolean)));
  const planPriceIds = new Set(plans.plans.flatMap((plan) => plan.priceIds ?? []));
  const problems: string[] = [];
  for (const pack of packs) {
    if (planKeys.has(pack.lookupKey)) problems.push(`pack "${pack.id}": lookup key "${pack.lookupKey}" is a plan's`);
    for (const id of pack.priceIds ?? []) {
      if (planPriceIds.has(id)) problems.push(`pack "${pack.id}": price id "${id}" is a plan's`);
    }
  }
  return problems;
}
