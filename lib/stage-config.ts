import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import {
  type AccountDeletionSettings,
  DEFAULT_ACCOUNT_DELETION,
  deletionSettingsProblem,
} from '../lambdas/domain/account-deletion';
import { CreditPacks, DEFAULT_CREDIT_PACKS } from '../lambdas/domain/credit-packs';
import { PAYMENT_REVERSAL_ACTIONS, type PaymentReversalAction } from '../lambdas/domain/payment-facts';
import { PlanCatalog } from '../lambdas/domain/plan-catalog';
import { PAUSED_COLLECTION_ACCESS, type PausedCollectionAccess } from '../lambdas/domain/policy-settings';
import { describeIssues } from '../lambdas/domain/validation-issues';
import { originSchema } from '../lambdas/platform/origins';
import { adoptedPoolConflicts, type ExistingUserPoolSettings, existingUserPoolSchema } from './adopted-pool/settings';
import { secretLikeReason } from './secret-patterns';

/**
 * Per-stage settings, read once from CDK context and validated with zod so a bad value fails `cdk synth` with a
 * message naming the key. Sources, later wins:
 *   1. built-in defaults for the stage (dev is local-friendly, every other stage is protected),
 *   2. `cdk.json` context `stages.<stage>` (an object),
 *   3. single context keys, e.g. `-c allowedOrigins=https://app.example.com,https://www.example.com`.
 * Pure: no constructs are created here.
 */

export class StageConfigError extends Error {
  override name = 'StageConfigError';
}

export interface ApiThrottle {
  /** Steady-state requests per second across the API's default route settings. */
  readonly rateLimit: number;
  /** Burst bucket size. */
  readonly burstLimit: number;
}

export interface StageConfig {
  /** Stage name, also the stack name prefix (`dev-Data`). */
  readonly stage: string;
  /** `prod` only: for settings that should differ in production alone. */
  readonly isProduction: boolean;
  /** Deletion protection on the user pool and tables: on for every stage but `dev`. */
  readonly deletionProtection: boolean;
  /** Browser origins allowed by the API's CORS and used for the app client's redirect URLs. */
  readonly allowedOrigins: readonly string[];
  /** Path on each allowed origin where the hosted sign-in redirects back to (OAuth code flow). */
  readonly authCallbackPath: string;
  readonly planCatalog: PlanCatalog;
  /** One-time credit packs (lambdas/domain/credit-packs.ts; Lambda env CREDIT_PACKS). */
  readonly creditPacks: CreditPacks;
  /** Days a past_due subscription stays entitled (Lambda env GRACE_PERIOD_DAYS). */
  readonly gracePeriodDays: number;
  /** Older switch, the default of `paymentReversal`: true = revoke, false = ignore (Lambda env REVOKE_ON_DISPUTE). */
  readonly revokeOnDispute: boolean;
  /**
   * A full refund or lost dispute of the charge that paid a subscription's latest non-zero invoice: `revoke` its
   * access, `flag` it (access kept, the entitlement says so) or `ignore` it (docs/access-rules.md). Lambda env
   * PAYMENT_REVERSAL of the functions whose contract declares it (they apply the policy). Default from
   * `revokeOnDispute`.
   */
  readonly paymentReversal: PaymentReversalAction;
  /**
   * A subscription with payment collection paused: `keep` access (Stripe's meaning: the service is offered for free,
   * the default) or `revoke` it until collection resumes. Lambda env PAUSED_COLLECTION_ACCESS, like above.
   */
  readonly pausedCollectionAccess: PausedCollectionAccess;
  /** EventBridge schedule expression for the reconcile job, e.g. `rate(1 hour)`. */
  readonly reconcileSchedule: string;
  readonly logRetention: RetentionDays;
  /**
   * X-Ray subsegments for every SDK call and Stripe request (Powertools Tracer; Lambda env
   * POWERTOOLS_TRACE_ENABLED). Off by default: loading the tracer adds about 50 ms to each cold start
   * (lambdas/platform/sdk-tracing.ts). Lambda's own active tracing (the invocation segment) is always on.
   */
  readonly traceSdkCalls: boolean;
  /** Cognito Plus feature plan with full-function threat protection (billed per MAU). */
  readonly threatProtection: boolean;
  readonly apiThrottle: ApiThrottle;
  /** Throttle of the Stripe webhook route alone (route settings), so Stripe's bursts and the app's calls stay apart. */
  readonly webhookThrottle: ApiThrottle;
  /**
   * Reserved concurrency, `undefined` when not reserved (context value 0). Reserving takes the capacity out of the
   * account's unreserved pool, which must keep 10: an account still at the default limit of 10 can reserve none.
   */
  readonly reservedConcurrency: {
    /** Caps the webhook so a Stripe burst cannot starve the sign-up triggers (and guarantees it that much). */
    readonly webhook: number | undefined;
    /** The scheduled reconcile: 1 keeps two runs from overlapping (the lease makes overlap harmless, not free). */
    readonly reconcile: number | undefined;
  };
  readonly alarms: AlarmSettings;
  /** What deleting an account does with Stripe, and what reconcile does with orphans (docs/api.md, DELETE /account). */
  readonly accountDeletion: AccountDeletionSettings;
  /** Federated sign-in providers; none by default (email + password only). */
  readonly identityProviders: IdentityProviderSettings;
  /** Prefix of the Cognito domain (`https://<prefix>.auth.<region>.amazoncognito.com`): hosted sign-in, OAuth, IdPs. */
  readonly authDomainPrefix: string | undefined;
  /** SES as the pool's email sender; undefined: Cognito's own sender (about 50 emails a day). */
  readonly sesEmail: SesEmailSettings | undefined;
  /** A custom domain for the HTTP API (the execute-api URL keeps working); undefined: execute-api only. */
  readonly apiDomain: ApiDomainSettings | undefined;
  /** Adopt this existing user pool (and optionally its app client) instead of creating one; undefined: create. */
  readonly existingUserPool: ExistingUserPoolSettings | undefined;
}

