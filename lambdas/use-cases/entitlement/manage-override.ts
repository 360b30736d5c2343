import { CodedNotFoundError } from '../../domain/coded-errors';
import type { EntitlementOverride } from '../../domain/entitlement';
import { type OverrideGrantInput, type OverrideOperator, overrideOf } from '../../domain/override-request';
import { type SubscriptionStatusView, statusView } from '../../domain/status-view';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import type { ChangeSource, EntitlementWriterDeps } from '../webhook/entitlement-writer-types';
import { commitEntitlement } from '../webhook/recompute-entitlement';

/**
 * An operator grants or revokes a user's override. Both go through the entitlement's one write path
 * (commitEntitlement: conditional write, audit entry with operator and reason, Cognito groups), which merges the
 * override with the policy's entitlement; the Stripe state is kept beneath it and takes over when it ends.
 */

export interface OverrideResult {
  sub: string;
  /** False when the request changed nothing (a revoke without an override). */
  changed: boolean;
  override: EntitlementOverride | null;
  /** The user's status as GET /subscription/status would show it now. */
  status: SubscriptionStatusView;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export async function grantOverride(
  deps: EntitlementWriterDeps,
  request: OverrideGrantInput & { sub: string; operator: OverrideOperator },
): Promise<OverrideResult> {
  const now = deps.clock.now();
  // Validated before any read: a bad request writes nothing.
  const override = overrideOf(request, request.operator, deps.catalog, now);
  const record = await existingRecord(deps, request.sub);
  return commitOverride(deps, record, {
    id: `override-granted:${now.toISOString()}`,
    type: 'override.granted',
    created: seconds(now),
    operator: { ...request.operator, reason: override.reason },
    override,
  });
}

export async function revokeOverride(
  deps: EntitlementWriterDeps,
  request: { sub: string; reason?: string; operator: OverrideOperator },
): Promise<OverrideResult> {
  const now = deps.clock.now();
  const record = await existingRecord(deps, request.sub);
  if (!record.override) return resultOf(deps, record, false);
  const reason = request.reason?.trim();
  return commitOverride(deps, record, {
    id: `override-revoked:${now.toISOString()}`,
    type: 'override.revoked',
    created: seconds(now),
    operator: { ...request.operator, ...(reason ? { reason } : {}) },
    override: null,
  });
}

async function existingRecord(deps: EntitlementWriterDeps, sub: string): Promise<WebhookEntitlementRecord> {
  const record = await deps.entitlements.get(sub);
  if (!record) throw new CodedNotFoundError('user_not_found', `No entitlement record for user ${sub}`);
  return record;
}

async function commitOverride(
  deps: EntitlementWriterDeps,
  record: WebhookEntitlementRecord,
  change: ChangeSource,
): Promise<OverrideResult> {
  const result = await commitEntitlement(
    deps,
    { sub: record.cognito_sub, stripeCustomerId: record.stripeCustomerId, record },
    change,
    // No Stripe state changes: the policy's entitlement is recomputed from the stored state, the override merged.
    async () => undefined,
  );
  return resultOf(deps, result.record, result.changed);
}

function resultOf(deps: EntitlementWriterDeps, record: WebhookEntitlementRecord, changed: boolean): OverrideResult {
  const status = statusView(record, record.cognitoGroups ?? [], deps.catalog, deps.clock.now());
  return { sub: record.cognito_sub, changed, override: record.override ?? null, status };
}
