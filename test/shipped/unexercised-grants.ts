/**
 * Grants the shipped-artifact journeys do not use, each kept because a path outside the journeys needs it. The
 * journey test fails when this list and what the journeys leave unused differ: a grant that becomes unused must
 * be removed from the contract (lambdas/platform/contracts.ts) or named here with the path that needs it.
 */
const GROUP_RACE = 'cognito-idp:AdminListGroupsForUser userpool'; // group sync after a lost race re-reads membership
const GROUP_SYNC = ['cognito-idp:AdminAddUserToGroup userpool', 'cognito-idp:AdminRemoveUserFromGroup userpool'];
const PARKED_RETRY = [
  'dynamodb:DeleteItem table/ParkedEvents', // a parked event applied after the user appears
  'dynamodb:PutItem table/ParkedEvents', // an event parked again (still unresolved)
];

/** Healing a caller's lost rows (frontend routes): what no journey exercises, whichever route heals. */
const HEALING = [
  'cognito-idp:ListUsers userpool',
  ...GROUP_SYNC,
  GROUP_RACE,
  'dynamodb:PutItem table/AuditLog',
  'dynamodb:PutItem table/Entitlements',
  'dynamodb:UpdateItem table/Entitlements',
];

/** A parked credit-pack sale re-applied by reconcile: the journeys' pack is credited by the webhook. */
const CREDIT_PURCHASE = ['dynamodb:GetItem table/Credits', 'dynamodb:PutItem table/Credits'];

/** Reconcile's repair writes: the journeys leave no drift to repair. */
const RECONCILE_REPAIRS = [
  'dynamodb:GetItem table/UserProfiles',
  'dynamodb:UpdateItem table/UserProfiles',
  'dynamodb:Query table/UserProfiles/index/EmailIndex',
  'dynamodb:PutItem table/Entitlements',
  ...PARKED_RETRY,
  'dynamodb:Query table/ParkedEvents/index/CustomerIndex',
  ...GROUP_SYNC,
  GROUP_RACE,
];

/** Account deletion by reconcile: the admin run cleans up the journey's orphan, the scheduled run finds none. */
const ACCOUNT_DELETION = [
  'dynamodb:DeleteItem table/Entitlements',
  'dynamodb:DeleteItem table/UserProfiles',
  'dynamodb:GetItem table/AuditLog', // the account's tombstone, the trial-used mark
  'dynamodb:DeleteItem table/Credits', // the user's credit ledger
];
/** Finishing a deletion the user started (a DELETE /account that stopped part-way) deletes the Cognito user. */
const UNFINISHED_DELETION = 'cognito-idp:AdminDeleteUser userpool';

export const UNEXERCISED_GRANTS: Record<string, string[]> = {
  // Federated sign-in linking: cognito-local has no AdminLinkProviderForUser (unit-tested with a client double).
  CognitoTriggersPreSignUp: ['cognito-idp:AdminLinkProviderForUser userpool'],
  // Parked events of a customer whose user signs up later: re-applied at profile creation.
  CognitoTriggersPostConfirmation: [
    'dynamodb:Query table/UserProfiles/index/EmailIndex',
    'dynamodb:Query table/UserProfiles/index/StripeCustomerIndex',
    ...PARKED_RETRY,
    'dynamodb:PutItem table/AuditLog',
    GROUP_RACE,
    'cognito-idp:AdminRemoveUserFromGroup userpool',
  ],
  // Every frontend route heals a caller whose rows are lost (contracts.ts HEALER; test/e2e/self-healing.test.ts):
  // the Cognito user found by ListUsers, the profile and record recreated, the groups synced, the audit entry and
  // the trial-used mark written, the customer found or created in Stripe. No journey loses a row, so each route
  // leaves unused the healing grants its own path does not share.
  FrontendApiSubscriptionStatus: [
    ...HEALING,
    'dynamodb:GetItem table/AuditLog',
    'dynamodb:UpdateItem table/UserProfiles',
    'secretsmanager:GetSecretValue secret:StripeApiKeyF2E4F720-AbCdEf',
  ],
  FrontendApiCheckoutSession: [...HEALING, 'dynamodb:UpdateItem table/UserProfiles'],
  FrontendApiBillingPortal: [...HEALING, 'dynamodb:GetItem table/AuditLog', 'dynamodb:UpdateItem table/UserProfiles'],
  FrontendApiStartTrial: [
    'cognito-idp:ListUsers userpool',
    GROUP_RACE,
    'dynamodb:GetItem table/UserProfiles',
    'dynamodb:PutItem table/Entitlements',
    'dynamodb:UpdateItem table/UserProfiles',
    'secretsmanager:GetSecretValue secret:StripeApiKeyF2E4F720-AbCdEf',
  ],
  FrontendApiOpenApi: [],
  // First record for a user (checkout events arrive before the profile's row), customer resolution by email. (Its
  // GetItem on UserProfiles is used: a deleted account's redelivered customer.deleted names a sub with no row.)
  StripeWebhook: [
    'dynamodb:PutItem table/Entitlements',
    'dynamodb:DeleteItem table/ParkedEvents',
    'dynamodb:Query table/UserProfiles/index/EmailIndex',
    // customer.deleted of a customer a profile still links (deleted in Stripe by an operator; DELETE /account
    // removes the rows first, so the journey's customer.deleted is ignored)
    'dynamodb:UpdateItem table/UserProfiles',
    GROUP_RACE,
  ],
  // The credit journey bought a pack and consumed from it: every grant was used.
  FrontendApiConsumeCredits: [],
  // DELETE /account ran for a user with a Stripe customer: every grant was used.
  AccountApiDeleteAccount: [],
  // The example routes' authorizer and function read Entitlements only (GetItem), and both routes ran.
  'ExampleApiAuthorizersfeature-scheduled-backups': [],
  ExampleApiReports: [],
  // Lambda's on-failure destination sends a run that failed outright to the dead-letter queue with the function's
  // role (CDK's SqsDestination grants all three); the journeys' runs succeed.
  ReconcileScheduled: [
    ...RECONCILE_REPAIRS,
    ...ACCOUNT_DELETION,
    UNFINISHED_DELETION,
    ...CREDIT_PURCHASE,
    'sqs:GetQueueAttributes local-ReconcileDeadLetters4AE84050.Arn',
    'sqs:GetQueueUrl local-ReconcileDeadLetters4AE84050.Arn',
    'sqs:SendMessage local-ReconcileDeadLetters4AE84050.Arn',
  ],
  // The admin route ran dry runs, one apply run for one user (the orphan's clean-up: its reads, the deletion mark,
  // the tombstones, the deletes, the lease) and an override's grant and revoke (the Entitlements conditional update,
  // the group changes): the other repairs stay unused. Its AdminListGroupsForUser is used: every admin request
  // checks live `admins` membership.
  ReconcileAdmin: [
    'dynamodb:Query table/UserProfiles/index/EmailIndex',
    'dynamodb:PutItem table/Entitlements',
    ...PARKED_RETRY,
    'dynamodb:Query table/UserProfiles/index/StripeCustomerIndex',
    UNFINISHED_DELETION,
    ...CREDIT_PURCHASE,
  ],
};
