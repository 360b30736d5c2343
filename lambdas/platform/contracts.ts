/**
 * What each Lambda needs from its environment and may do in AWS, declared once. The handler parses exactly these
 * variables at cold start (nothing more, so a variable CDK does not set cannot break it), and the CDK construct
 * grants exactly these actions and sets exactly these variables from the same record. Pure data: CDK imports it.
 */

/** `Query` covers every index of the table; `Query:<IndexName>` only that index. */
export type DynamoAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | `Query:${string}` | 'Scan';

export type CognitoAction =
  | 'AdminAddUserToGroup'
  | 'AdminRemoveUserFromGroup'
  | 'AdminListGroupsForUser'
  | 'AdminGetUser'
  | 'AdminDeleteUser'
  | 'AdminLinkProviderForUser'
  | 'ListUsers'
  | 'ListUsersInGroup';

/** Environment variable of each table (the physical name in AWS, the fixed local name on the local stack). */
export const TABLE_ENV = {
  userProfiles: 'USER_PROFILES_TABLE',
  entitlements: 'ENTITLEMENTS_TABLE',
  webhookEvents: 'WEBHOOK_EVENTS_TABLE',
  parkedEvents: 'PARKED_EVENTS_TABLE',
  auditLog: 'AUDIT_TABLE',
  reconcileState: 'RECONCILE_STATE_TABLE',
  credits: 'CREDITS_TABLE',
} as const;
export type ContractTable = keyof typeof TABLE_ENV;
export type TableEnvVar = (typeof TABLE_ENV)[ContractTable];

/**
 * Secrets: in AWS only the ARN is in the environment (`arnVar`); the local stack may pass the value (`localVar`).
 * `prefixes` are what a real value starts with: anything else is the placeholder CDK generated at deploy.
 */
export const SECRETS = {
  stripeApiKey: {
    label: 'Stripe secret API key',
    arnVar: 'STRIPE_SECRET_ARN',
    localVar: 'STRIPE_SECRET_KEY',
    prefixes: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
  },
  stripeWebhookSecret: {
    label: 'Stripe webhook signing secret',
    arnVar: 'STRIPE_WEBHOOK_SECRET_ARN',
    localVar: 'STRIPE_WEBHOOK_SECRET',
    prefixes: ['whsec_'],
  },
} as const;
export type SecretKey = keyof typeof SECRETS;

export interface FunctionContract {
  /** Tables by key with the DynamoDB actions used on them; `Query` also covers the table's indexes. */
  readonly tables: Readonly<Partial<Record<ContractTable, readonly DynamoAction[]>>>;
  readonly secrets: readonly SecretKey[];
  /**
   * Cognito actions on the app's pool. `env`: USER_POOL_ID is in the environment. `event`: a trigger reads the pool
   * from `event.userPoolId` (naming the pool in the trigger's environment would be a CloudFormation cycle).
   */
  readonly userPool?: { readonly poolIdFrom: 'env' | 'event'; readonly actions: readonly CognitoAction[] };
  /** Further plain variables the handler reads (each parsed by the handler's own schema). */
  readonly variables?: readonly string[];
}

const ENTITLEMENT_WRITER: readonly DynamoAction[] = ['GetItem', 'PutItem', 'UpdateItem'];
const GROUP_SYNC: readonly CognitoAction[] = [
  'AdminAddUserToGroup',
  'AdminRemoveUserFromGroup',
  'AdminListGroupsForUser',
];
/** Re-applying parked events: read them by customer (CustomerIndex), delete once applied, park again if needed. */
const PARKED_RETRY: readonly DynamoAction[] = ['PutItem', 'Query', 'DeleteItem'];

/**
 * The stage's access-policy settings (lib/stage-config.ts paymentReversal, pausedCollectionAccess), parsed with the
 * policy (lambdas/platform/config.ts): declared by every function that computes entitlements from Stripe. AppFunction
 * sets each declared one from the stage config.
 */
export const POLICY_VARIABLES = ['PAYMENT_REVERSAL', 'PAUSED_COLLECTION_ACCESS'] as const;

/** The stage's account-deletion settings (lambdas/platform/account-deletion-config.ts). */
const ACCOUNT_DELETION_VARIABLES = [
  'ACCOUNT_DELETION_SUBSCRIPTIONS',
  'ACCOUNT_DELETION_CUSTOMER',
  'ORPHAN_SUBSCRIPTIONS',
];

/** Reconcile also finishes account deletions and cleans up orphans: the deletes, the tombstones, AdminDeleteUser. */
const RECONCILE: FunctionContract = {
  tables: {
    userProfiles: ['GetItem', 'Query', 'Scan', 'UpdateItem', 'DeleteItem'],
    entitlements: ['GetItem', 'PutItem', 'UpdateItem', 'Scan', 'DeleteItem'],
    parkedEvents: [...PARKED_RETRY, 'Scan'],
    auditLog: ['PutItem', 'GetItem'],
    reconcileState: ['GetItem', 'PutItem', 'DeleteItem'],
    // Parked credit pack sales re-applied: the user's credit ledger; DeleteItem: an account deletion finished.
    credits: ['GetItem', 'PutItem', 'DeleteItem'],
  },
  secrets: ['stripeApiKey'],
  userPool: { poolIdFrom: 'env', actions: [...GROUP_SYNC, 'ListUsers', 'ListUsersInGroup', 'AdminDeleteUser'] },
  variables: [...ACCOUNT_DELETION_VARIABLES, ...POLICY_VARIABLES],
};

