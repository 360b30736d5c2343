import { z } from 'zod';
import { PlanCatalog } from '../core/plan-catalog';

/**
 * Environment contract of every Lambda, parsed once at cold start. A missing or malformed variable fails loudly
 * with the variable's name: no `|| ''` defaults. Each handler picks the parts it needs.
 *
 * Secrets: in AWS the Lambdas get Secrets Manager ARNs (`STRIPE_SECRET_ARN`, `STRIPE_WEBHOOK_SECRET_ARN`) and read
 * the values at cold start. Only the local stack passes `STRIPE_SECRET_KEY` / `STRIPE_WEBHOOK_SECRET` directly.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const nonEmpty = z.string().trim().min(1);

export const tableEnvSchema = z.object({
  USER_PROFILES_TABLE: nonEmpty,
  ENTITLEMENTS_TABLE: nonEmpty,
  WEBHOOK_EVENTS_TABLE: nonEmpty,
  PARKED_EVENTS_TABLE: nonEmpty,
  AUDIT_TABLE: nonEmpty,
  RECONCILE_STATE_TABLE: nonEmpty,
});

export const awsEnvSchema = z.object({
  AWS_REGION: nonEmpty.default('us-east-1'),
  /** Local stack only: emulator endpoints. Absent in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  COGNITO_ENDPOINT: z.url().optional(),
});

export const cognitoEnvSchema = z.object({
  USER_POOL_ID: nonEmpty,
  USER_POOL_CLIENT_ID: nonEmpty.optional(),
});

export const stripeEnvSchema = z
  .object({
    STRIPE_SECRET_ARN: nonEmpty.optional(),
    STRIPE_WEBHOOK_SECRET_ARN: nonEmpty.optional(),
    STRIPE_SECRET_KEY: nonEmpty.optional(),
    STRIPE_WEBHOOK_SECRET: nonEmpty.optional(),
    /** Local Stripe emulator base URL, e.g. http://127.0.0.1:12111. Absent in AWS. */
    STRIPE_API_BASE: z.url().optional(),
  })
  .refine((env) => env.STRIPE_SECRET_ARN || env.STRIPE_SECRET_KEY, {
    message: 'STRIPE_SECRET_ARN (AWS) or STRIPE_SECRET_KEY (local) is required',
    path: ['STRIPE_SECRET_ARN'],
  });

const catalogJson = z
  .string()
  .optional()
  .transform((json, ctx) => {
    if (json === undefined || json.trim() === '') return PlanCatalog.defaults();
    try {
      return PlanCatalog.fromJson(json);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const policyEnvSchema = z.object({
  STAGE: nonEmpty.default('local'),
  PLAN_CATALOG: catalogJson,
  /** Days a past_due subscription stays entitled. */
  GRACE_PERIOD_DAYS: z.coerce.number().int().min(0).max(60).default(7),
  /** Whether an open dispute or a full refund of the latest invoice revokes entitlement. */
  REVOKE_ON_DISPUTE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

/** Parses `env` with `schema`, throwing one ConfigError that names every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`Invalid Lambda configuration: ${problems.join('; ')}`);
  }
  return result.data;
}