/**
 * A secret the stage config names but never holds: a Secrets Manager secret name or ARN whose SecretString is the
 * value (CloudFormation reads it at deploy through a dynamic reference; the template carries only the reference).
 */
export type SecretReference = string;

export interface IdentityProviderSettings {
  readonly google?: { readonly clientId: string; readonly clientSecretId: SecretReference };
  readonly apple?: {
    /** The Services ID (the client id of Sign in with Apple). */
    readonly servicesId: string;
    readonly teamId: string;
    readonly keyId: string;
    /** Secret whose SecretString is the .p8 private key (PEM). */
    readonly privateKeySecretId: SecretReference;
  };
  readonly oidc?: readonly {
    /** Provider name, also the prefix of its users' usernames: lowercase letters, digits and "-" (never "_"). */
    readonly name: string;
    readonly clientId: string;
    readonly clientSecretId: SecretReference;
    readonly issuerUrl: string;
    /** @default ['openid', 'email', 'profile'] */
    readonly scopes?: readonly string[];
  }[];
  readonly saml?: readonly {
    readonly name: string;
    readonly metadataUrl: string;
    /** SAML attribute holding the email. @default the WS-Federation emailaddress claim */
    readonly emailAttribute?: string;
    /**
     * SAML attribute saying the email is verified. Without one, a SAML user whose email belongs to an existing
     * account is refused rather than linked (Pre-Signup links only vouched emails).
     */
    readonly emailVerifiedAttribute?: string;
  }[];
}

