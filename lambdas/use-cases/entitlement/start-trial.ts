import { CodedConflictError } from '../../domain/coded-errors';
import { DependencyUnavailableError } from '../../domain/errors';
import { managedGroupsOf } from '../../domain/groups';
import type { PlanCatalog } from '../../domain/plan-catalog';
import type { SubscriptionStatusView } from '../../domain/status-view';
import { statusView } from '../../domain/status-view';
import { startTrialRecord, type TrialRefusal, trialRefusal } from '../../domain/trial';
import type { Clock, EntitlementStore, GroupGateway } from '../../ports/app-ports';
import type { TrialMarkStore } from '../../ports/billing-ports';
import type { HealUser } from '../reconcile/heal-user';
import { syncCognitoGroups } from './sync-cognito-groups';

export interface StartTrialDeps {
  entitlements: EntitlementStore;
  groups: GroupGateway;
  catalog: PlanCatalog;
  clock: Clock;
  /** The email's trial-used mark (an earlier account with the same address); without it only the record decides. */
  trialMarks?: TrialMarkStore;
  /** Recreates a missing record from Cognito and Stripe (use-cases/reconcile/heal-user.ts). */
  heal: HealUser;
}

export interface TrialCaller {
  sub: string;
  username?: string;
  email?: string;
  /** Groups in the caller's token. */
  groups: string[];
}

/** Conditional-write attempts when a webhook (not another trial) changed the record in between. */
const MAX_ATTEMPTS = 3;

const REFUSALS: Record<TrialRefusal, string> = {
  trial_already_used:
    'The free trial has already been used on this account or email address (no-card or with a subscription): ' +
    'choose a plan to continue.',
  already_subscribed: 'You already have an active paid subscription: no trial is needed.',
};

/**
 * Starts the catalog's no-card trial once per user. The write is conditional on the version read, so of two
 * concurrent requests exactly one wins; the loser re-reads, sees `trialUsed`, and gets 409. Groups are synced after
 * the write; if Cognito fails the caller gets 503 and the retry (now a 409) finishes the pending group change first,
 * so nothing is left half-done.
 */
export async function startTrial(deps: StartTrialDeps, caller: TrialCaller): Promise<SubscriptionStatusView> {
  for (let attempt = 1; ; attempt += 1) {
    const now = deps.clock.now();
    let stored = await deps.entitlements.get(caller.sub);
    if (!stored) {
      // A lost record (or a failed PostConfirmation): heal it from Cognito and Stripe first, so a paying customer
      // is refused as subscribed instead of getting a trial.
      await deps.heal(caller.sub);
      stored = await deps.entitlements.get(caller.sub);
      if (!stored) {
        throw new DependencyUnavailableError('dynamodb', `no Entitlements record for ${caller.sub} after healing`);
      }
    }

    const username = stored.cognitoUsername ?? caller.username ?? caller.sub;

    const email = stored.email ?? caller.email;
    const markedUsed =
      !stored.trialUsed &&
      deps.trialMarks !== undefined &&
      email !== undefined &&
      (await deps.trialMarks.isTrialUsed(email));
    const refusal = trialRefusal(markedUsed ? { ...stored, trialUsed: true } : stored, deps.catalog, now);
    if (refusal) {
      // A trial written by an earlier request whose mark or group sync failed: finish them now (both idempotent).
      // Checked first so that a refusal writes nothing once the mark exists.
      if (stored.trialUsed && email && deps.trialMarks && !(await deps.trialMarks.isTrialUsed(email))) {
        await deps.trialMarks.markTrialUsed(email, now);
      }
      await syncCognitoGroups(deps, stored, username);
      throw new CodedConflictError(refusal, REFUSALS[refusal]);
    }

    const next = startTrialRecord(stored, deps.catalog, now);
    const outcome = await deps.entitlements.writeIfVersion(next, stored.entitlementsVersion);
    if (outcome === 'written') {
      if (email) await deps.trialMarks?.markTrialUsed(email, now);
      await syncCognitoGroups(deps, next, username);
      const applied = { ...next, cognitoGroups: managedGroupsOf(next.groups, deps.catalog) };
      return statusView(applied, caller.groups, deps.catalog, now);
    }
    if (attempt >= MAX_ATTEMPTS) {
      throw new CodedConflictError('concurrent_update', 'Your subscription changed while starting the trial: retry.');
    }
  }
}
