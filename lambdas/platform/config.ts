import type { $ZodType, output } from 'zod/v4/core';
import { CreditPacks } from '../domain/credit-packs';
import { AppError } from '../domain/errors';
import { PAYMENT_REVERSAL_ACTIONS } from '../domain/payment-facts';
import { PlanCatalog } from '../domain/plan-catalog';
import { type EntitlementPolicy, PAUSED_COLLECTION_ACCESS } from '../domain/policy-settings';
import { describeIssues } from '../domain/validation-issues';
import * as z from '../domain/zod-mini';
import { type FunctionContract, SECRETS, TABLE_ENV } from './contracts';

/**
 * Environment contract of every Lambda, parsed once at cold start. A missing or malformed variable fails loudly
 * with the variable's name: no `|| ''` defaults. Each handler parses only what its contract (./contracts.ts)
 * declares, which is exactly what CDK sets for it: a variable another function needs can never break this one.
 *
 * Secrets: in AWS the Lambdas get Secrets Manager ARNs (`STRIPE_SECRET_ARN`, `STRIPE_WEBHOOK_SECRET_ARN`) and read
 * the values through a bounded-age cache. Only the local stack passes `STRIPE_SECRET_KEY` / `STRIPE_WEBHOOK_SECRET`.
 */

export class ConfigError extends AppError {
  override name = 'ConfigError';
}

const nonEmpty = z.string().check(z.trim(), z.minLength(1));

/** Every table variable; handlers use `contractEnvSchema`, which picks only the declared ones. */
export const tableEnvSchema = z.object({
  USER_PROFILES_TABLE: nonEmpty,
  ENTITLEMENTS_TABLE: nonEmpty,
  WEBHOOK_EVENTS_TABLE: nonEmpty,
  PARKED_EVENTS_TABLE: nonEmpty,
  AUDIT_TABLE: nonEmpty,
  RECONCILE_STATE_TABLE: nonEmpty,
});

export const awsEnvSchema = z.object({
  AWS_REGION: z._default(nonEmpty, 'us-east-1'),
  /** Local stack (source mode) only: emulator endpoints. Absent in AWS; the SDK's AWS_ENDPOINT_URL also works. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  COGNITO_ENDPOINT: z.optional(z.url()),
});

export const cognitoEnvSchema = z.object({
  USER_POOL_ID: nonEmpty,
  USER_POOL_CLIENT_ID: z.optional(nonEmpty),
});

/** Where a secret comes from: an ARN (AWS) or a plain value (local stack only). */
export interface SecretSource {
  arn?: string;
  localValue?: string;
}

function secretEnvSchema(key: keyof typeof SECRETS) {
  const secret = SECRETS[key];
  return z.pipe(
    z.object({ [secret.arnVar]: z.optional(nonEmpty), [secret.localVar]: z.optional(nonEmpty) }).check(
      z.refine((env) => env[secret.arnVar] || env[secret.localVar], {
        message: `${secret.arnVar} (AWS) or ${secret.localVar} (local) is required`,
        path: [secret.arnVar],
      }),
    ),
    z.transform((env): SecretSource => ({ arn: env[secret.arnVar], localValue: env[secret.localVar] })),
  );
}

export const stripeEnvSchema = secretEnvSchema('stripeApiKey');

/** Local Stripe emulator base URL, e.g. http://127.0.0.1:12111. Absent in AWS. */
const stripeApiBaseSchema = z.object({ STRIPE_API_BASE: z.optional(z.url()) });

/** A JSON setting: unset or blank takes the default, invalid JSON or content is one issue with the parser's message. */
function jsonSetting<T>(defaults: () => T, fromJson: (json: string) => T) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((json, payload) => {
      if (json === undefined || json.trim() === '') return defaults();
      try {
        return fromJson(json);
      } catch (error) {
        payload.issues.push({ code: 'custom', message: (error as Error).message, input: json });
        return z.NEVER;
      }
    }),
  );
}

const catalogJson = jsonSetting(
  () => PlanCatalog.defaults(),
  (json) => PlanCatalog.fromJson(json),
);
const creditPacksJson = jsonSetting(
  () => CreditPacks.defaults(),
  (json) => CreditPacks.fromJson(json),
);