export interface ApiDomainSettings {
  /** e.g. `api.example.com`. */
  readonly domainName: string;
  /** ACM certificate for the domain, in the stack's region (regional endpoint). */
  readonly certificateArn: string;
  /** Route 53 public hosted zone to create the alias record in; without it, point DNS at the domain yourself. */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

export interface SesEmailSettings {
  /** Sender address, on the verified identity (that address, or an address of that domain). */
  readonly fromAddress: string;
  /** ARN of the verified SES identity (email address or domain) the pool sends through. */
  readonly identityArn: string;
  readonly fromName?: string;
  readonly replyTo?: string;
  readonly configurationSet?: string;
}

/** Who the alarms reach and when the time-based ones fire (see lib/constructs/operations.ts). */
export interface AlarmSettings {
  /** Email addresses subscribed to the stage's alarm topic (each confirms once, from the email AWS sends). */
  readonly emails: readonly string[];
  /** Longest gap between two scheduled reconcile runs: from a `rate(...)` schedule, or given for `cron(...)`. */
  readonly reconcileIntervalMinutes: number;
  /** Alarm when no scheduled reconcile run has completed for this long. Default: twice the interval. */
  readonly reconcileOverdueMinutes: number;
  /** Alarm when parked webhook events survive every completed reconcile run for this many hours. */
  readonly parkedEventsHours: number;
}

/** Context keys read by `stageConfigFromContext`; anything else in the context is CDK's own. */
export const STAGE_CONTEXT_KEYS = [
  'allowedOrigins',
  'authCallbackPath',
  'planCatalog',
  'creditPacks',
  'gracePeriodDays',
  'revokeOnDispute',
  'paymentReversal',
  'pausedCollectionAccess',
  'reconcileSchedule',
  'logRetentionDays',
  'traceSdkCalls',
  'threatProtection',
  'apiThrottle',
  'webhookThrottle',
  'webhookReservedConcurrency',
  'reconcileReservedConcurrency',
  'alarmEmails',
  'reconcileIntervalMinutes',
  'reconcileOverdueMinutes',
  'parkedEventsAlarmHours',
  'accountDeletion',
  'identityProviders',
  'authDomainPrefix',
  'sesEmail',
  'apiDomain',
  'existingUserPool',
] as const;

const DEV_ORIGINS = ['http://localhost:5173', 'http://localhost:3000'];
const RETENTION_VALUES = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');

const stageName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be 1-20 characters of a-z, 0-9 and "-", starting with a letter');

/** Context values given with `-c` arrive as strings: accept both the string and the JSON form. */
const csv = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
    : value;

const json = (value: unknown) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

/** CloudWatch evaluates an alarm over at most 7 days (hourly periods). */
const MAX_ALARM_WINDOW_MINUTES = 7 * 24 * 60;

const RATE_UNIT_MINUTES: Record<string, number> = {
  minute: 1,
  minutes: 1,
  hour: 60,
  hours: 60,
  day: 1440,
  days: 1440,
};

/** `rate(2 hours)` -> 120; undefined for `cron(...)` (its gaps vary: the stage config must say). */
export function rateScheduleMinutes(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) return undefined;
  return Number(match[1]) * (RATE_UNIT_MINUTES[match[2] ?? ''] ?? Number.NaN);
}

/** A Secrets Manager name or ARN, never the secret itself (checked for what secrets look like). */
const secretReference = z
  .string()
  .regex(
    /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/,
    'must be a Secrets Manager secret name or ARN',
  )
  .refine(
    (value) =>
      value.startsWith('arn:') || (!/^GOCSPX-/.test(value) && secretLikeReason('reference', value) === undefined),
    'looks like a secret value: store it in Secrets Manager and give the secret name or ARN',
  );

const providerName = z
  .string()
  // Its users' usernames are "<name>_<id>": Pre-Signup links by that prefix, which must equal the name exactly.
  .regex(/^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/, 'must be 3-32 lowercase letters, digits or "-" (no "_")')
  .refine(
    (name) => !/^(google|signinwithapple|facebook|loginwithamazon|cognito)$/i.test(name),
    'is a name Cognito reserves for its built-in providers',
  );

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });

