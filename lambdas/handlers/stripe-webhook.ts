import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { CONTRACTS } from '../platform/contracts';
import { type HttpResult, header, rawBody } from '../platform/http';
import { lambdaEntry } from '../platform/lambda-entry';
import { deliveryFailure, deliveryResponse, oversizedDelivery } from '../platform/stripe-webhook-http';
import { type DeliveryDeps, receiveDelivery } from '../use-cases/webhook/receive-delivery';
import { deliveryDeps } from '../wiring/webhook';

export { MAX_WEBHOOK_BODY_BYTES } from '../platform/stripe-webhook-http';

/** POST /webhooks/stripe: size check, then one delivery (receive-delivery), then its result as HTTP. */
export function createStripeWebhookHandler(deps: DeliveryDeps) {
  return async (request: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const payload = rawBody(request);
    const oversized = oversizedDelivery(payload);
    if (oversized) return oversized;
    try {
      const signature = header(request, 'stripe-signature');
      return deliveryResponse(await receiveDelivery(deps, { payload, signature }));
    } catch (error) {
      return deliveryFailure(error);
    }
  };
}

const entry = lambdaEntry(CONTRACTS.stripeWebhook, (runtime) => createStripeWebhookHandler(deliveryDeps(runtime)));
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
