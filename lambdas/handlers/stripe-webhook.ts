import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import Stripe from 'stripe';
import { CognitoGroupGateway } from '../adapters/cognito/cognito-groups';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoEntitlementStore } from '../adapters/dynamo/entitlement-store';
import { DynamoParkedEventStore } from '../adapters/dynamo/parked-events';
import { DynamoProfileStore } from '../adapters/dynamo/profile-store';
import { DynamoWebhookLedger } from '../adapters/dynamo/webhook-ledger';
import { StripeSubscriptionSource } from '../adapters/stripe/stripe-subscriptions';
import { DependencyUnavailableError } from '../domain/errors';
import {
  InvalidStripeEventError,
  isHandledEventType,
  type NormalisedEvent,
  normaliseEvent,
  parseEventEnvelope,
} from '../domain/stripe-events';
import { CONTRACTS, type CognitoAction, type DynamoAction, type SecretKey } from '../platform/contracts';
import { type HttpResult, header, httpError, json, rawBody, serviceUnavailable } from '../platform/http';
import { lambdaEntry } from '../platform/lambda-entry';
import { logger } from '../platform/logger';
import type { Runtime } from '../platform/runtime';
import { SecretNotSetError } from '../platform/secrets';
import { systemClock } from '../ports/app-ports';
import type { SubscriptionSource, WebhookLedger } from '../ports/webhook-ports';
import { applyStripeEvent, type StripeEventDeps } from '../use-cases/webhook/apply-stripe-event';

/** Stripe's own events stay far below this; anything larger is not a Stripe event. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface StripeWebhookDeps extends StripeEventDeps {
  ledger: WebhookLedger;
  /** The signing secret; `refresh` re-reads it (a rotation) and is called once when a signature does not verify. */
  webhookSecret: { get(): Promise<string>; refresh(): Promise<string> };
  /** Budget for one delivery's work; past it the answer is 500 and Stripe retries. @default 8000 (Lambda: 10 s) */
  deadlineMs?: number;
}

