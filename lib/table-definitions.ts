/**
 * DynamoDB table shapes, shared by the CDK data stack and the local emulator stack so the two can never drift.
 * Pure data: no CDK imports. `localName` is the fixed name used only on the local stack; AWS names are generated.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  /** Fixed name on the local stack and the logical id stem in CDK. */
  localName: string;
  /** Environment variable through which Lambdas receive the physical name. */
  envVar: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalIndexes: { indexName: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute }[];
  /** Attribute holding an epoch-seconds expiry, when the table expires items. */
  ttlAttribute?: string;
}

export const TABLES = {
  userProfiles: {
    localName: 'UserProfiles',
    envVar: 'USER_PROFILES_TABLE',
    partitionKey: { name: 'userId', type: 'S' },
    globalIndexes: [
      { indexName: 'EmailIndex', partitionKey: { name: 'email', type: 'S' } },
      { indexName: 'StripeCustomerIndex', partitionKey: { name: 'stripeCustomerId', type: 'S' } },
    ],
  },
  entitlements: {
    localName: 'Entitlements',
    envVar: 'ENTITLEMENTS_TABLE',
    partitionKey: { name: 'cognito_sub', type: 'S' },
    globalIndexes: [],
  },
  /** Ledger of processed Stripe event ids (exactly-once); expires after Stripe's retry window. */
  webhookEvents: {
    localName: 'WebhookEvents',
    envVar: 'WEBHOOK_EVENTS_TABLE',
    partitionKey: { name: 'eventId', type: 'S' },
    globalIndexes: [],
    ttlAttribute: 'expiresAt',
  },
  /** Events whose user could not be resolved (or conflicted): kept for operators and retried. */
  parkedEvents: {
    localName: 'ParkedEvents',
    envVar: 'PARKED_EVENTS_TABLE',
    partitionKey: { name: 'eventId', type: 'S' },
    globalIndexes: [{ indexName: 'CustomerIndex', partitionKey: { name: 'stripeCustomerId', type: 'S' } }],
  },
  /** Every applied change, queryable per user. */
  auditLog: {
    localName: 'AuditLog',
    envVar: 'AUDIT_TABLE',
    partitionKey: { name: 'userId', type: 'S' },
    sortKey: { name: 'entryId', type: 'S' },
    globalIndexes: [],
  },
  /** Credit balances: one ledger per user (balance, version, the credited Checkout Sessions). */
  credits: {
    localName: 'Credits',
    envVar: 'CREDITS_TABLE',
    partitionKey: { name: 'cognito_sub', type: 'S' },
    globalIndexes: [],
  },
  /** Reconcile checkpoints and locks. */
  reconcileState: {
    localName: 'ReconcileState',
    envVar: 'RECONCILE_STATE_TABLE',
    partitionKey: { name: 'id', type: 'S' },
    globalIndexes: [],
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof TABLES;