const identityProvidersSchema = z
  .object({
    google: z.object({ clientId: z.string().min(1), clientSecretId: secretReference }).strict(),
    apple: z
      .object({
        servicesId: z.string().min(1),
        teamId: z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character Apple team id'),
        keyId: z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character key id'),
        privateKeySecretId: secretReference,
      })
      .strict(),
    oidc: z.array(
      z
        .object({
          name: providerName,
          clientId: z.string().min(1),
          clientSecretId: secretReference,
          issuerUrl: httpsUrl,
          scopes: z.array(z.string().min(1)).min(1).optional(),
        })
        .strict(),
    ),
    saml: z.array(
      z
        .object({
          name: providerName,
          metadataUrl: httpsUrl,
          emailAttribute: z.string().min(1).optional(),
          emailVerifiedAttribute: z.string().min(1).optional(),
        })
        .strict(),
    ),
  })
  .partial()
  .strict()
  .refine(
    (idps) => {
      const names = [...(idps.oidc ?? []), ...(idps.saml ?? [])].map((idp) => idp.name.toLowerCase());
      return new Set(names).size === names.length;
    },
    { message: 'OIDC and SAML provider names must be unique' },
  );

const sesEmailSchema = z
  .object({
    fromAddress: z.email('must be an email address'),
    identityArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/[^\s]+$/,
        'must be an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<domain or address>)',
      ),
    fromName: z
      .string()
      .regex(/^[^<>"\r\n]{1,64}$/, 'must be a plain display name')
      .optional(),
    replyTo: z.email('must be an email address').optional(),
    configurationSet: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (ses) => {
      const identity = ses.identityArn.slice(ses.identityArn.indexOf(':identity/') + ':identity/'.length).toLowerCase();
      const address = ses.fromAddress.toLowerCase();
      return identity === address || address.endsWith(`@${identity}`);
    },
    { message: "fromAddress must be the identity itself or an address of the identity's domain" },
  );

const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lowercase DNS name');

const apiDomainSchema = z
  .object({
    domainName: hostname,
    certificateArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
        'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
      ),
    hostedZone: z
      .object({ id: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'must be a hosted zone id'), name: hostname })
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (domain) =>
      !domain.hostedZone ||
      domain.domainName === domain.hostedZone.name ||
      domain.domainName.endsWith(`.${domain.hostedZone.name}`),
    { message: 'domainName must be in the hosted zone' },
  );

const bool = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

/** `{ subscriptions, customer, orphanSubscriptions }`, each optional (defaults: DEFAULT_ACCOUNT_DELETION). */
const accountDeletionSchema = z
  .object({
    subscriptions: z.enum(['cancel-now', 'cancel-at-period-end']),
    customer: z.enum(['delete', 'anonymise']),
    orphanSubscriptions: z.enum(['cancel-now', 'keep']),
  })
  .partial()
  .strict();

const overridesSchema = z
  .object({
    allowedOrigins: z.preprocess(csv, z.array(originSchema).min(1, 'needs at least one origin')),
    authCallbackPath: z.string().regex(/^\/[\w\-./]*$/, 'must be a path starting with "/"'),
    /** A full plan catalog (same shape as DEFAULT_CATALOG), validated by PlanCatalog.parse. */
    planCatalog: z.preprocess(json, z.record(z.string(), z.unknown())),
    /** Credit packs (same shape as DEFAULT_CREDIT_PACKS), validated by CreditPacks.parse against the plans. */
    creditPacks: z.preprocess(json, z.record(z.string(), z.unknown())),
    gracePeriodDays: z.coerce.number().int().min(0).max(60),
    revokeOnDispute: bool,
    traceSdkCalls: bool,
    paymentReversal: z.enum(PAYMENT_REVERSAL_ACTIONS, {
      error: `must be one of ${PAYMENT_REVERSAL_ACTIONS.join(', ')}`,
    }),
    pausedCollectionAccess: z.enum(PAUSED_COLLECTION_ACCESS, {
      error: `must be one of ${PAUSED_COLLECTION_ACCESS.join(', ')}`,
    }),
    reconcileSchedule: z
      .string()
      .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, 'must be rate(...) or cron(...)'),
    logRetentionDays: z.coerce
      .number()
      .refine((days) => RETENTION_VALUES.includes(days), `must be one of ${RETENTION_VALUES.join(', ')}`),
    threatProtection: bool,
    apiThrottle: z.preprocess(
      json,
      z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() }).strict(),
    ),
    webhookThrottle: z.preprocess(
      json,
      z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() }).strict(),
    ),
    /** 0 leaves the function unreserved. */
    webhookReservedConcurrency: z.coerce.number().int().min(0).max(1000),
    reconcileReservedConcurrency: z.coerce.number().int().min(0).max(10),
    alarmEmails: z.preprocess(csv, z.array(z.email('must be an email address'))),
    identityProviders: z.preprocess(json, identityProvidersSchema),
    authDomainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lowercase letters, digits and "-" (1-63)')
      .refine((prefix) => !/aws|amazon|cognito/.test(prefix), 'may not contain "aws", "amazon" or "cognito"'),
    sesEmail: z.preprocess(json, sesEmailSchema),
    apiDomain: z.preprocess(json, apiDomainSchema),
    existingUserPool: z.preprocess(json, existingUserPoolSchema),
    /** Needed with a cron(...) schedule (the longest gap between runs); derived from a rate(...) schedule. */
    reconcileIntervalMinutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_ALARM_WINDOW_MINUTES / 2),
    reconcileOverdueMinutes: z.coerce.number().int().min(5).max(MAX_ALARM_WINDOW_MINUTES),
    accountDeletion: z.preprocess(json, accountDeletionSchema),
    parkedEventsAlarmHours: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_ALARM_WINDOW_MINUTES / 60),
  })
  .partial()
  .strict();