class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(`delivery took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Verifies, parses and validates a delivery; returns the event or the 4xx to answer. Writes nothing. */
async function verifiedEvent(
  event: APIGatewayProxyEventV2,
  deps: StripeWebhookDeps,
): Promise<{ event: NormalisedEvent; payload: string } | { response: HttpResult }> {
  const payload = rawBody(event);
  if (Buffer.byteLength(payload, 'utf8') > MAX_WEBHOOK_BODY_BYTES) {
    return { response: httpError(413, 'payload_too_large', `body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`) };
  }
  const signature = header(event, 'stripe-signature');
  if (!signature) return { response: httpError(400, 'missing_signature', 'the Stripe-Signature header is required') };
  let parsed: unknown;
  try {
    parsed = await verifiedWithFreshSecret(payload, signature, deps);
  } catch (error) {
    if (error instanceof SecretNotSetError) {
      logger.error('Stripe webhook signing secret is not set; Stripe will retry', { error: error.message });
      return { response: serviceUnavailable(`${error.publicMessage}. Stripe retries this delivery.`) };
    }
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      const stale = /tolerance/i.test(error.message);
      return {
        response: httpError(
          400,
          'invalid_signature',
          stale ? 'the signature timestamp is outside the tolerance' : 'the signature does not match the body',
        ),
      };
    }
    if (error instanceof SyntaxError) return { response: httpError(400, 'invalid_json', 'the body is not valid JSON') };
    throw error;
  }
  try {
    const envelope = parseEventEnvelope(parsed);
    if (!isHandledEventType(envelope.type)) return { response: json(200, { received: true, ignored: true }) };
    return { event: normaliseEvent({ ...envelope, type: envelope.type }), payload };
  } catch (error) {
    if (error instanceof InvalidStripeEventError) {
      return { response: httpError(400, 'invalid_event', error.message.replace(/\s+/g, ' ')) };
    }
    throw error;
  }
}

function verify(payload: string, signature: string, secret: string, deps: StripeWebhookDeps) {
  return Stripe.webhooks.constructEventAsync(
    payload,
    signature,
    secret,
    SIGNATURE_TOLERANCE_SECONDS,
    undefined,
    deps.clock.now().getTime(),
  );
}

/**
 * Verifies with the cached signing secret; on a mismatch re-reads the secret once (it may have been rotated since
 * it was cached) and verifies again. A stale timestamp is not a rotation: no re-read.
 */
async function verifiedWithFreshSecret(payload: string, signature: string, deps: StripeWebhookDeps) {
  const cached = await deps.webhookSecret.get();
  try {
    return await verify(payload, signature, cached, deps);
  } catch (error) {
    const mismatch =
      error instanceof Stripe.errors.StripeSignatureVerificationError && !/tolerance/i.test(error.message);
    if (!mismatch) throw error;
    const fresh = await deps.webhookSecret.refresh();
    if (fresh === cached) throw error;
    return verify(payload, signature, fresh, deps);
  }
}

/** A redelivery found in the ledger before a Stripe call: answered as a duplicate, nothing was written. */
class DuplicateDeliveryError extends Error {
  override name = 'DuplicateDeliveryError';
}

/**
 * Stripe reads are rare here (ties, unlinked customers, disputes) but rate-limited and slower than a ledger read:
 * before the first one, the ledger says whether this delivery is a duplicate, which is then answered as such.
 */
function ledgerCheckedStripe(stripe: SubscriptionSource, ledger: WebhookLedger, eventId: string): SubscriptionSource {
  let checked: Promise<void> | undefined;
  const notDuplicate = () => {
    checked ??= ledger.has(eventId).then((seen) => {
      if (seen) throw new DuplicateDeliveryError(`event ${eventId} is in the ledger`);
    });
    return checked;
  };
  return {
    listForCustomer: (customerId) => notDuplicate().then(() => stripe.listForCustomer(customerId)),
    retrieveCustomer: (customerId) => notDuplicate().then(() => stripe.retrieveCustomer(customerId)),
    customerOfCharge: (chargeId) => notDuplicate().then(() => stripe.customerOfCharge(chargeId)),
  };
}

/**
 * POST /webhooks/stripe. Thin adapter: verify the signature on the raw body, validate, apply the event (one use
 * case), then record the event id in the ledger with a conditional put. No ledger read up front: the ordering
 * guard makes a redelivery a no-op (the entitlement read shows the event applied: no write, no audit, no Cognito
 * call), and the put's condition failure is what marks it a duplicate. The ledger is written only after the
 * effects succeeded, so a failed delivery leaves no record and Stripe's retry runs it again.
 */
export function createStripeWebhookHandler(deps: StripeWebhookDeps) {
  return async (request: APIGatewayProxyEventV2): Promise<HttpResult> => {
    try {
      const verified = await verifiedEvent(request, deps);
      if ('response' in verified) return verified.response;
      const { event, payload } = verified;
      const guarded = { ...deps, stripe: ledgerCheckedStripe(deps.stripe, deps.ledger, event.id) };
      const outcome = await withDeadline(applyStripeEvent(guarded, event, payload), deps.deadlineMs ?? 8_000);
      const ledger = await deps.ledger.record(
        { eventId: event.id, type: event.type, outcome: outcome.kind },
        deps.clock.now(),
      );
      if (ledger === 'duplicate') return json(200, { received: true, duplicate: true });
      return json(200, { received: true, outcome: outcome.kind });
    } catch (error) {
      if (error instanceof DuplicateDeliveryError) return json(200, { received: true, duplicate: true });
      const dependency = error instanceof DependencyUnavailableError ? error.dependency : undefined;
      logger.error('Stripe webhook delivery failed; Stripe will retry', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        dependency,
      });
      return dependency
        ? httpError(500, 'dependency_unavailable', `${dependency} is unavailable, retry later`)
        : httpError(500, 'internal_error', 'the event could not be processed, retry later');
    }
  };
}

/**
 * The webhook's use-case deps from a runtime: for this handler, and for other Lambdas that re-apply parked events
 * (profile creation, reconcile). They need the same grants: Entitlements rw, ParkedEvents rw, AuditLog write,
 * UserProfiles read, the Stripe key, and the group actions on the pool.
 */
export function stripeEventDepsFromRuntime(runtime: Runtime<StripeEventContract>): StripeEventDeps {
  const { ddb, tables } = runtime;
  return {
    entitlements: new DynamoEntitlementStore(ddb, tables.ENTITLEMENTS_TABLE),
    profiles: new DynamoProfileStore(ddb, tables.USER_PROFILES_TABLE),
    groups: new CognitoGroupGateway(runtime.cognito, runtime.userPoolId),
    // Time-boxed: a hung Stripe read fails fast into a 500 that Stripe retries.
    stripe: new StripeSubscriptionSource(() => runtime.stripe({ timeoutMs: 4_000, maxNetworkRetries: 1 })),
    parked: new DynamoParkedEventStore(ddb, tables.PARKED_EVENTS_TABLE),
    audit: new DynamoAuditLog(ddb, tables.AUDIT_TABLE),
    catalog: runtime.catalog,
    policy: { gracePeriodDays: runtime.policy.GRACE_PERIOD_DAYS, revokeOnDispute: runtime.policy.REVOKE_ON_DISPUTE },
    clock: systemClock,
  };
}

/** What re-applying Stripe events needs of a contract (the webhook's and reconcile's both have it). */
type StripeEventContract = {
  tables: Record<'entitlements' | 'userProfiles' | 'parkedEvents' | 'auditLog', readonly DynamoAction[]>;
  secrets: readonly ['stripeApiKey', ...SecretKey[]];
  userPool: { poolIdFrom: 'env'; actions: readonly CognitoAction[] };
};

const entry = lambdaEntry(CONTRACTS.stripeWebhook, (runtime) =>
  createStripeWebhookHandler({
    ...stripeEventDepsFromRuntime(runtime),
    ledger: new DynamoWebhookLedger(runtime.ddb, runtime.tables.WEBHOOK_EVENTS_TABLE),
    webhookSecret: runtime.secret('stripeWebhookSecret'),
  }),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