/**
 * Healing the caller on the frontend routes (use-cases/reconcile/heal-user.ts): a lost profile or Entitlements row
 * is recreated from the Cognito user (ListUsers by sub) and the Stripe customer (its subscriptions), the record
 * written by the webhook's write path (audit entries, the email's trial-used mark) with the stage's policy, and the
 * groups made to match. AuditLog: the account tombstone (a deleted account is never healed back) and the trial-used
 * mark, read before a trial or a Stripe trial and written with a trial.
 */
const HEALER = {
  tables: {
    entitlements: ENTITLEMENT_WRITER,
    userProfiles: ['GetItem', 'UpdateItem'],
    auditLog: ['GetItem', 'PutItem'],
  },
  secrets: ['stripeApiKey'],
  userPool: { poolIdFrom: 'env', actions: [...GROUP_SYNC, 'ListUsers'] },
  variables: POLICY_VARIABLES,
} as const satisfies FunctionContract;

/** What the feature gate reads (lambdas/wiring/feature-gate.ts): spread into a contract's `tables`. */
export const GATE_TABLES = { entitlements: ['GetItem'] } as const satisfies FunctionContract['tables'];

export const CONTRACTS = {
  // Credits: the caller's balance.
  subscriptionStatus: { ...HEALER, tables: { ...HEALER.tables, credits: ['GetItem'] } },
  checkoutSession: { ...HEALER, variables: ['ALLOWED_ORIGINS', ...POLICY_VARIABLES] },
  billingPortal: { ...HEALER, variables: ['ALLOWED_ORIGINS', ...POLICY_VARIABLES] },
  startTrial: HEALER,
  consumeCredits: {
    // The caller's ledger, read and written with a version condition; AuditLog: the debit's entry.
    tables: { credits: ['GetItem', 'PutItem'], auditLog: ['PutItem'] },
    secrets: [],
  },
  openApi: { tables: {}, secrets: [] },
  stripeWebhook: {
    tables: {
      webhookEvents: ['GetItem', 'PutItem'],
      entitlements: ENTITLEMENT_WRITER,
      parkedEvents: PARKED_RETRY,
      // GetItem: a deleted account's customer tombstone (its late events are ignored, not parked).
      auditLog: ['PutItem', 'GetItem'],
      // UpdateItem: a customer deleted in Stripe is unlinked from the profile that still names it (customer.deleted).
      userProfiles: ['GetItem', 'Query', 'UpdateItem'],
      // A paid credit pack: the user's ledger, read and written with a version condition.
      credits: ['GetItem', 'PutItem'],
    },
    secrets: ['stripeApiKey', 'stripeWebhookSecret'],
    userPool: { poolIdFrom: 'env', actions: GROUP_SYNC },
    variables: POLICY_VARIABLES,
  },
  preSignUp: {
    tables: { userProfiles: ['Query:EmailIndex'] },
    secrets: [],
    // AdminGetUser: a profile holding the email blocks it only while its Cognito user exists with that email.
    userPool: { poolIdFrom: 'event', actions: ['ListUsers', 'AdminLinkProviderForUser', 'AdminGetUser'] },
    variables: ['PRE_SIGNUP_FAIL_OPEN'],
  },
  postConfirmation: {
    tables: {
      userProfiles: ['GetItem', 'Query', 'UpdateItem'],
      entitlements: ENTITLEMENT_WRITER,
      parkedEvents: PARKED_RETRY,
      // GetItem: the email's trial-used mark (an account re-created after a deletion gets no second trial).
      auditLog: ['PutItem', 'GetItem'],
    },
    secrets: ['stripeApiKey'],
    userPool: { poolIdFrom: 'event', actions: GROUP_SYNC },
    // Parked events re-applied at sign-up compute the entitlement with the stage's policy.
    variables: POLICY_VARIABLES,
  },
  /** DELETE /account: the caller's rows, tombstones, Stripe customer and subscriptions, and Cognito user. */
  deleteAccount: {
    tables: {
      userProfiles: ['GetItem', 'UpdateItem', 'DeleteItem'],
      entitlements: ['GetItem', 'DeleteItem'],
      auditLog: ['GetItem', 'PutItem'],
      // The user's credit ledger goes with the account.
      credits: ['DeleteItem'],
    },
    secrets: ['stripeApiKey'],
    userPool: { poolIdFrom: 'env', actions: ['AdminDeleteUser'] },
    variables: ACCOUNT_DELETION_VARIABLES,
  },
  reconcileScheduled: RECONCILE,
  adminReconcile: RECONCILE,
  /** HTTP API Lambda authorizer (lib/constructs/entitlements-authorizer.ts): verifies the token, gates by plan. */
  entitlementsAuthorizer: {
    tables: GATE_TABLES,
    secrets: [],
    variables: ['USER_POOL_ID', 'USER_POOL_CLIENT_ID', 'GATE_REQUIREMENT'],
  },
  /** The example protected routes (lib/constructs/example-api.ts): one behind the authorizer, one gated in-Lambda. */
  exampleReports: { tables: GATE_TABLES, secrets: [] },
} as const satisfies Record<string, FunctionContract>;

export type ContractName = keyof typeof CONTRACTS;
