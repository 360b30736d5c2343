import type { CognitoUserSnapshot, ParkedEventRef } from '../domain/drift';
import type { EntitlementOverride } from '../domain/entitlement';
import type { ReconcileReport } from '../domain/reconcile-report';
import type { WebhookEntitlementRecord } from '../domain/webhook-entitlement-record';
import type { UserProfile } from './app-ports';

/** Ports of the reconcile use case; adapters in lambdas/adapters implement them, unit tests use doubles. */

/** A Stripe customer as the source lists it: raw subscription objects, normalised here. */
export interface SourceCustomer {
  id: string;
  metadata: Record<string, string>;
  created: number;
  subscriptions: unknown[];
  complete: boolean;
}

/** What checking one user reads (reconcile for one user, and the routes healing their caller). */
export interface UserRepairSource {
  findUser(sub: string): Promise<CognitoUserSnapshot | undefined>;
  groupsOfUser(username: string): Promise<string[]>;
  /** The customers of one user: the linked one and those found by email carrying the sub (no Search API). */
  customersForUser(input: { sub: string; email?: string; linkedId?: string }): Promise<SourceCustomer[]>;
  /** Every subscription of a customer, any status. */
  allSubscriptions(customerId: string): Promise<unknown[]>;
}

/** Everything reconcile reads, in bulk (full runs) or for one user. Implemented in lambdas/adapters. */
export interface ReconcileSource extends UserRepairSource {
  /** Every Cognito user (paged ListUsers). */
  listUsers(): Promise<CognitoUserSnapshot[]>;
  /** Usernames in a group (paged ListUsersInGroup). */
  groupMembers(group: string): Promise<string[]>;
  scanProfiles(): Promise<UserProfile[]>;
  scanEntitlements(): Promise<WebhookEntitlementRecord[]>;
  /** Every Stripe customer with its live subscriptions (list API, 100 per call). */
  customers(): AsyncIterable<SourceCustomer>;
  /** Parked webhook events: all, or those of one customer. */
  parkedEvents(customerId?: string): Promise<ParkedEventRef[]>;
}

/** Leases and checkpoints (lambdas/adapters/dynamo/reconcile-state.ts). */
export interface ReconcileStateStore {
  acquireLease(scope: string, holder: string, now: Date, ttlSeconds: number): Promise<boolean>;
  releaseLease(scope: string, holder: string): Promise<void>;
  getCheckpoint(scope: string): Promise<ReconcileCheckpoint | undefined>;
  saveCheckpoint(scope: string, checkpoint: ReconcileCheckpoint, now: Date): Promise<void>;
  clearCheckpoint(scope: string): Promise<void>;
  saveLastRun(summary: Record<string, unknown>, now: Date): Promise<void>;
}

export interface ReconcileCheckpoint {
  runId: string;
  startedAt: string;
  afterSub: string;
  counts: Record<string, number>;
  repairs: { applied: number; skipped: number; failed: number };
  usersChecked: number;
  updatedAt: string;
}

/** Parked-event retries with the webhook's own use case (retry-parked-events.ts). */
export interface ParkedRetryGateway {
  all(): Promise<ParkedRetryOutcome>;
  forCustomer(customerId: string): Promise<ParkedRetryOutcome>;
}

export interface ParkedRetryOutcome {
  applied: number;
  stillParked: number;
}

/** CloudWatch namespace and names of reconcile's metrics: the CDK alarm watches exactly these. */
export const RECONCILE_METRICS = {
  namespace: 'Entitlements',
  service: 'reconcile',
  repairsFailed: 'ReconcileRepairsFailed',
  /** Scheduled full apply runs: 1 when the run reached the last user, 0 when it stopped early (resumes next time). */
  scheduledRunsCompleted: 'ReconcileScheduledRunsCompleted',
  /** Parked webhook events a completed scheduled run found (and retried): events the webhook could not apply. */
  parkedEventsAtCompletion: 'ReconcileParkedEvents',
} as const;

/** Where a finished run's counts go (CloudWatch metrics in AWS). */
export interface ReconcileMetrics {
  publish(report: ReconcileReport): void;
}

/** A user's override as sync-health lists it. */
export interface UserOverride {
  sub: string;
  override: EntitlementOverride;
}

/** Every user holding an override (adapters/dynamo/override-listing.ts). */
export interface OverrideDirectory {
  list(): Promise<UserOverride[]>;
}
