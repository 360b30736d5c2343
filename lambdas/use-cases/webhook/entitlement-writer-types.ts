import type { Entitlement, EntitlementOverride } from '../../domain/entitlement';
import type { CustomerState } from '../../domain/event-ordering';
import type { PlanCatalog } from '../../domain/plan-catalog';
import type { EntitlementPolicy } from '../../domain/policy-settings';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import type { Clock, EntitlementStore, GroupGateway, ProfileStore, UserProfile } from '../../ports/app-ports';
import type { TrialMarkStore } from '../../ports/billing-ports';
import type { AuditLog } from '../../ports/webhook-ports';
import type { GroupChange } from '../entitlement/sync-cognito-groups';

/** The contract of the entitlement write path (commit-entitlement.ts), shared by the webhook and reconcile. */

/** What writing a customer's entitlement needs (a subset of the webhook's deps; reconcile builds it too). */
export interface EntitlementWriterDeps {
  entitlements: EntitlementStore;
  profiles: Pick<ProfileStore, 'get'>;
  groups: GroupGateway;
  audit: AuditLog;
  catalog: PlanCatalog;
  policy: EntitlementPolicy;
  clock: Clock;
  /** Lost conditional-write races tolerated before answering 5xx (Stripe retries). @default 5 */
  maxWriteAttempts?: number;
  /** How concurrent group appliers settle (apply-groups.ts); tests inject the sleep. */
  groupConvergence?: GroupConvergence;
  /** The email's trial-used mark, written when a Stripe trial first marks the user's trial as used. */
  trialMarks?: Pick<TrialMarkStore, 'markTrialUsed'>;
}

/** Rounds of the group convergence after a lost compare-and-set, spaced with jittered exponential backoff. */
export interface GroupConvergence {
  /** @default 8 */
  rounds?: number;
  /** @default 50 ms */
  baseMs?: number;
  /** @default 1_000 ms */
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The change being applied: a Stripe event, or a reconcile pass (synthetic id). */
export interface ChangeSource {
  id: string;
  type: string;
  /** Epoch seconds: the ordering-guard time of the change. */
  created: number;
  /** An operator's change (an override granted or revoked): always audited, with who and why. */
  operator?: { sub: string; email?: string; reason?: string };
  /** The override this change sets, or null when it revokes it; absent: the stored one is kept. */
  override?: EntitlementOverride | null;
}

export interface UserContext {
  sub: string;
  stripeCustomerId?: string;
  email?: string;
  /** Already read by user resolution: reused for the first attempt (saves a read). */
  record?: WebhookEntitlementRecord;
  profile?: UserProfile;
}

export interface EntitlementWriteResult {
  sub: string;
  /** False when the change was older / a duplicate / had no effect: nothing was written. */
  changed: boolean;
  before: Entitlement | undefined;
  record: WebhookEntitlementRecord;
  groups: GroupChange;
}

/**
 * Returns the customer's next state, or undefined for "no change". Called again after a lost race with the
 * freshly read state, so it must be a function of its input (plus memoised Stripe reads).
 */
export type Decide = (
  state: CustomerState,
  record: WebhookEntitlementRecord | undefined,
) => Promise<CustomerState | undefined>;