export type StageOverrides = z.input<typeof overridesSchema>;

function formatIssues(prefix: string, error: z.ZodError): string {
  return `${prefix}: ${describeIssues(error)}`;
}

/**
 * Builds the stage settings from plain inputs (what `stageConfigFromContext` reads from the CDK context).
 * Throws StageConfigError naming every bad key.
 */
export function parseStageConfig(input: {
  stage?: unknown;
  /** `stages.<stage>` from cdk.json. */
  stageOverrides?: unknown;
  /** Single context keys (`-c key=value`), highest precedence. */
  overrides?: unknown;
}): StageConfig {
  const stageResult = stageName.safeParse(input.stage ?? 'dev');
  if (!stageResult.success) throw new StageConfigError(formatIssues('Invalid context "stage"', stageResult.error));
  const stage = stageResult.data;

  const fromFile = overridesSchema.safeParse(input.stageOverrides ?? {});
  if (!fromFile.success) {
    throw new StageConfigError(formatIssues(`Invalid context "stages.${stage}" for stage "${stage}"`, fromFile.error));
  }
  const fromFlags = overridesSchema.safeParse(input.overrides ?? {});
  if (!fromFlags.success) {
    throw new StageConfigError(formatIssues(`Invalid context for stage "${stage}"`, fromFlags.error));
  }
  const merged = { ...fromFile.data, ...fromFlags.data };

  const isDev = stage === 'dev';
  const isProduction = stage === 'prod';
  const allowedOrigins = merged.allowedOrigins ?? (isDev ? DEV_ORIGINS : undefined);
  if (!allowedOrigins) {
    throw new StageConfigError(
      `Stage "${stage}" needs allowedOrigins (the SPA origins for CORS and sign-in redirects): ` +
        `pass -c allowedOrigins=https://app.example.com or set context stages.${stage}.allowedOrigins in cdk.json`,
    );
  }

  const reconcileSchedule = merged.reconcileSchedule ?? 'rate(1 hour)';
  const identityProviders = merged.identityProviders ?? {};
  const federated =
    identityProviders.google ||
    identityProviders.apple ||
    identityProviders.oidc?.length ||
    identityProviders.saml?.length;
  if (federated && !merged.authDomainPrefix) {
    throw new StageConfigError(
      `Stage "${stage}" has identityProviders but no authDomainPrefix: federated sign-in goes through the ` +
        'Cognito domain (https://<prefix>.auth.<region>.amazoncognito.com), give its prefix',
    );
  }
  const conflicts = adoptedPoolConflicts({ ...merged, federated: Boolean(federated) });
  if (conflicts.length > 0) {
    throw new StageConfigError(
      `Stage "${stage}" adopts an existing user pool (existingUserPool) and also sets ${conflicts.join('; ')}`,
    );
  }
  const alarms = alarmSettings(stage, reconcileSchedule, merged);

  let planCatalog: PlanCatalog;
  try {
    planCatalog = merged.planCatalog === undefined ? PlanCatalog.defaults() : PlanCatalog.parse(merged.planCatalog);
  } catch (error) {
    throw new StageConfigError(`Invalid context "planCatalog" for stage "${stage}": ${(error as Error).message}`, {
      cause: error,
    });
  }

  let creditPacks: CreditPacks;
  try {
    creditPacks = CreditPacks.parse(merged.creditPacks ?? DEFAULT_CREDIT_PACKS, planCatalog);
  } catch (error) {
    throw new StageConfigError(`Invalid context "creditPacks" for stage "${stage}": ${(error as Error).message}`, {
      cause: error,
    });
  }

  return {
    stage,
    isProduction,
    deletionProtection: !isDev,
    allowedOrigins,
    authCallbackPath: merged.authCallbackPath ?? '/auth/callback',
    planCatalog,
    creditPacks,
    gracePeriodDays: merged.gracePeriodDays ?? 7,
    revokeOnDispute: merged.revokeOnDispute ?? true,
    traceSdkCalls: merged.traceSdkCalls ?? false,
    paymentReversal: merged.paymentReversal ?? ((merged.revokeOnDispute ?? true) ? 'revoke' : 'ignore'),
    pausedCollectionAccess: merged.pausedCollectionAccess ?? 'keep',
    reconcileSchedule,
    logRetention: (merged.logRetentionDays ??
      (isProduction
        ? RetentionDays.ONE_YEAR
        : isDev
          ? RetentionDays.TWO_WEEKS
          : RetentionDays.ONE_MONTH)) as RetentionDays,
    threatProtection: merged.threatProtection ?? false,
    apiThrottle:
      merged.apiThrottle ?? (isProduction ? { rateLimit: 200, burstLimit: 400 } : { rateLimit: 50, burstLimit: 100 }),
    // Stripe sends at most a few events per second per account in normal operation, more after a bulk change.
    webhookThrottle:
      merged.webhookThrottle ??
      (isProduction ? { rateLimit: 100, burstLimit: 200 } : { rateLimit: 25, burstLimit: 50 }),
    // dev runs in fresh accounts, often still at 10 concurrent executions, where any reservation fails the deploy.
    reservedConcurrency: {
      webhook: unlessZero(merged.webhookReservedConcurrency ?? (isDev ? 0 : isProduction ? 50 : 10)),
      reconcile: unlessZero(merged.reconcileReservedConcurrency ?? (isDev ? 0 : 1)),
    },
    alarms,
    accountDeletion: accountDeletionOf(stage, merged.accountDeletion),
    identityProviders,
    authDomainPrefix: merged.authDomainPrefix,
    sesEmail: merged.sesEmail,
    apiDomain: merged.apiDomain,
    existingUserPool: merged.existingUserPool,
  };
}

