import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DependencyUnavailableError } from '../domain/errors';
import { CONTRACTS } from '../platform/contracts';
import { type HttpResult, header, httpError, json, rawBody, serviceUnavailable } from '../platform/http';
import { lambdaEntry } from '../platform/lambda-entry';
import { logger } from '../platform/logger';
import { type DeliveryDeps, type DeliveryResult, receiveDelivery } from '../use-cases/webhook/receive-delivery';
import { deliveryDeps } from '../wiring/webhook';

/** Stripe's own events stay far below this; anything larger is not a Stripe event. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/** POST /webhooks/stripe: size check, then one delivery (receive-delivery), then its result as HTTP. */
export function createStripeWebhookHandler(deps: DeliveryDeps) {
  return async (request: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const payload = rawBody(request);
    if (Buffer.byteLength(payload, 'utf8') > MAX_WEBHOOK_BODY_BYTES) {
      return httpError(413, 'payload_too_large', `body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`);
    }
    try {
      const result = await receiveDelivery(deps, { payload, signature: header(request, 'stripe-signature') });
      // One line per validly signed event: the dashboard's events-per-second-by-type graph counts it (lib/log-signals.ts).
      if ('eventType' in result)
        logger.info('Stripe event answered', { eventType: result.eventType, result: result.kind });
      return responseOf(result);
    } catch (error) {
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

function responseOf(result: DeliveryResult): HttpResult {
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

const entry = lambdaEntry(CONTRACTS.stripeWebhook, (runtime) => createStripeWebhookHandler(deliveryDeps(runtime)));
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
