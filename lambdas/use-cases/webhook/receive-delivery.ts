import { AppError, NotConfiguredError, SignatureRejectedError } from '../../domain/errors';
import type { NormalisedEvent } from '../../domain/stripe-events';
import { type EventRead, readStripeEvent } from '../../domain/stripe-read';
import type { DeliveryResult } from '../../domain/webhook-delivery';
import { logger } from '../../platform/logger';
import type { EventVerifier, SubscriptionSource, WebhookLedger } from '../../ports/webhook-ports';
import { type ApplyStripeEvent, applyStripeEvent, type StripeEventDeps } from './apply-stripe-event';

export interface DeliveryDeps extends StripeEventDeps {
  ledger: WebhookLedger;
  verifier: EventVerifier;
  /** Budget for one delivery's work; past it the delivery fails and Stripe retries. @default 8000 (Lambda: 10 s) */
  deadlineMs?: number;
  /** The apply step between parse and record. @default applyStripeEvent */
  applyEvent?: ApplyStripeEvent;
}

export interface Delivery {
  /** The raw body, exactly as signed. */
  payload: string;
  signature: string | undefined;
}

export type { DeliveryResult } from '../../domain/webhook-delivery';

/** Ledger outcome (and answer) of a handled event parked because its object does not fit the schema. */
export const UNFIT_OUTCOME = 'parked-unfit';

/** The one line operators count (lib/log-signals.ts: UnfitStripeEvents) and alarm on. */
export const UNFIT_EVENT_MESSAGE = 'Stripe event parked: it does not fit the schema';

export class DeadlineExceededError extends AppError {
  override name = 'DeadlineExceededError';
}

/**
 * One Stripe delivery, start to end (in the manner of Powertools' idempotency handler): verify the signature on the
 * raw body, parse, apply the event, then record it in the ledger with a conditional put. No ledger read up front:
 * the ordering guard makes a redelivery a no-op, and the put's condition marks it a duplicate. Before the first
 * Stripe read (rare: ties, unlinked customers, disputes) the ledger is consulted, and a redelivery found there is
 * answered as a duplicate without that read. The ledger is written only after the effects succeeded, so a failed
 * delivery leaves no record and Stripe's retry runs it again. A dependency failure is thrown: the caller answers
 * 5xx and Stripe retries.
 */
export async function receiveDelivery(deps: DeliveryDeps, delivery: Delivery): Promise<DeliveryResult> {
  const checked = await verifiedEvent(deps, delivery);
  if ('unfit' in checked) return parkUnfit(deps, checked.unfit, delivery.payload);
  if (!('event' in checked)) return checked;
  const { event } = checked;
  const ledgerGuard = new LedgerGuard(deps.ledger, event.id);
  let outcome: Awaited<ReturnType<typeof applyStripeEvent>>;
  try {
    const apply = deps.applyEvent ?? applyStripeEvent;
    const work = apply({ ...deps, stripe: ledgerGuard.guard(deps.stripe) }, event, delivery.payload);
    outcome = await withDeadline(work, deps.deadlineMs ?? 8_000);
  } catch (error) {
    if (error === DUPLICATE) return { kind: 'duplicate', eventType: event.type };
    throw error;
  }
  const recorded = await deps.ledger.record(
    { eventId: event.id, type: event.type, outcome: outcome.kind },
    deps.clock.now(),
  );
  return recorded === 'duplicate'
    ? { kind: 'duplicate', eventType: event.type }
    : { kind: 'processed', outcome: outcome.kind, eventType: event.type };
}

/** Verifies and reads a delivery; returns the event, an unfit one, or the result to answer. Writes nothing. */
async function verifiedEvent(
  deps: Pick<DeliveryDeps, 'verifier' | 'readEvent'>,
  delivery: Delivery,
): Promise<
  | { event: NormalisedEvent }
  | { unfit: Extract<EventRead, { kind: 'unfit' }> }
  | Exclude<DeliveryResult, { kind: 'processed' | 'duplicate' }>
> {
  if (!delivery.signature) {
    return { kind: 'rejected', code: 'missing_signature', message: 'the Stripe-Signature header is required' };
  }
  let parsed: unknown;
  try {
    parsed = await deps.verifier.verify(delivery.payload, delivery.signature);
  } catch (error) {
    if (error instanceof NotConfiguredError) return { kind: 'not-configured', message: error.publicMessage };
    if (error instanceof SignatureRejectedError)
      return { kind: 'rejected', code: 'invalid_signature', message: error.message };
    if (error instanceof SyntaxError)
      return { kind: 'rejected', code: 'invalid_json', message: 'the body is not valid JSON' };
    throw error;
  }
  const read = readStripeEvent(parsed, deps.readEvent);
  switch (read.kind) {
    case 'not-stripe':
      return { kind: 'rejected', code: 'invalid_event', message: read.reason };
    case 'ignored':
      return { kind: 'ignored', eventType: read.type };
    case 'unfit':
      return { unfit: read };
    case 'event':
      return { event: read.event };
  }
}

/**
 * A validly signed event of a handled type whose object does not fit the schema: a 4xx would make Stripe retry it
 * for 3 days and then lose it (and disable the endpoint), so it is parked with the reason and acknowledged. The
 * scheduled reconcile re-applies parked events; once a deploy can read it, it applies. Parked before the ledger
 * record, so a failed park leaves nothing and Stripe's retry runs it again.
 */
async function parkUnfit(
  deps: DeliveryDeps,
  unfit: Extract<EventRead, { kind: 'unfit' }>,
  payload: string,
): Promise<DeliveryResult> {
  await deps.parked.park({
    eventId: unfit.id,
    type: unfit.type,
    stripeCustomerId: unfit.customerId,
    reason: 'unfit',
    detail: unfit.reason,
    payload,
    createdAt: deps.clock.now().toISOString(),
  });
  logger.error(UNFIT_EVENT_MESSAGE, {
    eventId: unfit.id,
    type: unfit.type,
    customerId: unfit.customerId || undefined,
    detail: unfit.reason,
  });
  const recorded = await deps.ledger.record(
    { eventId: unfit.id, type: unfit.type, outcome: UNFIT_OUTCOME },
    deps.clock.now(),
  );
  return recorded === 'duplicate'
    ? { kind: 'duplicate', eventType: unfit.type }
    : { kind: 'processed', outcome: UNFIT_OUTCOME, eventType: unfit.type };
}

/** Marks the unwinding of a delivery found in the ledger before a Stripe read; never leaves this module. */
const DUPLICATE = Symbol('duplicate delivery');

/** Consults the ledger once, before the first Stripe read of this delivery. */
class LedgerGuard {
  private checked: Promise<void> | undefined;
  constructor(
    private readonly ledger: WebhookLedger,
    private readonly eventId: string,
  ) {}

  guard(stripe: SubscriptionSource): SubscriptionSource {
    const first = () => {
      this.checked ??= this.ledger.has(this.eventId).then((seen) => {
        if (seen) throw DUPLICATE;
      });
      return this.checked;
    };
    return {
      listForCustomer: (customerId) => first().then(() => stripe.listForCustomer(customerId)),
      retrieveCustomer: (customerId) => first().then(() => stripe.retrieveCustomer(customerId)),
      readCharge: (chargeId) => first().then(() => stripe.readCharge(chargeId)),
    };
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(`delivery took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