export const policyEnvSchema = z.object({
  STAGE: z._default(nonEmpty, 'local'),
  PLAN_CATALOG: catalogJson,
  /** One-time credit packs (validated against the plans at synth). */
  CREDIT_PACKS: creditPacksJson,
  /** Days a past_due subscription stays entitled. */
  GRACE_PERIOD_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(60)), 7),
  /** Older switch: `false` is PAYMENT_REVERSAL=ignore, `true` (default) is revoke. PAYMENT_REVERSAL wins when set. */
  REVOKE_ON_DISPUTE: z.pipe(
    z._default(z.enum(['true', 'false']), 'true'),
    z.transform((v) => v === 'true'),
  ),
  /**
   * What a full refund or lost dispute of the charge that paid a subscription's latest non-zero invoice does:
   * `revoke` (that subscription's access ends), `flag` (access kept, the entitlement says so), `ignore`.
   */
  PAYMENT_REVERSAL: z.optional(z.enum(PAYMENT_REVERSAL_ACTIONS)),
  /** A subscription with payment collection paused: `keep` access (Stripe's meaning, the default) or `revoke` it. */
  PAUSED_COLLECTION_ACCESS: z._default(z.enum(PAUSED_COLLECTION_ACCESS), 'keep'),
});

export type PolicyEnv = z.output<typeof policyEnvSchema>;

/** The entitlement policy a function's environment sets. */
export function entitlementPolicyOf(policy: PolicyEnv): EntitlementPolicy {
  return {
    gracePeriodDays: policy.GRACE_PERIOD_DAYS,
    paymentReversal: policy.PAYMENT_REVERSAL ?? (policy.REVOKE_ON_DISPUTE ? 'revoke' : 'ignore'),
    pausedCollection: policy.PAUSED_COLLECTION_ACCESS,
  };
}

/** What a contract's environment parses to. Tables are keyed by their variable name. */
export interface ContractEnv<C extends FunctionContract> {
  aws: z.output<typeof awsEnvSchema>;
  policy: PolicyEnv;
  tables: Record<ContractTableVars<C>, string>;
  userPoolId: C['userPool'] extends { poolIdFrom: 'env' } ? string : undefined;
  userPoolClientId: string | undefined;
  secrets: Partial<Record<C['secrets'][number], SecretSource>>;
  stripeApiBase: string | undefined;
}

export type ContractTableVars<C extends FunctionContract> = {
  [K in keyof C['tables'] & keyof typeof TABLE_ENV]: (typeof TABLE_ENV)[K];
}[keyof C['tables'] & keyof typeof TABLE_ENV];

/**
 * Parses everything `contract` declares from `env` in one go, so one ConfigError names every missing variable.
 * Nothing outside the contract is read.
 */
export function parseContractEnv<C extends FunctionContract>(
  contract: C,
  env: NodeJS.ProcessEnv = process.env,
): ContractEnv<C> {
  const tableVars = Object.keys(contract.tables).map((key) => TABLE_ENV[key as keyof typeof TABLE_ENV]);
  const tableSchema = z.object(Object.fromEntries(tableVars.map((name) => [name, nonEmpty])));
  const problems: string[] = [];
  const attempt = <S extends z.ZodMiniType>(schema: S): z.output<S> | undefined => {
    const result = z.safeParse(schema, env);
    if (result.success) return result.data;
    problems.push(describeIssues(result.error, { root: '(env)' }));
    return undefined;
  };
  const aws = attempt(awsEnvSchema);
  const policy = attempt(policyEnvSchema);
  const tables = attempt(tableSchema);
  const cognito = contract.userPool?.poolIdFrom === 'env' ? attempt(cognitoEnvSchema) : undefined;
  const secrets: Record<string, SecretSource> = {};
  for (const key of contract.secrets) {
    const source = attempt(secretEnvSchema(key));
    if (source) secrets[key] = source;
  }
  const stripe = contract.secrets.length > 0 ? attempt(stripeApiBaseSchema) : undefined;
  if (problems.length > 0 || !aws || !policy || !tables) {
    throw new ConfigError(`Invalid Lambda configuration: ${problems.join('; ')}`);
  }
  return {
    aws,
    policy,
    tables: tables as Record<ContractTableVars<C>, string>,
    userPoolId: cognito?.USER_POOL_ID as ContractEnv<C>['userPoolId'],
    userPoolClientId: cognito?.USER_POOL_CLIENT_ID,
    secrets: secrets as ContractEnv<C>['secrets'],
    stripeApiBase: stripe?.STRIPE_API_BASE,
  };
}

/** Parses `env` with `schema` (zod or zod/mini), throwing one ConfigError that names every bad variable. */
export function parseEnv<S extends $ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): output<S> {
  const result = z.safeParse(schema, env);
  if (!result.success) {
    throw new ConfigError(`Invalid Lambda configuration: ${describeIssues(result.error, { root: '(env)' })}`);
  }
  return result.data;
}

/** Pre-Signup: `true` lets sign-ups through when the duplicate lookup fails (default: refuse them). */
export const preSignUpEnvSchema = z.object({
  PRE_SIGNUP_FAIL_OPEN: z.pipe(
    z._default(z.enum(['true', 'false']), 'false'),
    z.transform((value) => value === 'true'),
  ),
});
