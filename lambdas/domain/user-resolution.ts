/**
 * Which user a Stripe event belongs to, from the evidence gathered about it. Never by email; never a guess: when
 * two sources name different users (or the user is linked to another customer), the answer is a conflict and the
 * event is parked for an operator. Pure module.
 */

export interface ResolutionEvidence {
  customerId: string;
  /** `metadata.cognito_sub` (or a legacy key) on the subscription / session / invoice / customer payload. */
  metadataSub?: string | null;
  /** Checkout session `client_reference_id`. */
  clientReferenceId?: string | null;
  /** A sub the caller already knows for this customer (e.g. from a completed checkout session). */
  knownSub?: string | null;
  /** Subs whose profile links this customer (UserProfiles.StripeCustomerIndex); undefined when not looked up. */
  indexedSubs?: readonly string[];
  /** `metadata.cognito_sub` on the Stripe customer; undefined when not looked up. */
  customerMetadataSub?: string | null;
  /** Customer ids already stored for the candidate (its profile and entitlement record). */
  candidateCustomerIds?: readonly string[];
  /** Whether the candidate exists on our side (a profile or an entitlement record). */
  candidateKnown?: boolean;
}

export type Resolution =
  | { kind: 'resolved'; sub: string }
  | { kind: 'unresolved'; reason: string }
  | { kind: 'conflict'; reason: string; candidates: string[] };

/** The distinct subs named by the evidence, in source order. */
export function candidateSubs(evidence: ResolutionEvidence): string[] {
  const named = [
    evidence.metadataSub,
    evidence.clientReferenceId,
    evidence.knownSub,
    ...(evidence.indexedSubs ?? []),
    evidence.customerMetadataSub,
  ].filter((sub): sub is string => typeof sub === 'string' && sub.length > 0);
  return [...new Set(named)];
}

export function resolveUser(evidence: ResolutionEvidence): Resolution {
  const candidates = candidateSubs(evidence);
  if ((evidence.indexedSubs?.length ?? 0) > 1) {
    return { kind: 'conflict', reason: 'several profiles link this customer', candidates };
  }
  if (candidates.length > 1) return { kind: 'conflict', reason: 'sources name different users', candidates };
  const sub = candidates[0];
  if (sub === undefined) return { kind: 'unresolved', reason: 'no source names a user' };
  const other = (evidence.candidateCustomerIds ?? []).find((id) => id && id !== evidence.customerId);
  if (other !== undefined) {
    return { kind: 'conflict', reason: 'the user is linked to another Stripe customer', candidates: [sub] };
  }
  if (evidence.candidateKnown === false) return { kind: 'unresolved', reason: 'the named user has no profile yet' };
  return { kind: 'resolved', sub };
}
