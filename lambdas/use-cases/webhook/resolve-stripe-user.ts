import { subFromMetadata } from '../../domain/stripe-events';
import { candidateSubs, type ResolutionEvidence, resolveUser } from '../../domain/user-resolution';
import type { WebhookEntitlementRecord } from '../../domain/webhook-entitlement-record';
import type { AccountTombstoneReader } from '../../ports/account-ports';
import type { EntitlementStore, ProfileStore, UserProfile } from '../../ports/app-ports';
import type { SubscriptionSource } from '../../ports/webhook-ports';

export interface ResolveStripeUserDeps {
  entitlements: Pick<EntitlementStore, 'get'>;
  profiles: Pick<ProfileStore, 'get' | 'findByStripeCustomerId'>;
  stripe: Pick<SubscriptionSource, 'retrieveCustomer'>;
  /** Customers of deleted accounts: their late events are dropped, not parked (without it: parked). */
  tombstones?: Pick<AccountTombstoneReader, 'isDeletedCustomer'>;
}

export interface ResolveInput {
  customerId: string;
  metadataSub?: string | null;
  clientReferenceId?: string | null;
  knownSub?: string | null;
}

export type StripeUserResolution =
  | { kind: 'resolved'; sub: string; record?: WebhookEntitlementRecord; profile?: UserProfile }
  | { kind: 'unresolved' | 'conflict'; reason: string }
  /** The customer's account was deleted (or its deletion is under way): nothing to apply, nothing to park. */
  | { kind: 'deleted'; reason: string };

/**
 * Gathers evidence lazily, cheapest first, and lets the pure rules decide. Common case (the payload names the
 * user and their record already links this customer): one consistent read, which the caller reuses.
 * Otherwise: the StripeCustomerIndex, then (only if nothing named a user yet) the Stripe customer's metadata.
 */
export async function resolveStripeUser(
  deps: ResolveStripeUserDeps,
  input: ResolveInput,
): Promise<StripeUserResolution> {
  const evidence: ResolutionEvidence = {
    customerId: input.customerId,
    metadataSub: input.metadataSub,
    clientReferenceId: input.clientReferenceId,
    knownSub: input.knownSub,
  };
  const named = candidateSubs(evidence);
  if (named.length > 1) return asResolution(resolveUser(evidence));

  let record: WebhookEntitlementRecord | undefined;
  const fromPayload = named[0];
  if (fromPayload !== undefined) {
    record = await deps.entitlements.get(fromPayload);
    if (record?.stripeCustomerId === input.customerId) return { kind: 'resolved', sub: fromPayload, record };
  }

  const indexed = await deps.profiles.findByStripeCustomerId(input.customerId);
  evidence.indexedSubs = indexed.map((profile) => profile.userId);
  if (candidateSubs(evidence).length === 0) {
    const customer = await deps.stripe.retrieveCustomer(input.customerId);
    evidence.customerMetadataSub = subFromMetadata(customer?.metadata);
  }

  const candidates = candidateSubs(evidence);
  let profile: UserProfile | undefined;
  const candidate = candidates.length === 1 ? candidates[0] : undefined;
  if (candidate !== undefined) {
    profile = indexed.find((p) => p.userId === candidate) ?? (await deps.profiles.get(candidate));
    if (candidate !== fromPayload) record = await deps.entitlements.get(candidate);
    evidence.candidateCustomerIds = [profile?.stripeCustomerId, record?.stripeCustomerId].filter(
      (id): id is string => typeof id === 'string' && id.length > 0,
    );
    evidence.candidateKnown = profile !== undefined || record !== undefined;
  }
  const resolution = resolveUser(evidence);
  if (resolution.kind === 'resolved' && profile?.deletion) {
    return { kind: 'deleted', reason: `the account of ${resolution.sub} is being deleted` };
  }
  if (resolution.kind === 'unresolved' && (await deps.tombstones?.isDeletedCustomer(input.customerId))) {
    return { kind: 'deleted', reason: 'the account of this customer was deleted' };
  }
  if (resolution.kind !== 'resolved') return asResolution(resolution);
  return { kind: 'resolved', sub: resolution.sub, record, profile };
}

function asResolution(resolution: ReturnType<typeof resolveUser>): StripeUserResolution {
  if (resolution.kind === 'resolved') return { kind: 'resolved', sub: resolution.sub };
  const detail =
    resolution.kind === 'conflict' ? `${resolution.reason} (${resolution.candidates.join(', ')})` : resolution.reason;
  return { kind: resolution.kind, reason: detail };
}
