import * as z from './zod-mini';

/**
 * The plan catalog's shape and rules (zod): plan ids, groups, precedences, Stripe lookup keys, price and product ids.
 * Pure module: no AWS, no Stripe SDK. The validated catalog with its lookups: plan-catalog.ts.
 */

export const PLAN_IDS = ['free', 'trial', 'starter', 'pro', 'business', 'enterprise'] as const;
export type PlanId = (typeof PLAN_IDS)[number];
export const BILLING_INTERVALS = ['month', 'year'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

/** The operators' group: never added or removed by this system. */
export const ADMIN_GROUP = { name: 'admins', precedence: 1 } as const;

const groupName = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, 'group names may not contain white space'),
  );
const nonEmpty = z.string().check(z.minLength(1));

const planSchema = z.strictObject({
  id: z.enum(PLAN_IDS),
  group: groupName,
  precedence: z.number().check(z.int(), z.gte(0)),
  /** Stripe price lookup keys per billing interval; absent for free and trial. */
  prices: z._default(z.strictObject({ month: z.optional(nonEmpty), year: z.optional(nonEmpty) }), {}),
  /**
   * Stripe price ids that are this plan whatever their lookup key (prices that lost their key to
   * `transfer_lookup_key`, or were never given one). Only on purchasable plans.
   */
  priceIds: z.optional(z.array(nonEmpty)),
  /** Stripe product ids whose every price is this plan (webhook payloads name a price's product by id). */
  productIds: z.optional(z.array(nonEmpty)),
  features: z.array(nonEmpty),
  /** Length of the no-card trial this plan grants (only the `trial` plan). */
  trialDays: z.optional(z.number().check(z.int(), z.positive())),
});

export type PlanDefinition = z.infer<typeof planSchema>;

export const catalogSchema = z.strictObject({ plans: z.array(planSchema).check(z.minLength(1)) }).check(
  z.superRefine((catalog, ctx) => {
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
  }),
);

export type PlanCatalogInput = z.input<typeof catalogSchema>;
