import { DependencyUnavailableError } from '../domain/errors';
import type { DeliveryResult } from '../domain/webhook-delivery';
import { type HttpResult, httpError, json, serviceUnavailable } from './http';
import { logger } from './logger';

/** Stripe's own events stay far below this; anything larger is not a Stripe event. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/** 413 for a body larger than any Stripe event, before anything reads it; undefined for any other body. */
export function oversizedDelivery(payload: string): HttpResult | undefined {
  if (Buffer.byteLength(payload, 'utf8') <= MAX_WEBHOOK_BODY_BYTES) return undefined;
  return httpError(413, 'payload_too_large', `body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`);
}

/** A delivery's answer as HTTP: 400 for a refused one, 503 when unconfigured, 200 for every validly signed event. */
export function deliveryResponse(result: DeliveryResult): HttpResult {
  // One line per validly signed event: the dashboard's events-per-second-by-type graph counts it (lib/log-signals.ts).
  if ('eventType' in result) logger.info('Stripe event answered', { eventType: result.eventType, result: result.kind });
  switch (result.kind) {
    case 'rejected':
      return httpError(400, result.code, result.message);
    case 'not-configured':
      logger.error('Stripe webhook signing secret is not set; Stripe will retry', { error: result.message });
      return serviceUnavailable(`${result.message}. Stripe retries this delivery.`);
    case 'ignored':
      return json(200, { received: true, ignored: true });
    case 'duplicate':
      return json(200, { received: true, duplicate: true });
    case 'processed':
      return json(200, { received: true, outcome: result.outcome });
  }
}

/** A delivery that failed: 500 (Stripe retries), naming the unavailable dependency when there is one. */
export function deliveryFailure(error: unknown): HttpResult {
  const dependency = error instanceof DependencyUnavailableError ? error.dependency : undefined;
  logger.error('Stripe webhook delivery failed; Stripe will retry', {
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    dependency,
  });
  return dependency
    ? httpError(500, 'dependency_unavailable', `${dependency} is unavailable, retry later`)
    : httpError(500, 'internal_error', 'the event could not be processed, retry later');
}