const unlessZero = (value: number) => (value === 0 ? undefined : value);

function accountDeletionOf(
  stage: string,
  given: z.output<typeof accountDeletionSchema> | undefined,
): AccountDeletionSettings {
  const settings: AccountDeletionSettings = {
    user: {
      subscriptions: given?.subscriptions ?? DEFAULT_ACCOUNT_DELETION.user.subscriptions,
      customer: given?.customer ?? DEFAULT_ACCOUNT_DELETION.user.customer,
    },
    orphan: { subscriptions: given?.orphanSubscriptions ?? DEFAULT_ACCOUNT_DELETION.orphan.subscriptions },
  };
  const problem = deletionSettingsProblem(settings);
  if (problem) throw new StageConfigError(`Invalid context "accountDeletion" for stage "${stage}": ${problem}`);
  return settings;
}

function alarmSettings(stage: string, schedule: string, merged: z.output<typeof overridesSchema>): AlarmSettings {
  const fromRate = rateScheduleMinutes(schedule);
  if (fromRate !== undefined && merged.reconcileIntervalMinutes !== undefined) {
    throw new StageConfigError(
      `Invalid context "reconcileIntervalMinutes" for stage "${stage}": the schedule ${schedule} already sets it; ` +
        'give it only with a cron(...) schedule',
    );
  }
  const interval = fromRate ?? merged.reconcileIntervalMinutes;
  if (interval === undefined) {
    throw new StageConfigError(
      `Stage "${stage}" needs reconcileIntervalMinutes with the schedule ${schedule}: the longest gap in minutes ` +
        'between two runs, which the "reconcile overdue" and "parked events" alarms are timed by',
    );
  }
  if (interval > MAX_ALARM_WINDOW_MINUTES / 2) {
    throw new StageConfigError(
      `Invalid context "reconcileSchedule" for stage "${stage}": runs more than 3.5 days apart cannot be watched ` +
        'by a CloudWatch alarm (7-day evaluation limit)',
    );
  }
  const overdue = merged.reconcileOverdueMinutes ?? Math.max(2 * interval, 60);
  if (overdue < interval) {
    throw new StageConfigError(
      `Invalid context "reconcileOverdueMinutes" for stage "${stage}": ${overdue} is shorter than the schedule's ` +
        `interval (${interval} minutes), the alarm would fire between two healthy runs`,
    );
  }
  // Parked events are retried by every run: only events that outlive two runs say the retry cannot apply them.
  const minParkedHours = Math.ceil((2 * interval) / 60);
  const parkedEventsHours = merged.parkedEventsAlarmHours ?? Math.max(6, minParkedHours);
  if (parkedEventsHours < minParkedHours) {
    throw new StageConfigError(
      `Invalid context "parkedEventsAlarmHours" for stage "${stage}": ${parkedEventsHours} h is less than two ` +
        `reconcile intervals (${minParkedHours} h); a parked event must survive at least one retry to count`,
    );
  }
  return {
    emails: merged.alarmEmails ?? [],
    reconcileIntervalMinutes: interval,
    reconcileOverdueMinutes: overdue,
    parkedEventsHours,
  };
}

/** Anything with `tryGetContext`: an App, a Stack, or `construct.node`. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/** Reads `stage`, `stages.<stage>` and the single keys in STAGE_CONTEXT_KEYS from the CDK context. */
export function stageConfigFromContext(source: ContextSource): StageConfig {
  const stage = source.tryGetContext('stage') ?? 'dev';
  const stages = source.tryGetContext('stages');
  const stageOverrides =
    typeof stage === 'string' && stages && typeof stages === 'object'
      ? (stages as Record<string, unknown>)[stage]
      : undefined;
  const overrides: Record<string, unknown> = {};
  for (const key of STAGE_CONTEXT_KEYS) {
    const value = source.tryGetContext(key);
    if (value !== undefined) overrides[key] = value;
  }
  return parseStageConfig({ stage, stageOverrides, overrides });
}
