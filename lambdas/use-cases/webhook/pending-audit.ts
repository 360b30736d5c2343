import type { Entitlement } from '../../domain/entitlement';
import { diffManagedGroups } from '../../domain/groups';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import type { AuditEntry } from '../../ports/webhook-ports';
import type { ChangeSource, EntitlementWriterDeps } from './entitlement-writer-types';

/**
 * The audit trail without transactions: a change's entry rides on the record (`pendingAudit`) in the same
 * conditional write, is then put to the AuditLog (conditional on its key), and whoever finds it still pending
 * (a redelivery, a later write, reconcile) puts it again. So an applied change ends with exactly one entry.
 */

/**
 * Most pending audit entries a record carries. Past it the oldest are re-put (idempotent) and dropped: a user with
 * that many audited changes between two reconcile passes, never the common path.
 */
const MAX_PENDING_AUDIT = 10;

/** The AuditLog entry of a change, or undefined when plan, status, entitlement and groups are all unchanged. */
export function auditEntryOf(
  deps: Pick<EntitlementWriterDeps, 'catalog' | 'clock'>,
  record: WebhookEntitlementRecord,
  before: Entitlement | undefined,
  change: ChangeSource,
): AuditEntry | undefined {
  const { add, remove } = diffManagedGroups(record.cognitoGroups ?? [], record.groups, deps.catalog);
  const unchanged =
    before !== undefined &&
    before.plan === record.plan &&
    before.status === record.status &&
    before.entitled === record.entitled &&
    add.length === 0 &&
    remove.length === 0;
  if (unchanged && !change.operator) return undefined;
  const operator = change.operator;
  return {
    userId: record.cognito_sub,
    // The change's own time, not the wall clock: a redelivery produces the same key and is not duplicated.
    entryId: `${new Date(change.created * 1000).toISOString()}#${change.id}`,
    eventId: change.id,
    eventType: change.type,
    stripeCustomerId: record.stripeCustomerId,
    oldPlan: before?.plan ?? 'none',
    newPlan: record.plan,
    oldStatus: before?.status ?? 'none',
    newStatus: record.status,
    groupsAdded: add,
    groupsRemoved: remove,
    entitlementsVersion: record.entitlementsVersion,
    recordedAt: deps.clock.now().toISOString(),
    ...(operator ? { operatorSub: operator.sub } : {}),
    ...(operator?.email ? { operatorEmail: operator.email } : {}),
    ...(operator?.reason ? { reason: operator.reason } : {}),
    ...(change.override ? { overrideEndsAt: change.override.endsAt } : {}),
  };
}

/**
 * The pending entries the next write carries: those already on the record plus this change's own (replacing a
 * carried copy of it). Entries past MAX_PENDING_AUDIT are put now and dropped. Undefined when none is pending.
 */
export async function carryPendingAudit(
  deps: Pick<EntitlementWriterDeps, 'audit'>,
  record: WebhookEntitlementRecord | undefined,
  entry: AuditEntry | undefined,
): Promise<AuditEntry[] | undefined> {
  const pending = [
    ...(record?.pendingAudit ?? []).filter((carried) => carried.entryId !== entry?.entryId),
    ...(entry ? [entry] : []),
  ];
  const overflow = pending.splice(0, Math.max(0, pending.length - MAX_PENDING_AUDIT));
  for (const dropped of overflow) await deps.audit.append(dropped);
  return pending.length > 0 ? pending : undefined;
}

/** A retry of an already applied change re-puts its own entry, in case the first attempt's put failed. */
export async function reputOwnPendingEntry(
  deps: Pick<EntitlementWriterDeps, 'audit'>,
  record: WebhookEntitlementRecord,
  change: ChangeSource,
): Promise<void> {
  for (const entry of record.pendingAudit ?? []) {
    if (entry.eventId === change.id) await deps.audit.append(entry);
  }
}

export type SettleOutcome = 'none' | 'settled' | 'conflict';

/**
 * Reconcile's recovery of the audit trail: re-puts every entry still pending on the user's record (idempotent)
 * and clears them with a write conditioned on the version read. 'conflict': another write came first and carried
 * the entries forward (already put now; a later pass clears them). Only users with pending entries pay for it.
 */
export async function settlePendingAudit(
  deps: Pick<EntitlementWriterDeps, 'entitlements' | 'audit' | 'clock'>,
  sub: string,
): Promise<SettleOutcome> {
  const record = (await deps.entitlements.get(sub)) as WebhookEntitlementRecord | undefined;
  const pending = record?.pendingAudit ?? [];
  if (!record || pending.length === 0) return 'none';
  for (const entry of pending) await deps.audit.append(entry);
  const cleared: WebhookEntitlementRecord = {
    ...record,
    pendingAudit: undefined,
    // A new version, like every full write: a delivery holding the old version re-reads instead of writing over it.
    entitlementsVersion: record.entitlementsVersion + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  const outcome = await deps.entitlements.writeIfVersion(cleared, record.entitlementsVersion);
  return outcome === 'written' ? 'settled' : 'conflict';
}
