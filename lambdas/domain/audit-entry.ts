/** One applied change of a user's entitlement, as the audit trail keeps it. */
export interface AuditEntry {
  userId: string;
  /** `${isoTime}#${eventId}`: the event's own time, so a redelivery writes the same key. */
  entryId: string;
  eventId: string;
  eventType: string;
  stripeCustomerId?: string;
  oldPlan: string;
  newPlan: string;
  oldStatus: string;
  newStatus: string;
  groupsAdded: string[];
  groupsRemoved: string[];
  entitlementsVersion: number;
  recordedAt: string;
  /** An operator's change (override granted or revoked): who (sub, email) and why. */
  operatorSub?: string;
  operatorEmail?: string;
  reason?: string;
  /** The override granted by this change: its end (null: until revoked). */
  overrideEndsAt?: string | null;
}
